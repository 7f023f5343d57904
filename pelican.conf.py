"""Pelican settings for the annotated archive.  Paths are absolute, so the
build works from any working directory."""

import os

HERE = os.path.dirname(os.path.abspath(__file__))

AUTHOR = "Annotated archive"
SITENAME = "Annotated archive"
SITEURL = ""  # links are relative: the site works under any sub-path (GitHub Pages) and from disk
RELATIVE_URLS = True
TIMEZONE = "UTC"
DEFAULT_LANG = "en"

PATH = os.path.join(HERE, "content")
OUTPUT_PATH = os.path.join(HERE, "output")
SEEDS_PATH = os.path.join(HERE, "seeds")  # the scraped texts
NOTES_PATH = os.path.join(HERE, "content", "notes")  # curator notes (Markdown)
THEME = os.path.join(HERE, "theme")
PLUGIN_PATHS = [os.path.join(HERE, "plugins")]
PLUGINS = ["annotated_archive"]

# Seed pages are written by the plugin's generator; Pelican itself only
# handles content/pages (About, ...).
ARTICLE_PATHS = ["articles"]
PAGE_PATHS = ["pages"]
STATIC_PATHS = []
IGNORE_FILES = [".*", "notes"]
DIRECT_TEMPLATES = []
PAGE_URL = "{slug}.html"
PAGE_SAVE_AS = "{slug}.html"
ARTICLE_SAVE_AS = ""
CATEGORY_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
TAG_SAVE_AS = ""
TAGS_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
ARCHIVES_SAVE_AS = ""
DRAFT_SAVE_AS = ""
DRAFT_PAGE_SAVE_AS = ""
FEED_ALL_ATOM = None
FEED_ALL_RSS = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
DEFAULT_PAGINATION = False
DELETE_OUTPUT_DIRECTORY = True
OUTPUT_RETENTION = [".git", ".nojekyll", "CNAME"]

ANNOTATED_ARCHIVE_SEARCH = True  # run Pagefind as the last step of every build
ANNOTATED_ARCHIVE_CACHE = os.path.join(HERE, "cache")  # per-seed stage results (safe to delete)
ANNOTATED_ARCHIVE_WORKERS = None  # processes for per-seed work; None = every core

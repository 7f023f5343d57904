"""Page content keys (render.page_key) and the template salt (output.template_salt)."""

from __future__ import annotations

import copy
import os
import pickle

from hypothesis import given, settings, strategies as st
from jinja2 import DictLoader, Environment
from markupsafe import Markup

from annotated_archive.models import Claim, Meta
from annotated_archive.output import template_salt
from annotated_archive.render import PageSpec, page_key


def _spec(**variables):
    return PageSpec("articles/abc.html", "article", variables)


def test_key_depends_on_values_not_on_object_sharing():
    shared = {"title": "A bridge", "url": "articles/x.html"}
    a = _spec(prev=shared, next=shared, doc=shared)
    # the same values, each a distinct object (as after a round trip through the cache)
    b = _spec(**pickle.loads(pickle.dumps({"prev": dict(shared), "next": dict(shared), "doc": dict(shared)})))
    assert page_key(a, "salt") == page_key(b, "salt")


def test_key_changes_with_every_input():
    claim = Claim("c1", "d1", 0, 0, 5, "Text.", speaker="Ann")
    base = _spec(claim=claim, meta=Meta(title="T", date="2021-01-02"), body=Markup("<p>x</p>"), n=1)
    k = page_key(base, "salt")
    variants = [
        _spec(claim=Claim("c1", "d1", 0, 0, 5, "Text.", speaker="Bob"), meta=base.variables["meta"],
              body=Markup("<p>x</p>"), n=1),
        _spec(claim=claim, meta=Meta(title="T", date="2021-01-03"), body=Markup("<p>x</p>"), n=1),
        _spec(claim=claim, meta=base.variables["meta"], body=Markup("<p>y</p>"), n=1),
        _spec(claim=claim, meta=base.variables["meta"], body="<p>x</p>", n=1),  # plain text is escaped: not the same page
        _spec(claim=claim, meta=base.variables["meta"], body=Markup("<p>x</p>"), n=2),
        _spec(claim=claim, meta=base.variables["meta"], body=Markup("<p>x</p>"), n=1, extra=None),
        PageSpec("articles/abd.html", "article", base.variables),
        PageSpec(base.save_as, "raw", base.variables),
    ]
    keys = {page_key(v, "salt") for v in variants}
    assert k not in keys and len(keys) == len(variants)
    assert page_key(base, "other salt") != k


_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8) | st.floats(allow_nan=False),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(max_size=6), _values, max_size=4), st.dictionaries(st.text(max_size=6), _values, max_size=4))
def test_keys_are_equal_exactly_when_pages_are(a, b):
    ka, kb = page_key(_spec(**a), "s"), page_key(_spec(**b), "s")
    assert page_key(_spec(**copy.deepcopy(a)), "s") == ka
    # repr tells 1, 1.0 and True apart, as a template would
    assert (ka == kb) == (repr(a) == repr(b))


TEMPLATES = {
    "base.html": "<title>{{ SITENAME }}</title><a href='{{ SITEURL }}/x'>{% block c %}{% endblock %}</a>",
    "page.html": "{% extends 'base.html' %}{% block c %}{{ title }}{% endblock %}",
}


def _salt(templates=TEMPLATES, context=None, relative=True, code="v1"):
    env = Environment(loader=DictLoader(templates), autoescape=True)
    ctx = {"SITENAME": "Archive", "SITEURL": "", "UNUSED": object()} if context is None else context
    return template_salt(env, ctx, ["page.html"], relative, code)


def test_salt_covers_templates_settings_and_code():
    s = _salt()
    assert s is not None and s == _salt()
    # a template the page extends changed
    assert _salt({**TEMPLATES, "base.html": TEMPLATES["base.html"] + "<!-- -->"}) != s
    # a setting the templates read changed; one they do not read does not matter
    assert _salt(context={"SITENAME": "Other", "SITEURL": "", "UNUSED": object()}) != s
    assert _salt(context={"SITENAME": "Archive", "SITEURL": "", "UNUSED": 1}) == s
    # code version, and absolute URLs (SITEURL then comes from the settings)
    assert _salt(code="v2") != s
    assert _salt(relative=False) != _salt(relative=False, context={"SITENAME": "Archive", "SITEURL": "https://x"})


def test_salt_refuses_what_it_cannot_hash():
    # templates reading a context value that is not plain data: no caching
    assert _salt(context={"SITENAME": object(), "SITEURL": ""}) is None
    # a template chosen at render time: its source is unknown
    assert _salt({**TEMPLATES, "page.html": "{% include name %}"}) is None


def test_pages_go_through_pelicans_writer_when_a_plugin_listens(tmp_path, capsys):
    """Another plugin connected to content_written sees every page, and the
    site is the same as with the page cache and the workers."""
    import filecmp

    from pelican import signals

    from conftest import ROOT, SEEDS
    from annotated_archive.build import run_build

    seen = []

    def listener(path, context=None):
        seen.append(path)

    def build(out):
        return run_build(ROOT / "pelican.conf.py", output=out, seeds=SEEDS, search=False,
                         overrides={"ANNOTATED_ARCHIVE_CACHE": str(tmp_path / "cache")})

    assert build(tmp_path / "a") == 0
    signals.content_written.connect(listener)
    try:
        assert build(tmp_path / "b") == 0
    finally:
        signals.content_written.disconnect(listener)
    pages = sorted(p.relative_to(tmp_path / "b").as_posix() for p in (tmp_path / "b").rglob("*.html"))
    assert len(pages) > 10
    assert {f"{tmp_path / 'b'}/{p}" for p in pages} <= set(seen)
    assert [p for p in pages if not filecmp.cmp(tmp_path / "a" / p, tmp_path / "b" / p, shallow=False)] == []


def test_a_page_whose_values_cannot_be_hashed_is_rendered_not_cached(tmp_path):
    from annotated_archive.output import _Job, _write_range

    template = Environment(autoescape=True).from_string("{{ title }}|{{ SITEURL }}")
    specs = [PageSpec("a.html", "t", {"title": "<A>"}), PageSpec("b.html", "t", {"title": "B", "f": lambda: 1})]
    cache = tmp_path / "cache"
    cache.mkdir()
    job = _Job(specs, {"t": template}, {"SITEURL": ""}, str(tmp_path), cache, {"t": "salt"}, True)
    results = _write_range(job, 0, 2)
    assert [r for _, r, _ in results] == [True, True]
    assert results[0][0] is not None and results[1][0] is None
    assert (tmp_path / "a.html").read_text() == "&lt;A&gt;|."
    assert (tmp_path / "b.html").read_text() == "B|."
    assert [p.name for p in cache.iterdir()] == [results[0][0]]
    # the second time, a.html comes from the cache (as a hard link to the entry)...
    job.stored = {results[0][0]: results[0][2]}
    assert [r for _, r, _ in _write_range(job, 0, 2)] == [False, True]
    assert (tmp_path / "a.html").stat().st_ino == (cache / results[0][0]).stat().st_ino
    # ...unless something wrote into the entry since it was stored (e.g. through
    # that link): rendered again, the entry replaced, the written file left alone
    with open(tmp_path / "a.html", "w") as f:
        f.write("edited in place")
    old = tmp_path / "edited.html"
    os.link(tmp_path / "a.html", old)
    again = _write_range(job, 0, 2)
    assert [r for _, r, _ in again] == [True, True]
    assert (tmp_path / "a.html").read_text() == (cache / results[0][0]).read_text() == "&lt;A&gt;|."
    assert old.read_text() == "edited in place"


def test_salts_sharing_a_memo_equal_salts_computed_alone():
    # write_pages computes the salts of a build's templates with one memo
    # (each source loaded and parsed once): the same salts as one by one
    templates = {
        **TEMPLATES,
        "other.html": "{% extends 'base.html' %}{% block c %}{{ SITENAME }}{% include 'part.html' %}{% endblock %}",
        "part.html": "<p>{{ title }} {{ SITEURL }}</p>",
    }
    env = Environment(loader=DictLoader(templates), autoescape=True)
    ctx = {"SITENAME": "Archive", "SITEURL": ""}
    memo: dict = {}
    shared = [template_salt(env, ctx, [t], True, "v1", memo) for t in ("page.html", "other.html", "part.html")]
    alone = [template_salt(env, ctx, [t], True, "v1") for t in ("page.html", "other.html", "part.html")]
    assert shared == alone and len(set(alone)) == 3
    assert ("source", "base.html") in memo and memo["versions"]

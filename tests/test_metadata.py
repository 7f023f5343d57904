"""Metadata rules, one at a time: header lines, datelines in several
languages, bylines, and nothing invented."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
try:
    import annotated_archive  # noqa: F401
except ImportError:
    sys.path.insert(0, str(ROOT / "plugins"))

from annotated_archive import metadata as md  # noqa: E402
from annotated_archive.clean import clean  # noqa: E402
from annotated_archive.models import Seed  # noqa: E402


def seed(text: str) -> Seed:
    return Seed("t.txt", text, "id", "sha", "utf-8", "", len(text))


BODY = (
    "The council voted on Tuesday to approve the new budget, which raises spending on schools and roads by a wide margin.\n\n"
    "Officials said the first projects would start in the spring, and that residents would be consulted before any work began.\n"
)

# ------------------------------------------------------------ header lines


@pytest.mark.parametrize(
    "line,expected",
    [
        (" date 2021-12-17 ContributorsPublishersAdvertisers", ("date", "2021-12-17", "ContributorsPublishersAdvertisers")),
        (" date 2021-12 © Sputnik / Mihail Metzel/POOL", ("date", "2021-12", "© Sputnik / Mihail Metzel/POOL")),
        ("date: 2021-12-24", ("date", "2021-12-24", "")),
        ("Date 2021-12-24 17:53", ("date", "2021-12-24T17:53", "")),
        ("url https://example.org/a rest", ("url", "https://example.org/a", "rest")),
        ("source: https://example.org/b", ("url", "https://example.org/b", "")),
        ("title A headline", ("title", "A headline", "")),
    ],
)
def test_header_line(line: str, expected: tuple) -> None:
    assert md.parse_header_line(line) == expected


@pytest.mark.parametrize("line", ["date tomorrow", "date 2021-13-01", "url not-a-url", "dated 2021", "The date 2021 was big."])
def test_header_line_rejects(line: str) -> None:
    assert md.parse_header_line(line) is None


# --------------------------------------------------------------- datelines


@pytest.mark.parametrize(
    "line,iso",
    [
        ("December 24, 2021 - 17:53", "2021-12-24T17:53"),  # en
        ("Dec. 24, 2021", "2021-12-24"),
        ("Dec 24 2021 5:53 pm", "2021-12-24T17:53"),
        ("Friday, December 24, 2021", "2021-12-24"),
        ("24 December 2021", "2021-12-24"),
        ("24 décembre 2021 à 17h53", "2021-12-24T17:53"),  # fr
        ("vendredi 24 décembre 2021", "2021-12-24"),
        ("1er décembre 2021", "2021-12-01"),
        ("24. Dezember 2021", "2021-12-24"),  # de
        ("Samstag, 24. Dezember 2021", "2021-12-24"),
        ("24 de diciembre de 2021", "2021-12-24"),  # es
        ("24 dicembre 2021", "2021-12-24"),  # it
        ("24 de dezembro de 2021", "2021-12-24"),  # pt
        ("24 декабря 2021 г.", "2021-12-24"),  # ru
        ("2021-12-24 17:53", "2021-12-24T17:53"),
        ("24.12.2021", "2021-12-24"),
        ("12/24/2021", "2021-12-24"),
        ("February 29, 2024", "2024-02-29"),
    ],
)
def test_dateline(line: str, iso: str) -> None:
    assert md.parse_dateline(line) == iso


@pytest.mark.parametrize(
    "line",
    [
        "5 days ago",
        "February 30, 2021",
        "Mayday 2021",
        "In December 2021 the council met to discuss the budget.",
        "24 Smarch 2021",
        "2021",
        "",
        "13/13/2021",
    ],
)
def test_dateline_rejects(line: str) -> None:
    assert md.parse_dateline(line) is None


# ----------------------------------------------------------------- bylines


@pytest.mark.parametrize(
    "line,name",
    [
        ("By Patrick Reevell", "Patrick Reevell"),
        ("By Jane Doe and John Smith", "Jane Doe and John Smith"),
        ("Written by Ann Lee", "Ann Lee"),
        ("Par Jean Dupont", "Jean Dupont"),
        ("Von Hans Müller", "Hans Müller"),
        ("Por María García", "María García"),
        ("Di Mario Rossi", "Mario Rossi"),
        ("Por João Silva", "João Silva"),
        ("Автор: Иван Петров", "Иван Петров"),
    ],
)
def test_byline(line: str, name: str) -> None:
    assert md.parse_byline(line) == name


@pytest.mark.parametrize(
    "line",
    [
        "By the way, this is a sentence.",
        "by and large the vote went well",
        "Bypass road reopened",
        "By " + "Name " * 12,
    ],
)
def test_byline_rejects(line: str) -> None:
    assert md.parse_byline(line) is None


def test_url_line() -> None:
    assert md.parse_url_line("  https://example.org/x?a=1 ") == "https://example.org/x?a=1"
    assert md.parse_url_line("see https://example.org") is None


# ------------------------------------------------------ in the clean stage


def test_dateline_and_byline_in_document() -> None:
    d = clean(seed("A council approves a new budget\n\nBy Jane Doe\nDecember 24, 2021 - 17:53\n\n" + BODY))
    assert d.meta.title == "A council approves a new budget"
    assert d.meta.author == "Jane Doe"
    assert d.meta.date == "2021-12-24T17:53"
    assert d.meta.date_text == "December 24, 2021 - 17:53"
    assert d.body_text.startswith("The council voted")


def test_byline_with_date() -> None:
    d = clean(seed("A council approves a new budget\nPosted by Jane Doe on November 19, 2019, 6:21 AM EST\n\n" + BODY))
    assert d.meta.author == "Jane Doe"
    assert d.meta.date == "2019-11-19"


def test_relative_date_never_used() -> None:
    d = clean(seed("A council approves a new budget\n5 days ago\n\n" + BODY))
    assert d.meta.date is None
    assert any(r.rule == "relative-date" for r in d.removed)


@pytest.mark.parametrize(
    "header",
    ["Il y a 3 jours", "vor 5 Tagen", "hace 2 días", "3 giorni fa", "há 4 dias", "5 дней назад", "2 hours ago", "Yesterday"],
)
def test_relative_dates_multilingual(header: str) -> None:
    d = clean(seed("A council approves a new budget\n" + header + "\n\n" + BODY))
    assert d.meta.date is None
    assert any(r.rule == "relative-date" and r.text == header for r in d.removed)


def test_no_date_invented() -> None:
    d = clean(seed("A council approves a new budget\n\n" + BODY + "\nIn 2021 the council met 12 times.\n"))
    assert d.meta.date is None
    assert d.meta.author is None


def test_date_in_body_is_not_metadata() -> None:
    text = "A council approves a new budget\n\n" + BODY + "\n" + BODY.replace("council", "board") + "\nDecember 24, 2021\n"
    d = clean(seed(text))
    assert d.meta.date is None


def test_publisher_under_byline() -> None:
    d = clean(seed("A council approves a new budget\n\nBy Jane Doe\nThe Daily Planet\nThe Daily Planet\n\n" + BODY))
    assert d.meta.author == "Jane Doe"
    assert d.meta.publisher == "The Daily Planet"
    assert "The Daily Planet" not in d.body_text

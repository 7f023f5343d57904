"""Readable text in listing pages: what a reader (or a screen reader) gets
from the claims list, with markup stripped."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup


def _meta_lines(site) -> list[str]:
    soup = BeautifulSoup((site / "claims.html").read_text(encoding="utf-8"), "html.parser")
    return [re.sub(r"\s+", " ", p.get_text()) for p in soup.select("ul.claim-list p.meta")]


def test_claims_list_separators_are_spaced(site):
    lines = _meta_lines(site)
    assert lines, "the claims list has no claims"
    noted = [x for x in lines if "curator note" in x]
    assert noted, "the seeds' curator note is not shown in the claims list"
    for x in lines:
        # every separator dot has a space on both sides: "…articles) · curator note"
        assert not re.search(r"\S·|·\S", x), x


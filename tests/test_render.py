"""Render stage: pagination of growing listings."""

from __future__ import annotations

from annotated_archive.render import _paged, page_url


def test_page_urls():
    assert page_url("claims.html", 1) == "claims.html"
    assert page_url("claims.html", 3) == "claims-3.html"
    assert page_url("speakers/x-ab12.html", 2) == "speakers/x-ab12-2.html"


def test_paged_splits_and_links():
    pages = _paged("claims.html", "claims", list(range(450)), 200, lambda items: {"page_title": "Claims", "rows": items})
    assert [p.save_as for p in pages] == ["claims.html", "claims-2.html", "claims-3.html"]
    assert [len(p.variables["rows"]) for p in pages] == [200, 200, 50]
    assert pages[0].variables["pagination"]["prev"] is None
    assert pages[0].variables["pagination"]["next"] == "claims-2.html"
    assert pages[2].variables["pagination"]["offset"] == 400
    assert pages[1].variables["page_title"] == "Claims (page 2 of 3)"


def test_empty_listing_still_has_one_page():
    pages = _paged("index.html", "index", [], 200, lambda items: {"rows": items})
    assert len(pages) == 1 and pages[0].save_as == "index.html"

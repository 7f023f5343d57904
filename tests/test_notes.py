"""Curator notes: parsing and anchoring (by id, by a shifted quote, orphan)."""

from __future__ import annotations

from annotated_archive.claims import anchor_notes, extract_claims
from annotated_archive.models import Block, CleanDoc, Meta, Note
from annotated_archive.notes import parse_note

SHOIGU = (
    "On 21 December, Russian Defence Minister Sergei Shoigu told a ministerial gathering that private US military "
    "firms had delivered tanks with unidentified chemical components to the cities of Avdeevka and Krasny Liman."
)
PENTAGON = "The Pentagon denied on Wednesday that US companies are preparing chemical provocations in Ukraine."


def doc(*paras, doc_id="0123456789ab"):
    return CleanDoc(doc_id=doc_id, name="n.txt", meta=Meta(), blocks=tuple(Block("p", p) for p in paras))


def test_parse_note_header_and_body():
    n = parse_note("a.md", '\ufeff---\r\nclaim: 3f2a9c1b0d4e\r\nquote: "containers with unidentified chemical components"\r\n---\r\nThe *note*.\r\n')
    assert isinstance(n, Note)
    assert n.claim_id == "3f2a9c1b0d4e"
    assert n.quote == "containers with unidentified chemical components"
    assert n.body == "The *note*."


def test_parse_note_without_claim_or_quote_is_a_reason():
    assert isinstance(parse_note("b.md", "---\ntitle: x\n---\nbody"), str)
    assert isinstance(parse_note("c.md", "just text"), str)


def test_anchor_by_id():
    claims = extract_claims(doc(SHOIGU, PENTAGON))
    target = claims[1]
    out = anchor_notes([Note("n.md", target.id, None, "b")], claims)
    assert out[0].claim_id == target.id and out[0].how == "id"


def test_reanchor_by_quote_when_text_shifted():
    old = extract_claims(doc(SHOIGU, PENTAGON))
    note = Note("n.md", old[0].id, "tanks with unidentified chemical components to the cities of Avdeevka", "b")
    # the article was re-scraped: the sentence changed a little, so its id changed
    shifted = SHOIGU.replace("tanks with", "tanks, with").replace("On 21 December", "On Tuesday 21 December")
    new = extract_claims(doc(shifted, PENTAGON, doc_id="ba9876543210"))
    assert old[0].id not in {c.id for c in new}
    out = anchor_notes([note], new)
    assert out[0].how == "quote"
    assert out[0].claim_id == new[0].id
    assert 0.85 <= out[0].score <= 1.0


def test_orphan_is_kept_and_order_preserved():
    claims = extract_claims(doc(SHOIGU, PENTAGON))
    notes = [
        Note("1.md", "ffffffffffff", "something nobody ever wrote in any article", "b1"),
        Note("2.md", claims[0].id, None, "b2"),
        Note("3.md", None, None, "b3"),
        Note("4.md", None, "US companies are preparing chemical provocations", "b4"),
    ]
    out = anchor_notes(notes, claims)
    assert [a.note.name for a in out] == ["1.md", "2.md", "3.md", "4.md"]
    assert (out[0].claim_id, out[0].how) == (None, "orphan")
    assert out[1].how == "id"
    assert (out[2].claim_id, out[2].how) == (None, "orphan")
    assert (out[3].claim_id, out[3].how) == (claims[1].id, "quote")


def test_anchor_with_no_claims_orphans_everything():
    out = anchor_notes([Note("1.md", "abc", "q", "b")], [])
    assert len(out) == 1 and out[0].how == "orphan"


def test_anchoring_is_order_independent():
    claims = extract_claims(doc(SHOIGU, PENTAGON, SHOIGU.replace("Avdeevka", "Mariupol")))
    notes = [Note("1.md", None, "unidentified chemical components to the cities of", "b")]
    assert anchor_notes(notes, claims) == anchor_notes(notes, list(reversed(claims)))

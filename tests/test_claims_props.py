"""Property tests for the claims stage (hypothesis)."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotated_archive.claims import anchor_notes, claim_id, corroborate, extract_claims
from annotated_archive.models import Block, CleanDoc, Cluster, Meta, Note, Versions

WORDS = [
    "Putin", "said", "told", "according", "to", "the", "Kremlin", "on", "Monday", "that", "he", "she", "warned",
    "“", "”", '"', "NATO", "Weir", "says", "100", "troops", "in", "Ukraine", ".", ",", "?", "!", "Mr.", "U.S.",
    "Dr.", "...", "…", "„", "«", "»", "denied", "claimed", "Sergei", "Shoigu", "Minister", "Defence", "\n",
]

para_text = st.one_of(
    st.text(min_size=0, max_size=300),
    st.lists(st.sampled_from(WORDS), min_size=0, max_size=60).map(" ".join),
)


def make_doc(paras, kinds=None, doc_id="abcdefabcdef"):
    kinds = kinds or ["p"] * len(paras)
    return CleanDoc(doc_id=doc_id, name="x.txt", meta=Meta(), blocks=tuple(Block(k, p) for k, p in zip(kinds, paras)))


SET = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SET
@given(st.lists(para_text, min_size=0, max_size=6), st.lists(st.sampled_from(["p", "h"]), min_size=6, max_size=6))
def test_extract_never_raises_and_spans_are_exact(paras, kinds):
    d = make_doc(paras, kinds[: len(paras)])
    cl = extract_claims(d)
    for c in cl:
        b = d.blocks[c.block]
        assert b.kind == "p"
        assert 0 <= c.start < c.end <= len(b.text)
        assert b.text[c.start:c.end] == c.text
    assert len({c.id for c in cl}) == len(cl)
    # deterministic
    assert extract_claims(d) == cl


@SET
@given(st.lists(para_text, min_size=1, max_size=5), st.integers(0, 2**32 - 1))
def test_lacunae_anywhere_never_break_spans(paras, seed):
    rnd = random.Random(seed)
    blocks = []
    for p in paras:
        lac = tuple(sorted({rnd.randrange(len(p) + 1) for _ in range(3)})) if p else ()
        blocks.append(Block("p", p, (), lac))
    d = CleanDoc(doc_id="aa11bb22cc33", name="y.txt", meta=Meta(), blocks=tuple(blocks))
    for c in extract_claims(d):
        assert d.blocks[c.block].text[c.start:c.end] == c.text


@SET
@given(st.text(max_size=200), st.text(max_size=12))
def test_claim_id_deterministic(text, doc_id):
    assert claim_id(doc_id, text) == claim_id(doc_id, text)
    assert claim_id(doc_id, text) == claim_id(doc_id, "  " + text + "  ")
    assert claim_id(doc_id, text, 1) != claim_id(doc_id, text, 0)


SENT = st.lists(st.sampled_from([
    "Russian Defence Minister Sergei Shoigu said on Tuesday that containers with unidentified chemical components had been delivered to Donbas.",
    "The Pentagon denied on Wednesday that US companies were preparing chemical provocations in Ukraine.",
    "Foreign Minister Sergey Lavrov told reporters in Moscow that talks with Washington would start in Geneva in January.",
    "Fred Weir, a correspondent for the Christian Science Monitor, said the mood at NATO headquarters had changed.",
    "The draft treaty demands that the United States prevent further eastward expansion of NATO, Russian officials said.",
    "Ukraine said 120 American contractors had arrived in the Donetsk region last week, according to local media.",
]), min_size=1, max_size=5)


@SET
@given(st.lists(SENT, min_size=1, max_size=5), st.randoms(use_true_random=False))
def test_ids_and_matches_independent_of_document_order(docs_paras, rnd):
    docs = [make_doc(p, doc_id=f"{i:012x}") for i, p in enumerate(docs_paras)]
    ids = {d.doc_id: [c.id for c in extract_claims(d)] for d in docs}
    shuffled = list(docs)
    rnd.shuffle(shuffled)
    assert {d.doc_id: [c.id for c in extract_claims(d)] for d in shuffled} == ids
    claims = [c for d in docs for c in extract_claims(d)]
    versions = Versions(clusters=tuple(Cluster(d.doc_id, (d.doc_id,)) for d in docs))
    ms = corroborate(claims, versions)
    mixed = list(claims)
    rnd.shuffle(mixed)
    assert corroborate(mixed, versions) == ms
    pairs = {(m.claim_id, m.other_claim): m.score for m in ms}
    assert all(pairs.get((b, a)) == s for (a, b), s in pairs.items())
    by_id = {c.id: c for c in claims}
    assert all(by_id[m.claim_id].doc_id != m.other_doc for m in ms)
    notes = [Note("n.md", None, c.text[5:60], "b") for c in claims[:3]]
    assert anchor_notes(notes, mixed) == anchor_notes(notes, claims)

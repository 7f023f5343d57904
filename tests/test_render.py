"""Render stage: pagination of growing listings."""

from __future__ import annotations

import dataclasses

from annotated_archive import render
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


# ------------------------------------------------ fast paths give the same text

import json
import re

from hypothesis import given, settings, strategies as st

from annotated_archive.render import _INVISIBLE, _json_escape, json_ld, neutralise


def test_every_invisible_character_is_non_printable():
    # neutralise() returns printable text unchanged without running the regex
    hits = [chr(cp) for cp in range(0x110000) if _INVISIBLE.match(chr(cp))]
    assert len(hits) > 100
    assert [h for h in hits if h.isprintable()] == []
    assert neutralise("a\u202eb") == "a<U+202E>b" and neutralise("plain text") == "plain text"


def _json_ld_reference(obj):
    """json_ld spelled out: the standard library's compact JSON, then every
    escape applied to the whole text (no shortcut for printable text)."""
    s = json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    s = s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    s = s.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return _INVISIBLE.sub(_json_escape, s)


_hostile = st.text(st.sampled_from(list("a <>&\"\\\n\t\x00\x7f\u2028\u2029\u202e\u200b\ufeff\ufffe\U0001fffe\ud800é")), max_size=12)
_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | _hostile,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_hostile, inner, max_size=3),
    max_leaves=15,
)


@settings(max_examples=300, deadline=None)
@given(_json_values)
def test_json_ld_is_escaped_json_of_the_value(obj):
    text = str(json_ld(obj))
    assert text == _json_ld_reference(obj)
    assert json.loads(text) == obj  # the escapes change no value
    assert not re.search("[<>&\u2028\u2029]", text) and text.isprintable()


def test_json_ld_other_types():
    for obj in ({"score": 0.5, "n": [1, 2.25]}, {3: "x", 1: None}, [True, 10**30]):
        assert str(json_ld(obj)) == _json_ld_reference(obj)
    assert not re.search("[<>&]", str(json_ld({"t": "</script><!--&"})))


# ------------------------------------------------ page models built on first use


def test_page_models_are_built_on_first_use_and_equal_eager_ones(monkeypatch):
    import annotated_archive.render as render
    from conftest import SEEDS
    from annotated_archive.pipeline import build_archive
    from annotated_archive.read import read_seed

    seeds = [read_seed(p.name, p.read_bytes()) for p in sorted(SEEDS.glob("*.txt"))]
    archive = build_archive(seeds)
    built = []
    real = render._article_variables

    def counting(*args):
        built.append(args[1].doc_id)
        return real(*args)

    monkeypatch.setattr(render, "_article_variables", counting)
    pages = render.build_pages(archive)
    assert built == []  # the page list exists before any article model
    articles = [p for p in pages if p.template == "article"]
    assert len(articles) == len(archive.docs) > 1
    first = articles[0].compute()
    assert len(built) == 1 and articles[0].compute() == first and len(built) == 2  # compute() keeps nothing
    assert articles[0].variables == first and articles[0].variables is articles[0].variables  # .variables keeps it
    assert len(built) == 3
    # the same models as a second, independent build
    again = render.build_pages(archive)
    assert [p.save_as for p in again] == [p.save_as for p in pages]
    assert all(a == b for a, b in zip(pages, again))


# ------------------------------------------- page input keys determine pages


def _variant(seeds, notes, view_of):
    """An archive as the build assembles it, with the per-seed cache keys as
    tokens; each seed cleaned with the statistics ``view_of`` gives it (the
    same in every variant, so that a document's token stays the same while
    what its pages see of the other documents changes)."""
    from annotated_archive import pipeline

    unique, copies = pipeline.dedupe(seeds)
    unique.sort(key=lambda s: (s.doc_id, s.name))
    views = [view_of[s.name, s.doc_id] for s in unique]
    results = [pipeline.process_seed(s, v) for s, v in zip(unique, views)]
    arc = pipeline.assemble(unique, results, (), notes)
    arc = dataclasses.replace(arc, copies=tuple(copies))
    tokens = {s.doc_id: pipeline.seed_key(s, v, "test") for s, v in zip(unique, views)}
    return render.build_pages(arc, "", tokens)


def test_input_keys_determine_pages():
    """The page cache finds article, raw and versions pages by their input
    key without building them: equal input keys must mean equal pages.  Over
    archives that differ in every way such a page can see — other articles
    added or removed (versions, matches, neighbours, corroboration), notes,
    a retitled article, a renamed seed, an identical copy saved differently
    — every input key maps to one page key."""
    from conftest import ROOT, SEEDS

    from annotated_archive import files, pipeline
    from annotated_archive.models import Seed
    from annotated_archive.read import read_seed

    base, skipped = files.load_seeds(SEEDS)
    assert not skipped and len(base) >= 5
    notes, _ = files.load_notes(ROOT / "content" / "notes")
    assert notes
    first = base[0]
    retitled = read_seed(first.name, ("Another headline\n" + first.text).encode())
    renamed = dataclasses.replace(base[1], name="renamed-" + base[1].name)
    copy = read_seed("zz-copy.txt", base[2].text.replace("\n", "\r\n").encode())
    assert isinstance(retitled, Seed) and isinstance(copy, Seed) and copy.doc_id == base[2].doc_id
    variants = [(base, notes), (base, ()), ([retitled, *base[1:]], notes), ([*base[:1], renamed, *base[2:]], notes),
                ([*base, copy], notes)]
    variants += [([s for s in base if s is not left], notes) for left in base]
    everything = list({(s.name, s.doc_id): s for seeds, _ in variants for s in seeds}.values())
    view_of = {(s.name, s.doc_id): v for s, v in zip(everything, pipeline.stats_views(everything))}
    model_of: dict[str, str] = {}
    with_inputs = 0
    for seeds, ns in variants:
        for spec in _variant(seeds, ns, view_of):
            ik = render.input_key(spec, "salt")
            if spec.template in ("article", "raw", "versions"):
                assert ik is not None
            if ik is None:
                continue
            with_inputs += 1
            mk = render.page_key(render.PageSpec(spec.save_as, spec.template, spec.compute()), "salt")
            assert model_of.setdefault(ik, mk) == mk, spec  # same inputs, same page
    # not vacuous: pages met again with the same inputs, and pages that changed
    assert with_inputs > len(model_of) > len(variants)
    assert len(set(model_of.values())) > 2 * 5

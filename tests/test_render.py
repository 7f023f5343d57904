"""Render stage: pagination of growing listings."""

from __future__ import annotations

import dataclasses

from annotated_archive import render
import re

from hypothesis import assume, given, settings, strategies as st

from annotated_archive.render import _paged


def _listing(keys, per_page=200):
    return _paged("claims.html", "claims", list(keys), per_page, lambda items: {"page_title": "Claims", "rows": items},
                  key=str, label=lambda items: f"{items[0]} – {items[-1]}", first={"total": len(keys)})


def test_paged_splits_and_links():
    keys = [f"claim-{i}" for i in range(2000)]
    pages = _listing(keys)
    assert pages[0].save_as == "claims.html" and pages[0].variables["total"] == 2000
    assert [r for p in pages for r in p.variables["rows"]] == keys  # every entry once, in order
    sizes = [len(p.variables["rows"]) for p in pages]
    assert all(100 <= n <= 800 for n in sizes[:-1]) and 5 <= len(pages) <= 20
    names = [p.save_as for p in pages]
    assert len(set(names)) == len(names) and all(re.fullmatch(r"claims-[0-9a-f]{10}\.html", n) for n in names[1:])
    for k, p in enumerate(pages):
        pg = p.variables["pagination"]
        assert pg["prev"] == (names[k - 1] if k else None)
        assert pg["next"] == (names[k + 1] if k + 1 < len(names) else None)
        assert pg["first"] == (None if k == 0 else "claims.html")
        assert ("total" in p.variables) == (k == 0)
    rows = pages[1].variables["rows"]
    assert pages[1].variables["page_title"] == f"Claims ({rows[0]} – {rows[-1]})"
    assert pages[0].variables["page_title"] == "Claims"


def test_empty_listing_still_has_one_page():
    pages = _paged("index.html", "index", [], 200, lambda items: {"rows": items}, key=str)
    assert len(pages) == 1 and pages[0].save_as == "index.html" and pages[0].variables["rows"] == []


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 10**6), min_size=0, max_size=400, unique=True), st.integers(0, 400), st.data())
def test_one_entry_added_changes_few_pages(keys, at, data):
    """Page breaks come from the entries: adding one changes its own page
    and its neighbours' links, never the pages further on (fixed-size pages
    shifted every later page)."""
    keys = [f"k{k}" for k in keys]
    new = data.draw(st.text(min_size=1, max_size=8).map(lambda t: "n" + t).filter(lambda t: t not in keys))
    after = keys[: at % (len(keys) + 1)] + [new] + keys[at % (len(keys) + 1) :]
    old_pages, new_pages = _listing(keys, 10), _listing(after, 10)
    assume(all(len(p.variables["rows"]) < 40 for p in old_pages + new_pages))  # no forced break (~e^-7 a page)

    def seen(pages):
        return {(p.save_as, repr(p.variables)) for p in pages[1:]}  # page 1 holds the total: always changes

    assert len(seen(new_pages) - seen(old_pages)) <= 4
    assert [r for p in new_pages for r in p.variables["rows"]] == after


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

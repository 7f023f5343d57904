"""Versions stage: the seeds, the hub case, containment, alignment, purity.

Golden file: tests/golden/versions/seeds.json (regenerate with
``UPDATE_GOLDEN=1 python -m pytest tests/test_versions.py``).
"""

from __future__ import annotations

import ast
import dataclasses
import hashlib
import json
import os
from pathlib import Path

import pytest

from annotated_archive import versions as V
from annotated_archive.clean import clean, line_stats
from annotated_archive.models import Alignment, Cluster, Versions
from annotated_archive.read import read_seed

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
GOLDEN = ROOT / "tests" / "golden" / "versions" / "seeds.json"

S000, S001, S002, S003, S004 = sorted(p.name for p in SEEDS.glob("*.txt"))
LOST = "condemning Western countries for breaking their vow that NATO would not expand eastward"


def seed_texts() -> list[tuple[str, str]]:
    return [(p.name, p.read_text(encoding="utf-8")) for p in sorted(SEEDS.glob("*.txt"))]


def clean_docs():
    seeds = [read_seed(p.name, p.read_bytes()) for p in sorted(SEEDS.glob("*.txt"))]
    stats = line_stats(seeds)
    return [clean(s, stats) for s in seeds]


def pseudo_words(tag: str, n: int) -> list[str]:
    """Deterministic made-up words (navigation, filler)."""
    out = []
    for i in range(n):
        h = hashlib.blake2b(f"{tag}:{i}".encode(), digest_size=6).hexdigest()
        out.append("".join("bcdfghklmnprstvz"[int(c, 16)] + "aeiou"[int(c, 16) % 5] for c in h[: 2 + int(h[-1], 16) % 3]))
    return out


def nav(tag: str, lines: int = 80) -> str:
    """A page's worth of navigation: short menu lines of made-up words."""
    w = pseudo_words(tag, lines * 4)
    return "\n".join(" ".join(w[i * 4 : i * 4 + 1 + i % 4]).title() for i in range(lines))


def paragraphs(name: str) -> list[str]:
    text = (SEEDS / name).read_text(encoding="utf-8")
    return [p.strip() for p in text.split("\n") if len(p.split()) > 25]


# --------------------------------------------------------------------- seeds


def test_seeds_clean_bodies_000_001_one_cluster():
    docs = clean_docs()
    name = {d.doc_id: d.name for d in docs}
    v = V.cluster_versions(docs)
    clusters = [[name[m] for m in c.members] for c in v.clusters]
    assert [S000, S001] in clusters  # 000 canonical, first
    assert sorted(len(c) for c in clusters) == [1, 1, 1, 2]  # nobody else merged
    (al,) = v.alignments
    assert name[al.doc_id] == S001 and name[al.canonical] == S000
    assert any(LOST in x for x in al.lacks)
    assert 0.8 < al.score <= 1.0


def test_seeds_raw_texts_000_001_one_cluster():
    v = V.cluster_texts(seed_texts())
    assert Cluster(S000, (S000, S001)) in v.clusters
    assert len(v.clusters) == 4
    (al,) = v.alignments
    assert (al.doc_id, al.canonical) == (S001, S000)
    assert any(LOST in x for x in al.lacks)
    # the lost passages are the canonical's text, and every lacuna is in the canonical
    canon = dict(seed_texts())[S000]
    assert all(x in canon for x in al.lacks)


def golden_summary(v: Versions) -> dict:
    return {
        "clusters": [{"canonical": c.canonical, "members": list(c.members)} for c in v.clusters],
        "alignments": [
            {
                "doc": a.doc_id,
                "canonical": a.canonical,
                "score": a.score,
                "lacks": list(a.lacks),
                "adds": list(a.adds),
                "diff_ops": {op: sum(1 for d in a.diff if d.op == op) for op in ("equal", "delete", "insert")},
            }
            for a in v.alignments
        ],
    }


def test_seeds_golden():
    got = golden_summary(V.cluster_texts(seed_texts()))
    if os.environ.get("UPDATE_GOLDEN") or not GOLDEN.exists():
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(json.dumps(got, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    assert got == json.loads(GOLDEN.read_text(encoding="utf-8"))


def test_cli_versions_json(capsys):
    from annotated_archive.cli import main

    assert main(["versions", "--json", str(SEEDS)]) == 0
    out = json.loads(capsys.readouterr().out)
    multi = [c for c in out["clusters"] if len(c["members"]) > 1]
    assert len(multi) == 1
    assert multi[0]["canonical"].endswith(S000)
    assert [Path(m).name for m in multi[0]["members"]] == [S000, S001]


# ----------------------------------------------------------------------- hub


def test_hub_page_does_not_chain_two_stories():
    a = " ".join(paragraphs(S002)[:2])  # a short extract of story 002
    b = " ".join(paragraphs(S003)[:2])  # a short extract of story 003
    hub = "\n".join([nav("top"), a, nav("middle"), b, nav("bottom")])  # one long page holding both
    v = V.cluster_texts([("a", a), ("b", b), ("hub", hub)])
    assert v.cluster_of("a") != v.cluster_of("b")
    assert {m for c in v.clusters for m in c.members} == {"a", "b", "hub"}


def test_hub_page_with_full_versions():
    full2, full3 = (SEEDS / S002).read_text(), (SEEDS / S003).read_text()
    a = " ".join(paragraphs(S002)[:2])
    b = " ".join(paragraphs(S003)[:2])
    hub = "\n".join([nav("top"), a, nav("middle"), b, nav("bottom")])
    v = V.cluster_texts([("full2", full2), ("full3", full3), ("a", a), ("b", b), ("hub", hub)])
    assert v.cluster_of("a").canonical == "full2"
    assert v.cluster_of("b").canonical == "full3"
    assert v.cluster_of("full2") != v.cluster_of("full3")
    hub_cluster = v.cluster_of("hub")
    assert not {"a", "b"} <= set(hub_cluster.members)


def test_shared_navigation_alone_does_not_merge():
    """Two different stories on one site: same navigation, different bodies."""
    menu = nav("site", 40)
    p2, p3 = paragraphs(S002), paragraphs(S003)
    x = menu + "\n" + "\n".join(p2[:4])
    y = menu + "\n" + "\n".join(p3[:4])
    v = V.cluster_texts([("x", x), ("y", y)])
    assert len(v.clusters) == 2


# -------------------------------------------------------------- containment


def test_truncated_rescrape_joins_and_lacks_are_reported():
    ps = paragraphs(S004)
    full = "\n\n".join(ps)
    # drop the second half of some paragraphs and glue the rest (a dropped link)
    cut = [p[: len(p) // 2] if i % 3 == 1 else p for i, p in enumerate(ps)]
    trunc = "".join(cut[:-1])
    v = V.cluster_texts([("full", full), ("trunc", trunc)])
    assert v.clusters == (Cluster("full", ("full", "trunc")),)
    (al,) = v.alignments
    assert al.score > 0.8
    lost = ps[1][len(ps[1]) // 2 :].strip()
    assert any(lost[:60] in x or x in lost for x in al.lacks)
    assert any(ps[-1][:60] in x for x in al.lacks)  # the last paragraph is missing
    assert not any(len(x.split()) > 5 for x in al.adds)


def test_plain_jaccard_would_miss_it_containment_does_not():
    """A short extract (a tenth of the page): Jaccard is low, containment 1."""
    page = (SEEDS / S003).read_text() + "\n" + nav("footer", 120)
    extract = paragraphs(S003)[1]
    fa, fb = V.fingerprint(extract, "x"), V.fingerprint(page, "p")
    inter = V._intersect(fa.shingle_array, fb.shingle_array)
    assert inter / (fa.size + fb.size - inter) < 0.2
    assert inter / fa.size > 0.95
    v = V.cluster_texts([("x", extract), ("p", page)])
    assert v.clusters == (Cluster("p", ("p", "x")),)


def test_canonical_is_most_complete_and_least_damaged():
    ps = paragraphs(S002)
    full = "\n\n".join(ps)
    glued = "".join(ps)  # the same words, paragraphs glued: damaged
    short = "\n\n".join(ps[:-2])
    v = V.cluster_texts([("short", short), ("glued", glued), ("full", full)])
    assert len(v.clusters) == 1
    assert v.clusters[0].canonical == "full"
    assert v.clusters[0].members == ("full", "glued", "short")


def test_identical_texts_and_empty_texts():
    t = (SEEDS / S002).read_text()
    v = V.cluster_texts([("b", t), ("a", t), ("e1", ""), ("e2", "   \n")])
    members = sorted(m for c in v.clusters for m in c.members)
    assert members == ["a", "b", "e1", "e2"]
    assert v.cluster_of("a") == v.cluster_of("b")
    assert v.cluster_of("e1") != v.cluster_of("e2")  # nothing to compare: alone


def test_cjk_versions():
    ja = (
        "先日、不正に改造した携帯電話を販売したとして、商標法違反の疑いで二十代の男性が逮捕されたというニュースを耳にしました。"
        "報道によると、今回販売されたのは、いわゆる改造された端末で、正規の製品とは異なる部品が使われていました。"
        "商標には、同じ商標が付された商品は同じ提供元のものであるという、商品の出所を表示する機能があります。"
        "また、同じ商標が付された商品は同じ品質であることを保証する機能もあります。"
    )
    other = (
        "書籍を読む場合は、一般的にスマホやタブレットなどのモバイル端末で読むことが多いと思いますが、"
        "何か書籍で調べながら作業をする場合など、パソコンでそのまま読みたい時もあります。"
    ) * 2
    v = V.cluster_texts([("full", ja), ("part", ja[: len(ja) * 2 // 3]), ("other", other)])
    assert v.cluster_of("part").canonical == "full"
    assert v.cluster_of("other").members == ("other",)


# ----------------------------------------------------------------- alignment


def test_word_diff_ops():
    c = "The cat sat on the mat. It was warm and quiet in the old house by the sea."
    x = "The cat sat on the mat. It was warm in the old house by the sea. A dog barked loudly outside."
    ops = V.word_diff(c, x)
    assert [o.op for o in ops] == ["equal", "delete", "equal", "insert"]
    assert [o.text for o in ops if o.op == "delete"] == ["and quiet"]
    assert any("A dog barked loudly outside" in o.text for o in ops if o.op == "insert")
    al = V.align("c", c, "x", x, 0.9)
    assert isinstance(al, Alignment)
    assert al.lacks == ()  # "and quiet" is shorter than min_passage_tokens
    assert al.adds == ("A dog barked loudly outside.",)


def test_word_diff_splits_glued_words():
    c = "He said that national security is the priority. The president stressed his point."
    x = "He said thatThe president stressed his point."
    ops = V.word_diff(c, x)
    assert [o.text for o in ops if o.op == "delete"] == ["national security is the priority."]
    assert [o.op for o in ops if o.op == "insert"] == []


# ------------------------------------------------------------------- purity


def test_module_is_pure():
    src = (ROOT / "plugins" / "annotated_archive" / "versions.py").read_text()
    tree = ast.parse(src)
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            imported.add(node.module.split(".")[0])
    assert not imported & {"pelican", "jinja2", "random", "time", "datetime", "os", "pathlib", "io"}
    assert "open(" not in src
    # no module-level mutable state: module globals are constants, functions, classes, settings
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            value = node.value
            assert not isinstance(value, (ast.List, ast.Dict, ast.Set, ast.ListComp, ast.DictComp, ast.SetComp))


def test_settings_are_frozen_data():
    with pytest.raises(dataclasses.FrozenInstanceError):
        V.SETTINGS.contain = 0.1  # type: ignore[misc]
    strict = dataclasses.replace(V.SETTINGS, contain=0.99)
    ps = paragraphs(S002)
    items = [("full", "\n\n".join(ps)), ("short", "\n\n".join(ps[:-2]))]
    assert len(V.cluster_texts(items).clusters) == 1
    assert len(V.cluster_texts(items, settings=strict).clusters) == 1  # short is wholly contained
    cut = [("full", "\n\n".join(ps)), ("mixed", "\n\n".join(ps[:-2]) + "\n\n" + nav("x", 30))]
    assert len(V.cluster_texts(cut, settings=strict).clusters) == 2


def test_fingerprint_is_reproducible_and_cacheable():
    t = (SEEDS / S000).read_text()
    a, b = V.fingerprint(t, "x"), V.fingerprint(t, "x")
    assert a == b and hash(a) == hash(b)
    assert len(V.minhash(a)) == V.SETTINGS.num_perm
    assert list(a.shingle_array) == sorted(set(a.shingle_array))
    # clustering from cached fingerprints == clustering from texts
    texts = seed_texts()
    fps = [V.fingerprint(t, n) for n, t in texts]
    assert V.cluster_fingerprints(fps) == V.cluster_texts(texts, align_versions=False).clusters


def test_minhash_matches_datasketch():
    from datasketch import MinHash

    fp = V.fingerprint((SEEDS / S002).read_text(), "x")
    m = MinHash(num_perm=V.SETTINGS.num_perm, seed=V.SETTINGS.seed, hashfunc=int)
    m.update_batch(fp.shingle_array.tolist())
    assert tuple(int(x) for x in m.hashvalues) == V.minhash(fp)

"""Claims-stage benchmark.

    python bench/claims_bench.py [DATA_DIR] [--docs N] [--corpus SEED_DIR] [--json]

1. Claim detection precision/recall, attribution accuracy (speaker + cue) and
   cross-article matching precision/recall on the hand-labelled seed
   sentences in bench/claims_labels.json (criteria: docs/claims.md).
2. Time of the claims stage (extract_claims on every document + corroborate)
   on N (default 10,000) documents built from the extraction benchmark's
   ground-truth article bodies (DATA_DIR/extraction/ground-truth.json,
   DATA_DIR defaults to ../shared/bench next to the repository), repeated
   with a deterministic perturbation so that they are distinct documents.
3. With ``--corpus SEED_DIR``: CPU time of extract_claims / corroborate on a
   folder of seeds (``bench/make_corpus.py``), cleaned as the pipeline does.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))

from rapidfuzz import fuzz  # noqa: E402

from annotated_archive.claims import corroborate, extract_claims  # noqa: E402
from annotated_archive.claims_text import normalise  # noqa: E402
from annotated_archive.clean import clean, line_stats  # noqa: E402
from annotated_archive.files import load_seeds  # noqa: E402
from annotated_archive.models import Block, CleanDoc, Cluster, Meta, Versions  # noqa: E402

LABELS = ROOT / "bench" / "claims_labels.json"


# ------------------------------------------------------------ seed labels


def covers(label_text: str, claim_text: str) -> bool:
    """Does a predicted claim span the labelled sentence?  (A merged quote
    unit spans several sentences; a glued fragment must hold most of it.)"""
    nl, nc = normalise(label_text), normalise(claim_text)
    if not nl or not nc:
        return False
    if nl == nc:
        return True
    if len(nl) < 25:
        return False  # "Russia", "ABC News": a label is covered only by itself
    if nl in nc:
        return True
    if nc in nl:
        return len(nc) >= 0.5 * len(nl)
    short, long_ = (nl, nc) if len(nl) <= len(nc) else (nc, nl)
    return len(short) >= 0.5 * len(nl) and fuzz.partial_ratio(short, long_) >= 92


def _norm_speaker(s: str | None) -> str:
    s = (s or "").casefold().strip()
    for det in ("the ", "a ", "an "):
        if s.startswith(det):
            s = s[len(det):]
    return s


def seed_eval(labels: dict, verbose: bool = False) -> dict:
    seeds, _ = load_seeds(ROOT / "seeds")
    stats = line_stats(seeds)
    docs = {s.name: clean(s, stats) for s in seeds}
    claims = {n: extract_claims(d) for n, d in docs.items()}
    tp = fp = fn = 0
    errors: dict[str, list[str]] = defaultdict(list)
    cover_of: dict[tuple[str, int], list] = {}
    att_n = att_speaker = att_cue = att_both = spurious = 0
    for name, items in labels["docs"].items():
        cl = claims.get(name, ())
        used = set()
        for e in items:
            cov = [c for c in cl if covers(e["text"], c.text)]
            cover_of[(name, e["i"])] = cov
            used.update(c.id for c in cov)
            if e["claim"] and cov:
                tp += 1
            elif e["claim"]:
                fn += 1
                errors["missed claim"].append(f"{name[:3]}#{e['i']}: {e['text'][:100]}")
            elif cov:
                fp += 1
                errors["false claim"].append(f"{name[:3]}#{e['i']}: {e['text'][:100]}")
            if e["claim"] and cov:
                c = max(cov, key=lambda c: fuzz.partial_ratio(normalise(e["text"]), normalise(c.text)))
                if "speaker" not in e:
                    if c.speaker:
                        spurious += 1
                        errors["speaker where none"].append(f"{name[:3]}#{e['i']}: {c.speaker} ({c.cue}) | {e['text'][:80]}")
                elif e["speaker"] is not None:
                    att_n += 1
                    ok_s = _norm_speaker(c.speaker) in {_norm_speaker(g) for g in e["speaker"]}
                    ok_c = e["cue"] is None or (c.cue or "").casefold() in {g.casefold() for g in e["cue"]}
                    att_speaker += ok_s
                    att_cue += ok_c
                    att_both += ok_s and ok_c
                    if not (ok_s and ok_c):
                        errors["wrong attribution"].append(
                            f"{name[:3]}#{e['i']}: got {c.speaker!r}/{c.cue!r}, want {e['speaker']}/{e['cue']} | {e['text'][:70]}"
                        )
        for c in cl:
            if c.id not in used:
                fp += 1
                errors["unlabelled claim (counted false)"].append(f"{name[:3]}: {c.text[:100]}")
    # ------------------------------------------------------------ matching
    names = sorted(docs)
    d000 = next(n for n in names if n.startswith("000"))
    d001 = next(n for n in names if n.startswith("001"))
    ids = {n: docs[n].doc_id for n in names}
    versions = Versions(
        clusters=(Cluster(ids[d000], (ids[d000], ids[d001])),)
        + tuple(Cluster(ids[n], (ids[n],)) for n in names if n not in (d000, d001))
    )
    allc = [c for n in names for c in claims[n]]
    t0 = time.perf_counter()
    matches = corroborate(allc, versions)
    t_match = time.perf_counter() - t0
    name_of = {ids[n]: n for n in names}
    claim_doc = {c.id: name_of[c.doc_id] for c in allc}
    labelled = {}
    for p in labels["pairs"]:
        a, b = tuple(p["a"]), tuple(p["b"])
        labelled[frozenset((a, b))] = p["label"]
    # which labelled sentences does each claim cover
    sent_of: dict[str, set] = defaultdict(set)
    for key, cov in cover_of.items():
        for c in cov:
            sent_of[c.id].add(key)
    pred_pairs = {}
    for m in matches:
        pred_pairs[frozenset((m.claim_id, m.other_claim))] = m
    res = {}
    for scope in ("cross-story", "versions 000-001"):
        def in_scope(a, b):
            v = {a[:3], b[:3]} == {"000", "001"}
            return v if scope.startswith("versions") else not v

        found = set()
        ptp = pfp = 0
        for pair, m in pred_pairs.items():
            x, y = tuple(pair)
            if not in_scope(claim_doc[x], claim_doc[y]):
                continue
            labs = {labelled.get(frozenset((sx, sy))) for sx in sent_of[x] for sy in sent_of[y]}
            hits = {frozenset((sx, sy)) for sx in sent_of[x] for sy in sent_of[y] if labelled.get(frozenset((sx, sy))) == "same"}
            if hits:
                ptp += 1
                found |= hits
            elif "related" in labs:
                pass
            else:
                pfp += 1
                if scope == "cross-story":
                    errors["false match"].append(f"{claim_doc[x][:3]}~{claim_doc[y][:3]} {m.score:.2f}")
        gold = [k for k, v in labelled.items() if v == "same" and in_scope(*(s[0] for s in k))]
        missed = [k for k in gold if k not in found]
        if scope == "cross-story":
            for k in missed:
                (a, i), (b, j) = sorted(k)
                errors["missed match"].append(f"{a[:3]}#{i} ~ {b[:3]}#{j}")
        res[scope] = {
            "precision": ptp / (ptp + pfp) if ptp + pfp else None,
            "recall": (len(gold) - len(missed)) / len(gold) if gold else None,
            "predicted_pairs": ptp + pfp,
            "labelled_pairs": len(gold),
        }
    # independence checks of the two named cases
    indep = {}
    for m in matches:
        a, b = claim_doc[m.claim_id][:3], claim_doc[m.other_claim][:3]
        indep.setdefault((a, b), set()).add((m.relation, m.independent))
    out = {
        "claims": {
            "labelled_sentences": sum(len(v) for v in labels["docs"].values()),
            "labelled_claims": sum(e["claim"] for v in labels["docs"].values() for e in v),
            "predicted_claims": sum(len(v) for v in claims.values()),
            "precision": tp / (tp + fp) if tp + fp else None,
            "recall": tp / (tp + fn) if tp + fn else None,
            "tp": tp,
            "fp": fp,
            "fn": fn,
        },
        "attribution": {
            "scored": att_n,
            "speaker_accuracy": att_speaker / att_n if att_n else None,
            "cue_accuracy": att_cue / att_n if att_n else None,
            "speaker_and_cue_accuracy": att_both / att_n if att_n else None,
            "speaker_on_unattributed_claims": spurious,
        },
        "matching": res,
        "relations_seen": {f"{a}->{b}": sorted(f"{r}/{int(i)}" for r, i in v) for (a, b), v in sorted(indep.items())},
        "seed_corroborate_seconds": round(t_match, 4),
        "errors": {k: (v if verbose else v[:12]) for k, v in errors.items()},
        "error_counts": {k: len(v) for k, v in errors.items()},
    }
    return out


# ------------------------------------------------------------------ scale


_WORD = re.compile(r"[A-Za-z]{4,}")


def _rng(*key) -> random.Random:
    return random.Random(int(hashlib.sha256(repr(key).encode()).hexdigest()[:16], 16))


def synthetic_docs(bodies: list[str], n: int) -> list[CleanDoc]:
    """n distinct documents from the ground-truth bodies.  Document k takes
    body k % B; every 5 consecutive copies of a body form a *family* that
    shares a strong rewrite (35% of the longer words replaced from the
    corpus vocabulary) — so families are different stories in the same
    words, and the 5 members of a family are versions/reprints of each other
    — then each copy gets a light edit of its own (10% of paragraphs dropped,
    3% of words replaced) and a copy marker."""
    vocab = sorted({w for b in bodies for w in _WORD.findall(b)})
    B = len(bodies)
    docs = []
    for k in range(n):
        b = k % B
        copy = k // B
        fam = copy // 5
        fr = _rng("family", b, fam)
        vr = _rng("copy", k)
        paras = [p.strip() for p in bodies[b].split("\n") if p.strip()]
        out = []
        for pi, p in enumerate(paras):
            if vr.random() < 0.10 and len(paras) > 2:
                continue

            def sub(m, pi=pi):
                w = m.group(0)
                r1 = fr.random()
                r2 = vr.random()
                if fam > 0 and r1 < 0.35:
                    w = vocab[fr.randrange(len(vocab))]
                if r2 < 0.03:
                    w = vocab[vr.randrange(len(vocab))]
                return w

            out.append(_WORD.sub(sub, p))
        out.append(f"This copy was filed as number {k} of the archive benchmark.")
        text = "\n".join(out)
        doc_id = hashlib.sha256(text.encode()).hexdigest()[:12]
        docs.append(CleanDoc(doc_id=doc_id, name=f"bench/{k:05d}.txt", meta=Meta(), blocks=tuple(Block("p", p) for p in out)))
    return docs


def scale_eval(data_dir: Path, n: int) -> dict:
    gt = json.loads((data_dir / "extraction" / "ground-truth.json").read_text(encoding="utf-8"))
    bodies = [gt[k]["articleBody"] for k in sorted(gt) if gt[k].get("articleBody", "").strip()]
    t0 = time.perf_counter()
    docs = synthetic_docs(bodies, n)
    t_build = time.perf_counter() - t0
    t0, c0 = time.perf_counter(), time.process_time()
    claims = [c for d in docs for c in extract_claims(d)]
    t_extract, c_extract = time.perf_counter() - t0, time.process_time() - c0
    # versions: the 5 copies of a family form one cluster (what the versions stage would find)
    B = len(bodies)
    fam: dict[tuple[int, int], list[str]] = defaultdict(list)
    for k, d in enumerate(docs):
        fam[(k % B, (k // B) // 5)].append(d.doc_id)
    versions = Versions(clusters=tuple(Cluster(sorted(m)[0], tuple(sorted(m))) for m in fam.values()))
    t0, c0 = time.perf_counter(), time.process_time()
    matches = corroborate(claims, versions)
    t_match, c_match = time.perf_counter() - t0, time.process_time() - c0
    rel = Counter(m.relation for m in matches)
    return {
        "documents": n,
        "sentences_in": sum(len(b.text) for d in docs for b in d.blocks),
        "claims": len(claims),
        "matches": len(matches),
        "matches_by_relation": dict(rel),
        "independent_matches": sum(m.independent for m in matches),
        "seconds_build_corpus": round(t_build, 1),
        "seconds_extract": round(t_extract, 1),
        "seconds_corroborate": round(t_match, 1),
        "seconds_claims_stage": round(t_extract + t_match, 1),
        "ms_per_document": round(1000 * (t_extract + t_match) / n, 2),
        "cpu_seconds_extract": round(c_extract, 1),
        "cpu_seconds_corroborate": round(c_match, 1),
        "cpu_seconds_claims_stage": round(c_extract + c_match, 1),
    }


def corpus_eval(folder: Path) -> dict:
    """CPU time of the claims stage on a folder of seeds (e.g. written by
    ``bench/make_corpus.py``), cleaned and clustered as the pipeline does."""
    from annotated_archive import versions as versions_stage
    from annotated_archive.pipeline import seed_stats

    seeds, _ = load_seeds(folder)
    seeds = sorted(seeds, key=lambda s: (s.doc_id, s.name))
    stats = line_stats(seeds)
    docs = [clean(s, seed_stats(s, stats)) for s in seeds]
    versions = Versions(clusters=versions_stage.cluster_fingerprints([versions_stage.fingerprint(d) for d in docs]))
    c0 = time.process_time()
    claims = [c for d in docs for c in extract_claims(d)]
    c_extract = time.process_time() - c0
    c0 = time.process_time()
    matches = corroborate(claims, versions)
    c_match = time.process_time() - c0
    return {
        "documents": len(docs),
        "chars_per_document": round(sum(len(b.text) for d in docs for b in d.blocks) / max(1, len(docs))),
        "claims": len(claims),
        "matches": len(matches),
        "matches_by_relation": dict(Counter(m.relation for m in matches)),
        "cpu_seconds_extract": round(c_extract, 1),
        "cpu_ms_extract_per_document": round(1000 * c_extract / max(1, len(docs)), 2),
        "cpu_seconds_corroborate": round(c_match, 1),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data_dir", nargs="?", default=str(ROOT.parent / "shared" / "bench"))
    ap.add_argument("--docs", type=int, default=10_000, help="documents for the timing run (0 = skip)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--verbose", action="store_true", help="list every error")
    ap.add_argument("--corpus", help="also time the stage (CPU) on this folder of seeds (bench/make_corpus.py)")
    args = ap.parse_args(argv)
    labels = json.loads(LABELS.read_text(encoding="utf-8"))
    out = {"seeds": seed_eval(labels, args.verbose)}
    if args.corpus:
        out["corpus"] = corpus_eval(Path(args.corpus))
    data = Path(args.data_dir)
    if args.docs and (data / "extraction" / "ground-truth.json").is_file():
        out["scale"] = scale_eval(data, args.docs)
    elif args.docs:
        out["scale"] = f"skipped: {data / 'extraction' / 'ground-truth.json'} not found"
    if args.json:
        json.dump(out, sys.stdout, indent=2, ensure_ascii=False)
        print()
        return 0
    s = out["seeds"]
    c, a = s["claims"], s["attribution"]
    print(f"claim detection: precision {c['precision']:.3f}  recall {c['recall']:.3f}  (tp {c['tp']}, fp {c['fp']}, fn {c['fn']}; "
          f"{c['labelled_claims']} claims among {c['labelled_sentences']} labelled sentences)")
    print(f"attribution ({a['scored']} scored): speaker {a['speaker_accuracy']:.3f}  cue {a['cue_accuracy']:.3f}  "
          f"both {a['speaker_and_cue_accuracy']:.3f}; speaker given to unattributed claims: {a['speaker_on_unattributed_claims']}")
    for scope, r in s["matching"].items():
        p = "n/a" if r["precision"] is None else f"{r['precision']:.3f}"
        rc = "n/a" if r["recall"] is None else f"{r['recall']:.3f}"
        print(f"matching {scope}: precision {p}  recall {rc}  ({r['predicted_pairs']} predicted, {r['labelled_pairs']} labelled)")
    print("relations:", json.dumps(s["relations_seen"]))
    for k, v in s["errors"].items():
        print(f"\n-- {k} ({s['error_counts'][k]})")
        for x in v:
            print("   ", x)
    if "corpus" in out:
        print("\ncorpus:", json.dumps(out["corpus"], indent=1))
    if "scale" in out:
        print("\nscale:", json.dumps(out["scale"], indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

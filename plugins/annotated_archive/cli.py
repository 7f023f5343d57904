"""``python -m annotated_archive`` — command-line entry.

Subcommands: ``build``, ``clean``, ``versions``, ``claims``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Sequence

from .models import Seed, SkippedSeed


def _load(paths: Sequence[str]) -> tuple[list[Seed], list[SkippedSeed]]:
    from .files import load_paths

    seeds, skipped = [], []
    for r in load_paths(paths):
        (seeds if isinstance(r, Seed) else skipped).append(r)
    for s in skipped:
        print(f"skipped {s.name}: {s.reason}", file=sys.stderr)
    return seeds, skipped


def _clean_all(seeds: Sequence[Seed]):
    from .clean import clean, line_stats

    stats = line_stats(seeds)
    return [clean(s, stats) for s in seeds]


def clean_record(doc) -> dict:
    m = doc.meta
    return {
        "path": doc.name,
        "title": m.title,
        "date": m.date,
        "url": m.url,
        "publisher": m.publisher,
        "author": m.author,
        "body": doc.body_text,
        "headings": [b.text for b in doc.blocks if b.kind == "h"],
        "captions": list(doc.captions),
        "removed": [{"text": r.text, "rule": r.rule, "line": r.line_no} for r in doc.removed],
    }


def cmd_clean(args: argparse.Namespace) -> int:
    seeds, skipped = _load(args.paths)
    docs = _clean_all(seeds)
    if args.json:
        json.dump([clean_record(d) for d in docs], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        for d in docs:
            r = clean_record(d)
            print(f"== {r['path']}")
            for k in ("title", "date", "url", "publisher", "author"):
                print(f"{k}: {r[k] if r[k] is not None else '-'}")
            print()
            print(r["body"])
            if r["captions"]:
                print("\n-- captions")
                for c in r["captions"]:
                    print(c)
            print(f"\n-- removed ({len(r['removed'])})")
            for x in r["removed"]:
                print(f"[{x['rule']}] {x['text']}")
            print()
    return 1 if (skipped and not seeds) else 0


def cmd_versions(args: argparse.Namespace) -> int:
    from .versions import cluster_versions

    seeds, skipped = _load(args.paths)
    docs = _clean_all(seeds)
    v = cluster_versions(docs)
    name = {d.doc_id: d.name for d in docs}
    # identical texts share a doc_id: list every path
    paths_of: dict[str, list[str]] = {}
    for s in seeds:
        paths_of.setdefault(s.doc_id, []).append(s.name)
    clusters = []
    for c in v.clusters:
        members = [p for m in c.members for p in sorted(paths_of.get(m, [name[m]]))]
        clusters.append({"canonical": name[c.canonical], "members": members})
    if args.json:
        json.dump({"clusters": clusters}, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        for c in clusters:
            if len(c["members"]) > 1:
                print(f"{c['canonical']}  ({len(c['members'])} versions)")
                for m in c["members"]:
                    if m != c["canonical"]:
                        print(f"    {m}")
        print(f"{len(clusters)} clusters, {sum(len(c['members']) > 1 for c in clusters)} with more than one version")
    return 0


def cmd_claims(args: argparse.Namespace) -> int:
    from .pipeline import build_archive

    seeds, skipped = _load(args.paths)
    arc = build_archive(seeds, skipped)
    name = {d.doc_id: d.name for d in arc.docs}
    by_claim: dict[str, list] = {}
    for m in arc.matches:
        by_claim.setdefault(m.claim_id, []).append(m)
    out = []
    for d in arc.docs:
        claims = []
        for c in (c for c in arc.claims if c.doc_id == d.doc_id):
            claims.append(
                {
                    "id": c.id,
                    "text": c.text,
                    "speaker": c.speaker,
                    "role": c.role,
                    "cue": c.cue,
                    "matches": [
                        {"path": name[m.other_doc], "claim_id": m.other_claim, "score": round(m.score, 3), "independent": m.independent}
                        for m in by_claim.get(c.id, [])
                    ],
                }
            )
        out.append({"path": d.name, "claims": claims})
    if args.json:
        json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        for f in out:
            print(f"== {f['path']}  ({len(f['claims'])} claims)")
            for c in f["claims"]:
                who = f"{c['speaker']} ({c['cue']})" if c["speaker"] else "-"
                ind = sum(1 for m in c["matches"] if m["independent"])
                print(f"[{c['id']}] {who}: {c['text']}  [+{ind} independent]")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    from .build import run_build

    return run_build(
        settings_path=Path(args.settings),
        output=Path(args.output) if args.output else None,
        seeds=Path(args.seeds) if args.seeds else None,
        strict=args.strict,
        search=not args.no_search,
        overrides={"ANNOTATED_ARCHIVE_CACHE": str(Path(args.cache).resolve())} if args.cache else None,
    )


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m annotated_archive", description="Annotated archive generator")
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="build the site from seeds/ into output/")
    b.add_argument("--settings", default="pelican.conf.py", help="Pelican settings file (default: pelican.conf.py)")
    b.add_argument("--output", help="output folder (default: the settings' OUTPUT_PATH, output/)")
    b.add_argument("--seeds", help="seeds folder (default: the settings' SEEDS_PATH, seeds/)")
    b.add_argument("--strict", action="store_true", help="exit non-zero when a seed or note is skipped")
    b.add_argument("--no-search", action="store_true", help="skip the Pagefind index (faster, for tests)")
    b.add_argument("--cache", help="cache folder (default: the settings' ANNOTATED_ARCHIVE_CACHE, cache/)")
    b.set_defaults(func=cmd_build)

    for name, func, helptext in (
        ("clean", cmd_clean, "print each file's cleaned text, metadata and removed lines"),
        ("versions", cmd_versions, "group files that are versions of the same story"),
        ("claims", cmd_claims, "list each file's claims, speakers and matches"),
    ):
        c = sub.add_parser(name, help=helptext)
        c.add_argument("--json", action="store_true", help="machine-readable output")
        c.add_argument("paths", nargs="+", help="files or folders (.txt, .html, .html.gz)")
        c.set_defaults(func=func)

    args = p.parse_args(argv)
    return args.func(args)

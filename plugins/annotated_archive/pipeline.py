"""The pipeline: read -> clean -> versions -> claims, as named pure stages
over frozen data.  No Pelican, no files, no clock.

Per-seed work (:func:`process_seed`: clean, extract claims, fingerprint for
versions) depends only on the seed and on :func:`seed_stats` — the part of the
archive-wide line statistics that cleaning this seed can see — so its result
can be cached by the edge and computed in parallel.  Cross-archive work
(:func:`assemble`: version clusters, alignments, corroboration, notes) runs
over those cached per-seed results, never over raw text again, and carries
a :class:`CrossState` from one build to the next (:func:`assemble_incremental`):
the exact shingle-set join of the versions stage and the per-claim / per-pair
work of corroboration, so that a rebuild only does the new seeds' share of
that work.  The result never depends on the state passed in (only the time
taken does): it equals the cold computation.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import AbstractSet, Callable, Mapping, Sequence

from . import claims as claims_stage
from . import claims_match
from . import clean as clean_stage
from . import versions as versions_stage
from .models import record, IdenticalCopy, Alignment, Archive, Claim, CleanDoc, Note, Seed, SkippedSeed, Versions

# clean() only asks whether a line occurs in at least this many seeds (and
# whether the archive has at least this many seeds); counts above it are
# saturated so that adding seeds does not invalidate every cached result.
# tests/test_pipeline.py checks that cleaning with the saturated view equals
# cleaning with the full statistics.
STATS_SATURATION = 2


@record
class SeedResult:
    """Everything the per-seed stages produce for one seed."""

    doc: CleanDoc
    claims: tuple[Claim, ...]
    fingerprint: versions_stage.Fingerprint
    features: tuple[claims_match.ClaimFeatures, ...] = ()  # per claim, for corroboration


def dedupe(seeds: Sequence[Seed]) -> tuple[list[Seed], list[IdenticalCopy]]:
    """Seeds with the same identity (the same text) are published once: the
    first by name is kept, the others become :class:`IdenticalCopy` records.
    Independent of input order."""
    first: dict[str, Seed] = {}
    unique: list[Seed] = []
    copies: list[IdenticalCopy] = []
    for s in sorted(seeds, key=lambda s: s.name):
        kept = first.get(s.doc_id)
        if kept is None:
            first[s.doc_id] = s
            unique.append(s)
        else:
            same = s.sha256 == kept.sha256
            copies.append(IdenticalCopy(s.name, s.sha256, kept.name, s.doc_id, same,
                                        "" if same else s.text, "" if same else s.encoding_note))
    return unique, copies


def seed_lines(seed: Seed) -> frozenset[str]:
    """The seed's distinct normalised lines, what the statistics count (the
    edge caches them with the decoded seed: normalising is most of the stage)."""
    text = clean_stage._source_text(seed)
    return frozenset({clean_stage.norm_line(x) for x in text.split("\n") if x.strip()})


def _view(lines: AbstractSet[str], count: Callable[[str], int], n_docs: int) -> clean_stage.LineStats:
    """The statistics restricted to ``lines`` (a seed's normalised lines),
    counts saturated: what clean() can see of them."""
    counts = []
    for line in lines:
        c = count(line)
        if c > 1:
            counts.append((line, min(c, STATS_SATURATION)))
    return clean_stage.LineStats(tuple(sorted(counts)), min(n_docs, STATS_SATURATION))


def stats_views(
    seeds: Sequence[Seed], lines: Sequence[AbstractSet[str]] | None = None
) -> list[clean_stage.LineStats]:
    """``seed_stats(s, line_stats(seeds))`` for every seed, each seed's lines
    normalised once (instead of three times): the statistics stage of a build.
    ``lines``: ``seed_lines(s)`` of every seed, when the caller has them."""
    sets = [seed_lines(s) for s in seeds] if lines is None else list(lines)
    # at_least[k]: the lines in at least k + 1 seeds, counted up to where the
    # view saturates (set operations at C speed: 2x faster than a Counter of
    # every line, of which ~90 % are in one seed only)
    top = max(STATS_SATURATION, 2)
    at_least: list[set[str]] = [set() for _ in range(top)]
    for ls in sets:
        for k in range(top - 1, 0, -1):
            at_least[k] |= at_least[k - 1].intersection(ls)
        at_least[0] |= ls
    # the lines in more than one seed, with their saturated count; a seed's
    # view is its share of them (a set intersection, not a lookup per line)
    shared: dict[str, int] = {}
    for k in range(1, top):
        shared.update(dict.fromkeys(at_least[k], min(k + 1, STATS_SATURATION)))
    n_docs = min(len(sets), STATS_SATURATION)
    keys = shared.keys()
    return [
        clean_stage.LineStats(tuple(sorted([(line, shared[line]) for line in keys & ls])), n_docs) for ls in sets
    ]


def seed_stats(seed: Seed, stats: clean_stage.LineStats) -> clean_stage.LineStats:
    """The archive-wide statistics restricted to this seed's own lines."""
    return _view(seed_lines(seed), stats.count, stats.n_docs)


def text_digest(seed: Seed) -> bytes:
    return hashlib.sha256(seed.text.encode("utf-8", "surrogatepass")).digest()


def seed_key(seed: Seed, view: clean_stage.LineStats, code_version: str, digest: bytes | None = None) -> str:
    """Cache key of a seed's per-seed result: its exact text (by its
    :func:`text_digest`: ``digest`` when the caller has it -- the edge caches
    it with the decoded seed -- saving a pass over 80 MB of text at 10,000
    seeds), its name (shown on pages), what it sees of the statistics, and
    the code version."""
    h = hashlib.sha256()
    for part in (code_version, seed.kind, seed.name, repr(view.counts), str(view.n_docs)):
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    h.update(text_digest(seed) if digest is None else digest)
    return h.hexdigest()


def process_seed(seed: Seed, view: clean_stage.LineStats) -> SeedResult:
    """Stage chain for one seed: clean -> claims -> fingerprint, and the
    claims' matching features (so corroboration never re-tokenises them)."""
    doc = clean_stage.clean(seed, view)
    claims = claims_stage.extract_claims(doc)
    tokens = claims_match._content_tokens_memo({})
    return SeedResult(
        doc=doc,
        claims=claims,
        fingerprint=versions_stage.fingerprint(doc),
        features=tuple(claims_match.claim_features(c, tokens) for c in claims),
    )


@dataclass(frozen=True, slots=True)
class CrossState:
    """What the cross-archive stages carry from one build to the next (a
    plain value: the edge stores it and hands it back)."""

    overlaps: versions_stage.Overlaps | None = None
    matching: claims_match.MatchState | None = None


def cross_versions(
    results: Sequence[SeedResult],
    known: Mapping[tuple[str, str], Alignment] | None = None,
    overlaps: versions_stage.Overlaps | None = None,
) -> Versions:
    """Clusters from the fingerprints; alignments reused from ``known`` when
    the same (canonical, version) pair was aligned before; ``overlaps`` (see
    :func:`versions.update_overlaps`) saves joining the shingle sets again."""
    return _cross_versions(results, known, overlaps)[0]


def _align_job(job: tuple) -> tuple[Alignment, ...]:
    return versions_stage.align_cluster(*job)


def _cross_versions(
    results: Sequence[SeedResult],
    known: Mapping[tuple[str, str], Alignment] | None,
    previous: versions_stage.Overlaps | None,
    mapper: Callable = map,
) -> tuple[Versions, versions_stage.Overlaps]:
    known = known or {}
    fps = [r.fingerprint for r in results]
    docs = {r.doc.doc_id: r.doc for r in results}
    by_fp = {r.fingerprint.doc_id: r.fingerprint for r in results}
    overlaps = versions_stage.update_overlaps(fps, previous)
    clusters = versions_stage.cluster_fingerprints(fps, overlaps=overlaps)
    # per cluster with versions: its reused alignments, or a job aligning it
    # (independent of each other: ``mapper`` may run them anywhere)
    parts: list[tuple[Alignment, ...] | None] = []
    jobs: list[tuple] = []
    for c in clusters:
        if len(c.members) < 2:
            continue
        reused = [known.get((c.canonical, m)) for m in c.members[1:]]
        if all(a is not None for a in reused):
            parts.append(tuple(reused))  # type: ignore[arg-type]
        else:
            parts.append(None)
            jobs.append((c, {m: docs[m].body_text for m in c.members}, {m: by_fp[m] for m in c.members}))
    aligned = iter(mapper(_align_job, jobs))
    alignments = [a for part in parts for a in (next(aligned) if part is None else part)]
    return Versions(clusters=clusters, alignments=tuple(alignments)), overlaps


def _features(claims: Sequence[Claim]) -> tuple[claims_match.ClaimFeatures, ...]:
    return tuple(claims_match.claim_features(c) for c in claims)


def assemble(
    seeds: Sequence[Seed],
    results: Sequence[SeedResult],
    skipped: Sequence[SkippedSeed] = (),
    notes: Sequence[Note] = (),
    known_alignments: Mapping[tuple[str, str], Alignment] | None = None,
    timer: Callable[[str], object] | None = None,
) -> Archive:
    """Cross-archive stages over per-seed results.  ``timer(stage)`` (from
    the edge) is called after each stage; the stages themselves keep no time."""
    return assemble_incremental(seeds, results, skipped, notes, known_alignments, timer)[0]


def assemble_incremental(
    seeds: Sequence[Seed],
    results: Sequence[SeedResult],
    skipped: Sequence[SkippedSeed] = (),
    notes: Sequence[Note] = (),
    known_alignments: Mapping[tuple[str, str], Alignment] | None = None,
    timer: Callable[[str], object] | None = None,
    previous: CrossState | None = None,
    workers: int = -1,
    mapper: Callable = map,
) -> tuple[Archive, CrossState]:
    """:func:`assemble`, reusing the state of an earlier build (any earlier
    build, of any seeds) and returning the state to carry to the next one.
    The archive is the same with or without ``previous``, whatever the
    number of ``workers`` (threads; -1: one per core), and whatever
    ``mapper`` (a ``map``: the edge may pass one that runs the version
    alignments, independent jobs, on every core)."""
    previous = previous or CrossState()
    order = sorted(range(len(seeds)), key=lambda i: (seeds[i].doc_id, seeds[i].name))
    seeds = [seeds[i] for i in order]
    results = [results[i] for i in order]
    tick = timer or (lambda _stage: None)
    versions, overlaps = _cross_versions(results, known_alignments, previous.overlaps, mapper)
    tick("versions")
    claims = tuple(c for r in results for c in r.claims)
    features = [f for r in results for f in (r.features if len(r.features) == len(r.claims) else _features(r.claims))]
    matches, matching = claims_match.corroborate_incremental(
        claims, versions, previous.matching, features, workers
    )
    tick("corroborate")
    anchored = claims_match.anchor_notes(notes, claims, features)
    tick("notes")
    archive = Archive(
        docs=tuple(r.doc for r in results),
        seeds=tuple(seeds),
        skipped=tuple(sorted(skipped, key=lambda s: (s.name, s.reason))),
        versions=versions,
        claims=claims,
        matches=matches,
        notes=anchored,
    )
    return archive, CrossState(overlaps=overlaps, matching=matching)


def build_archive(seeds: Sequence[Seed], skipped: Sequence[SkippedSeed] = (), notes: Sequence[Note] = ()) -> Archive:
    """Run every stage over the seeds, without any cache.  The result does not
    depend on the order of ``seeds``."""
    seeds = sorted(seeds, key=lambda s: (s.doc_id, s.name))
    results = [process_seed(s, v) for s, v in zip(seeds, stats_views(seeds))]
    return assemble(seeds, results, skipped, notes)

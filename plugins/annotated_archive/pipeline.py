"""The pipeline: read -> clean -> versions -> claims, as a named list of pure
stages over frozen data.  No Pelican, no files, no clock."""

from __future__ import annotations

from typing import Sequence

from . import claims as claims_stage
from . import clean as clean_stage
from . import versions as versions_stage
from .models import Archive, Note, Seed, SkippedSeed


def build_archive(seeds: Sequence[Seed], skipped: Sequence[SkippedSeed] = (), notes: Sequence[Note] = ()) -> Archive:
    """Run every stage over the seeds.  The result does not depend on the
    order of ``seeds``."""
    seeds = sorted(seeds, key=lambda s: (s.doc_id, s.name))
    stats = clean_stage.line_stats(seeds)
    docs = tuple(clean_stage.clean(s, stats) for s in seeds)
    versions = versions_stage.cluster_versions(docs)
    claims = tuple(c for d in docs for c in claims_stage.extract_claims(d))
    matches = claims_stage.corroborate(claims, versions)
    anchored = claims_stage.anchor_notes(notes, claims)
    return Archive(
        docs=docs,
        seeds=tuple(seeds),
        skipped=tuple(sorted(skipped, key=lambda s: s.name)),
        versions=versions,
        claims=claims,
        matches=matches,
        notes=anchored,
    )

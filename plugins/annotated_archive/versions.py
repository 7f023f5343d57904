"""Versions stage (placeholder until the versions issue lands): every
document is its own cluster."""

from __future__ import annotations

from typing import Sequence

from .models import CleanDoc, Cluster, Versions


def cluster_versions(docs: Sequence[CleanDoc]) -> Versions:
    return Versions(clusters=tuple(Cluster(d.doc_id, (d.doc_id,)) for d in sorted(docs, key=lambda d: d.doc_id)))

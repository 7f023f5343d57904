"""Cross-archive matching of claims and anchoring of curator notes."""

from __future__ import annotations

from typing import Sequence

from .models import AnchoredNote, Claim, ClaimMatch, Note, Versions


def corroborate(claims: Sequence[Claim], versions: Versions) -> tuple[ClaimMatch, ...]:
    return ()


def anchor_notes(notes: Sequence[Note], claims: Sequence[Claim]) -> tuple[AnchoredNote, ...]:
    return tuple(AnchoredNote(n, None, "orphan") for n in notes)

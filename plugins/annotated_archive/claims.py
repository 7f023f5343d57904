"""Claims stage (placeholder until the claims issue lands)."""

from __future__ import annotations

from typing import Sequence

from .models import AnchoredNote, Claim, ClaimMatch, CleanDoc, Note, Versions


def extract_claims(doc: CleanDoc) -> tuple[Claim, ...]:
    return ()


def corroborate(claims: Sequence[Claim], versions: Versions) -> tuple[ClaimMatch, ...]:
    return ()


def anchor_notes(notes: Sequence[Note], claims: Sequence[Claim]) -> tuple[AnchoredNote, ...]:
    return tuple(AnchoredNote(n, None, "orphan") for n in notes)

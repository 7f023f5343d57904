"""Frozen, typed data objects passed between the pipeline stages.

read -> clean -> versions -> claims -> render.  Every stage takes and returns
these objects; none of them is mutated after creation.  Nothing here imports
Pelican or Jinja.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from operator import attrgetter
from typing import Literal, TypeVar

T = TypeVar("T")


def record(cls: type[T]) -> type[T]:
    """``@dataclass(frozen=True, slots=True)`` that pickles faster: the
    dataclass's own ``__setstate__`` looks its fields up again for every
    object, which was most of the time of loading a 10,000-seed cache.  The
    state is the tuple of field values, in field order.  ``__setstate__`` is
    generated with one statement per field calling the slot's own setter (a
    loop over the names costs a quarter more, at ~850k objects per 10,000-seed
    load); a state of the wrong length raises, so the cache treats it as a miss."""
    cls = dataclass(frozen=True, slots=True)(cls)
    names = tuple(f.name for f in fields(cls))
    get = attrgetter(*names)
    if len(names) == 1:
        def __getstate__(self):
            return (get(self),)
    else:
        def __getstate__(self):
            return get(self)
    # each slot's member descriptor sets it without the frozen __setattr__
    scope = {f"_set{i}": vars(cls)[n].__set__ for i, n in enumerate(names)}
    values = "".join(f"v{i}, " for i in range(len(names)))
    body = "".join(f"\n    _set{i}(self, v{i})" for i in range(len(names)))
    exec(f"def __setstate__(self, state):\n    {values}= state{body}", scope)
    cls.__getstate__ = __getstate__
    cls.__setstate__ = scope["__setstate__"]
    return cls


# --------------------------------------------------------------------- read


@record
class Seed:
    """One scraped file, decoded.  ``text`` is the decoded text exactly as
    published on the raw page (line endings normalised to ``\\n``)."""

    name: str  # path relative to the seeds folder, POSIX separators
    text: str
    doc_id: str  # stable identity: hash of the normalised text (not of the name)
    sha256: str  # of the file's bytes
    encoding: str  # codec used to decode
    encoding_note: str  # how it was detected, and how sure we are
    size: int  # bytes
    kind: str = "txt"  # txt | html


@record
class SkippedSeed:
    """A seed that could not be read: reported in the build log, never fatal."""

    name: str
    reason: str


@record
class IdenticalCopy:
    """A seed whose text is another seed's (same ``doc_id``): published once,
    under ``same_as``, and named on that seed's raw page (with its own text
    when its bytes differ, so no scrape is ever left unpublished)."""

    name: str
    sha256: str
    same_as: str
    doc_id: str
    same_bytes: bool  # False: the same words, saved differently (line breaks, spacing, encoding)
    text: str = ""  # its decoded text when the bytes differ ("" when they are the same)
    encoding_note: str = ""  # when the bytes differ: how its encoding was read


# -------------------------------------------------------------------- clean


@record
class Meta:
    title: str | None = None
    date: str | None = None  # ISO 8601, as precise as the source: 2021, 2021-12, 2021-12-24, 2021-12-24T17:53
    date_text: str | None = None  # the text the date was read from
    url: str | None = None
    publisher: str | None = None
    author: str | None = None


@record
class Removed:
    """A raw line (or part of one) that is not in the cleaned body."""

    line_no: int  # 1-based line number in Seed.text
    text: str
    rule: str  # name of the rule that removed it


@record
class Block:
    """A body paragraph (``p``) or a sub-heading (``h``).

    ``lacunae`` are character offsets in ``text`` where the scrape lost text
    (e.g. sentences glued where a link was dropped): the renderer marks them."""

    kind: Literal["p", "h"]
    text: str
    line_nos: tuple[int, ...] = ()
    lacunae: tuple[int, ...] = ()


@record
class Repair:
    """A change made to a body line without inventing text (kept for audit)."""

    line_no: int
    rule: str
    before: str
    after: str


@record
class CleanDoc:
    doc_id: str
    name: str
    meta: Meta
    blocks: tuple[Block, ...]
    captions: tuple[str, ...] = ()
    removed: tuple[Removed, ...] = ()
    repairs: tuple[Repair, ...] = ()
    # raw line numbers that became title / metadata / captions (so that every
    # non-empty raw line is accounted for)
    meta_lines: tuple[int, ...] = ()
    caption_lines: tuple[int, ...] = ()

    @property
    def title(self) -> str:
        return self.meta.title or self.name

    @property
    def body_text(self) -> str:
        """Plain-text body, paragraphs separated by blank lines."""
        return "\n\n".join(b.text for b in self.blocks)


# ----------------------------------------------------------------- versions


@record
class Cluster:
    canonical: str  # doc_id
    members: tuple[str, ...]  # doc_ids, canonical first, then sorted


@record
class DiffOp:
    op: Literal["equal", "delete", "insert"]  # delete = only in canonical
    text: str


@record
class Alignment:
    """How a non-canonical version differs from its canonical."""

    doc_id: str
    canonical: str
    score: float  # containment of this version in the canonical, 0..1
    lacks: tuple[str, ...]  # passages of the canonical missing here
    adds: tuple[str, ...]  # passages here that the canonical does not have
    diff: tuple[DiffOp, ...] = ()


@record
class Versions:
    clusters: tuple[Cluster, ...]
    alignments: tuple[Alignment, ...] = ()

    def cluster_of(self, doc_id: str) -> Cluster | None:
        for c in self.clusters:
            if doc_id in c.members:
                return c
        return None


# ------------------------------------------------------------------- claims


@record
class Claim:
    id: str  # stable: hash of normalised text + article identity
    doc_id: str
    block: int  # index into CleanDoc.blocks
    start: int  # character offsets of the sentence in the block text
    end: int
    text: str
    kind: str = "statement"  # quote | attributed | figure | event | denial | ...
    speaker: str | None = None
    role: str | None = None
    cue: str | None = None


@record
class ClaimMatch:
    claim_id: str
    other_doc: str
    other_claim: str
    score: float
    independent: bool
    relation: str = "independent"  # independent | version | reprint


@record
class Note:
    """A curator note from content/notes/."""

    name: str
    claim_id: str | None
    quote: str | None
    body: str  # Markdown source (rendered escaped by the renderer)


@record
class AnchoredNote:
    note: Note
    claim_id: str | None  # None = orphaned
    how: str  # id | quote | orphan
    score: float = 0.0


# ------------------------------------------------------------------ archive


@record
class Archive:
    docs: tuple[CleanDoc, ...]
    seeds: tuple[Seed, ...]
    skipped: tuple[SkippedSeed, ...] = ()
    versions: Versions = field(default_factory=lambda: Versions(clusters=()))
    claims: tuple[Claim, ...] = ()
    matches: tuple[ClaimMatch, ...] = ()
    notes: tuple[AnchoredNote, ...] = ()
    copies: tuple[IdenticalCopy, ...] = ()

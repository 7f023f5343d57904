"""Curator notes: Markdown files with a small header naming a claim.

    ---
    claim: 3f2a9c1b0d4e
    quote: "containers with unidentified chemical components"
    ---
    The note itself, in Markdown.

A note's Markdown is rendered by ``render.markdown_html``: raw HTML is shown as
text, images are plain links, and ``javascript:``/``data:`` links are refused.
"""

from __future__ import annotations

import re

from .models import Note

_HEADER = re.compile(r"\A\s*---\s*\n(.*?)\n---\s*\n?", re.S)
_FIELD = re.compile(r"^\s*([A-Za-z_]+)\s*:\s*(.*?)\s*$")


def _unquote(v: str) -> str:
    if len(v) >= 2 and v[0] == v[-1] and v[0] in "\"'":
        return v[1:-1]
    return v


def parse_note(name: str, text: str) -> Note | str:
    """A :class:`Note`, or the reason the file is not a note."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    m = _HEADER.match(text)
    fields: dict[str, str] = {}
    body = text
    if m:
        for line in m.group(1).split("\n"):
            f = _FIELD.match(line)
            if f:
                fields[f.group(1).lower()] = _unquote(f.group(2))
        body = text[m.end():]
    claim = fields.get("claim") or None
    quote = fields.get("quote") or None
    if not claim and not quote:
        return "no 'claim:' id and no 'quote:' in the note's header"
    return Note(name=name, claim_id=claim, quote=quote, body=body.strip())

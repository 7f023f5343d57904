"""Metadata rules: pure functions that recognise one line as a date, a
dateline, a byline, a source URL...  Each returns ``None`` when the line is
not of its kind; nothing is ever invented (no date -> ``None``).

The vocabularies are data (multilingual), the logic is structure.
"""

from __future__ import annotations

import calendar
import re

# ------------------------------------------------------------------ data

MONTHS: dict[str, int] = {}
_MONTH_NAMES = {
    # en, fr, de, es, it, pt, nl, ru (genitive and nominative), uk, pl
    1: "january jan janvier januar jänner enero gennaio janeiro januari января январь січня stycznia",
    2: "february feb février fevrier februar febrero febbraio fevereiro februari февраля февраль лютого lutego",
    3: "march mar mars märz marz marzo março maart марта март березня marca",
    4: "april apr avril abril aprile апреля апрель квітня kwietnia",
    5: "may mai mayo maggio maio mei мая май травня maja",
    6: "june jun juin juni junio giugno junho июня июнь червня czerwca",
    7: "july jul juillet juli julio luglio julho июля июль липня lipca",
    8: "august aug août aout agosto augustus августа август серпня sierpnia",
    9: "september sep sept septembre septiembre settembre setembro сентября сентябрь вересня września",
    10: "october oct octobre oktober octubre ottobre outubro октября октябрь жовтня października",
    11: "november nov novembre noviembre novembro ноября ноябрь листопада listopada",
    12: "december dec décembre decembre dezember diciembre dicembre dezembro декабря декабрь грудня grudnia",
}
for _n, _names in _MONTH_NAMES.items():
    for _w in _names.split():
        MONTHS[_w] = _n

WEEKDAYS = frozenset(
    """
    monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat sun
    lundi mardi mercredi jeudi vendredi samedi dimanche
    montag dienstag mittwoch donnerstag freitag samstag sonntag
    lunes martes miércoles miercoles jueves viernes sábado sabado domingo
    lunedì lunedi martedì martedi mercoledì mercoledi giovedì giovedi venerdì venerdi sabato domenica
    segunda-feira terça-feira terca-feira quarta-feira quinta-feira sexta-feira segunda terça quarta quinta sexta
    понедельник вторник среда четверг пятница суббота воскресенье
    """.split()
)

BYLINE_CUES = ("by", "par", "von", "por", "di", "door", "av", "af", "przez", "автор", "авторы", "text:", "written by")

HEADER_KEYS = {
    "date": "date",
    "url": "url",
    "source": "url",
    "title": "title",
    "author": "author",
    "publisher": "publisher",
}

MAX_DATELINE_CHARS = 60
MAX_BYLINE_WORDS = 8

# --------------------------------------------------------------- patterns

_ISO = r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:[T ](\d{1,2}):(\d{2}))?"
_HEADER_RE = re.compile(r"^\s*(" + "|".join(HEADER_KEYS) + r")\s*:?\s+(\S.*)$", re.I)
_ISO_AT_START = re.compile(r"^" + _ISO + r"(?![\d-])")
_MONTH_WORD = r"([^\W\d_]{3,12})\.?"
_TIME = r"(?:\s*(?:[-–—,|@]|at|à|um)?\s*(\d{1,2})[:.h](\d{2})(?:\s*([ap])\.?m\.?)?)?"
_DATELINE_RES = (
    # December 24, 2021 - 17:53
    re.compile(r"^" + _MONTH_WORD + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})" + _TIME + r"\s*$", re.I),
    # 24 December 2021, 24. Dezember 2021, 24 декабря 2021 г.
    re.compile(r"^(\d{1,2})(?:\.|st|nd|rd|th)?\s+(?:de\s+)?" + _MONTH_WORD + r"\s+(?:de\s+)?(\d{4})(?:\s*г\.?)?" + _TIME + r"\s*$", re.I),
    # 2021-12-24 17:53 / 24.12.2021 / 24/12/2021
    re.compile(r"^" + _ISO + r"\s*$"),
    re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})" + _TIME + r"\s*$"),
)
_URL_RE = re.compile(r"^\s*(https?://[^\s<>\"']+)\s*$", re.I)
_NAME_WORD = r"[^\W\d_][\w'’.\-]*"


def _iso(year: int, month: int | None = None, day: int | None = None, hh: int | None = None, mm: int | None = None) -> str | None:
    if not 1000 <= year <= 2999:
        return None
    if month is None:
        return f"{year:04d}"
    if not 1 <= month <= 12:
        return None
    if day is None:
        return f"{year:04d}-{month:02d}"
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None  # 30 February is not a date
    out = f"{year:04d}-{month:02d}-{day:02d}"
    if hh is not None and mm is not None and 0 <= hh <= 23 and 0 <= mm <= 59:
        out += f"T{hh:02d}:{mm:02d}"
    return out


def _i(x: str | None) -> int | None:
    return int(x) if x else None


def parse_header_line(line: str) -> tuple[str, str, str] | None:
    """A scraper's header line such as `` date 2021-12-17 Contributors…``.

    Returns (key, value, rest-of-line) or None."""
    m = _HEADER_RE.match(line)
    if not m:
        return None
    key = HEADER_KEYS[m.group(1).lower()]
    value = m.group(2).strip()
    if key == "date":
        d = _ISO_AT_START.match(value)
        if not d:
            return None
        iso = _iso(int(d.group(1)), _i(d.group(2)), _i(d.group(3)), _i(d.group(4)), _i(d.group(5)))
        if iso is None:
            return None
        return key, iso, value[d.end():].strip()
    if key == "url":
        u = re.match(r"https?://\S+", value)
        if not u:
            return None
        return key, u.group(0), value[u.end():].strip()
    return key, value, ""


def _hour(hh: str | None, ampm: str | None) -> int | None:
    if hh is None:
        return None
    h = int(hh)
    if ampm:
        h = h % 12 + (12 if ampm.lower() == "p" else 0)
    return h


_WEEKDAY_PREFIX = re.compile(r"^([^\W\d_][\w-]*)\.?,?\s+(?=\d|[^\W\d_])")
_ORDINAL = re.compile(r"\b(\d{1,2})(?:er|ère|º|ª|°)(?=\s)", re.I)


def parse_dateline(line: str) -> str | None:
    """A line that is only a date (and maybe a time): returns ISO 8601 or None.

    A leading weekday (``Friday, December 24, 2021``, ``vendredi 24 décembre
    2021``) and French/Spanish ordinals (``1er``, ``1º``) are allowed."""
    s = line.strip()
    if not s or len(s) > MAX_DATELINE_CHARS:
        return None
    m = _WEEKDAY_PREFIX.match(s)
    if m and m.group(1).lower() in WEEKDAYS:
        s = s[m.end():]
    s = _ORDINAL.sub(r"\1", s)
    m = _DATELINE_RES[0].match(s)
    if m:
        month = MONTHS.get(m.group(1).lower())
        if month:
            return _iso(int(m.group(3)), month, int(m.group(2)), _hour(m.group(4), m.group(6)), _i(m.group(5)))
    m = _DATELINE_RES[1].match(s)
    if m:
        month = MONTHS.get(m.group(2).lower())
        if month:
            return _iso(int(m.group(3)), month, int(m.group(1)), _hour(m.group(4), m.group(6)), _i(m.group(5)))
    m = _DATELINE_RES[2].match(s)
    if m and m.group(3):
        return _iso(int(m.group(1)), _i(m.group(2)), _i(m.group(3)), _i(m.group(4)), _i(m.group(5)))
    m = _DATELINE_RES[3].match(s)
    if m:
        a, b = int(m.group(1)), int(m.group(2))
        if b > 12 >= a:  # 12/24/2021: month first (US)
            a, b = b, a
        return _iso(int(m.group(3)), b, a, _hour(m.group(4), m.group(6)), _i(m.group(5)))
    return None


def parse_byline(line: str) -> str | None:
    """``By Patrick Reevell`` -> ``Patrick Reevell``; None when not a byline."""
    s = line.strip()
    low = s.lower()
    for cue in sorted(BYLINE_CUES, key=len, reverse=True):
        if low.startswith((cue + " ", cue + ":")) or (cue.endswith(":") and low.startswith(cue)):
            rest = s[len(cue):].strip(" :")
            words = rest.replace(",", " ").split()
            if not words or len(words) > MAX_BYLINE_WORDS:
                return None
            if rest.endswith((".", "?", "!")) and not re.search(r"\b\w\.$", rest):
                return None
            names = [w for w in words if w.lower() not in ("and", "und", "et", "y", "e", "i", "и", "&")]
            if all(re.fullmatch(_NAME_WORD, w) and w[0].isupper() for w in names):
                return rest
            return None
    return None


def parse_url_line(line: str) -> str | None:
    m = _URL_RE.match(line)
    return m.group(1) if m else None


def dates_from_text(line: str) -> str | None:
    """Convenience: a header date or a dateline."""
    h = parse_header_line(line)
    if h and h[0] == "date":
        return h[1]
    return parse_dateline(line)

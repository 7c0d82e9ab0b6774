"""Scalar values exactly as js-yaml 4's default schema builds them (spec §3.1, §3.5).

Only *plain* scalars are resolved by their text; quoted and block scalars are strings. Explicit
tags (``!!int 12``) construct their type or fail. Timestamps become ``YYYY-MM-DD`` in UTC, computed
with JavaScript ``Date.UTC`` arithmetic so out-of-range fields roll over the way the reference
generator's did.
"""
from __future__ import annotations

import math
import re
from typing import Any, NamedTuple

TAG = "tag:yaml.org,2002:"
STR, INT, FLOAT, BOOL, NULL = (TAG + n for n in ("str", "int", "float", "bool", "null"))
TIMESTAMP, BINARY, MERGE = (TAG + n for n in ("timestamp", "binary", "merge"))
SEQ, OMAP, PAIRS, MAP, SET = (TAG + n for n in ("seq", "omap", "pairs", "map", "set"))
SCALAR_TAGS = frozenset({STR, INT, FLOAT, BOOL, NULL, TIMESTAMP, BINARY, MERGE})
SEQUENCE_TAGS = frozenset({SEQ, OMAP, PAIRS})
MAPPING_TAGS = frozenset({MAP, SET})
KNOWN_TAGS = SCALAR_TAGS | SEQUENCE_TAGS | MAPPING_TAGS

_WORDS: dict[str, Any] = {
    "~": None, "null": None, "Null": None, "NULL": None,
    "true": True, "True": True, "TRUE": True,
    "false": False, "False": False, "FALSE": False,
}
_NULL_TEXTS = frozenset({"~", "null", "Null", "NULL", ""})
_NUMERIC_START = frozenset("0123456789+-.")
# Patterns from the spec's table (§3.1); used with fullmatch, so no anchors are needed.
_INT = re.compile(r"[-+]?(?:0b[01]+|0x[0-9a-fA-F]+|0o[0-7]+|[0-9]+)")
_FLOAT = re.compile(
    r"[-+]?(?:[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|\.(?:inf|Inf|INF))"
    r"|\.[0-9]+(?:[eE][-+]?[0-9]+)?|\.(?:nan|NaN|NAN)"
)
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_DATETIME = re.compile(
    r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[Tt]|[ \t]+)([0-9]{1,2}):([0-9]{2}):([0-9]{2})"
    r"(?:\.([0-9]*))?(?:[ \t]*(?:Z|([-+])([0-9]{1,2})(?::([0-9]{2}))?))?"
)
_BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_BASE64_INDEX = {c: i for i, c in enumerate(_BASE64)}
_MAX_SAFE = 2**53
_DAY_MS = 86_400_000


class Stamp(NamedTuple):
    """A YAML timestamp: the value the API writes, and JS ``Date.toString()`` for use as a key."""

    iso: str
    text: str


class ScalarError(ValueError):
    """An explicitly tagged scalar whose text does not fit the tag."""


def resolve_plain(text: str) -> Any:
    """The value of an untagged plain scalar (YAML 1.2 core schema + timestamps)."""
    if not text:
        return None
    if text[0] in _NUMERIC_START:
        if _INT.fullmatch(text):
            return _to_int(text)
        if _FLOAT.fullmatch(text):
            return _to_float(text)
        return _timestamp(text) or text
    return _WORDS.get(text, text) if len(text) <= 5 else text


def construct_tagged(tag: str, text: str, empty: bool) -> Any:
    """The value of a scalar with an explicit standard tag; ``empty`` means no content at all.

    Raises :class:`ScalarError` when the text does not fit the tag (js-yaml refuses it too).
    """
    if tag == STR:
        return text
    if tag == NULL:
        if text in _NULL_TEXTS:
            return None
    elif tag == MERGE:
        if text == "<<" or empty:
            return None if empty else text
    elif empty:
        pass  # no other scalar type accepts a missing value
    elif tag == BOOL:
        if text in _WORDS and _WORDS[text] is not None:
            return _WORDS[text]
    elif tag == INT:
        if _INT.fullmatch(text):
            return _to_int(text)
    elif tag == FLOAT:
        if _FLOAT.fullmatch(text):
            return _to_float(text)
    elif tag == TIMESTAMP:
        stamp = _timestamp(text)
        if stamp is not None:
            return stamp
    elif tag == BINARY:
        data = _binary(text)
        if data is not None:
            return data
    raise ScalarError(f"{_quote(text)} is not a valid !!{tag[len(TAG):]} value")


def _quote(text: str) -> str:
    short = text if len(text) <= 40 else text[:37] + "..."
    return '"' + short.replace("\n", "\\n") + '"' if text else "an empty value"


# ---------------------------------------------------------------------------------------------
# Numbers


def _to_int(text: str) -> int | float:
    sign = -1 if text[0] == "-" else 1
    body = text.lstrip("+-")
    prefix = body[:2]
    if prefix in ("0b", "0x", "0o"):
        value = int(body[2:], {"0b": 2, "0x": 16, "0o": 8}[prefix])
    elif len(body) <= 15:
        value = int(body)
    else:
        # JS parseInt yields a double; float() rounds the same way (and avoids int()'s digit cap).
        f = float(body)
        return sign * f if math.isinf(f) else sign * int(f)
    if value > _MAX_SAFE:
        f = float(value) if value.bit_length() <= 1024 else math.inf
        return sign * f if math.isinf(f) else sign * int(f)
    return sign * value


def _to_float(text: str) -> float:
    lowered = text.lower()
    if lowered.endswith((".inf", ".nan")):
        return float(lowered.replace(".", ""))  # "-.inf" -> "-inf", ".nan" -> "nan"
    return float(text)


# ---------------------------------------------------------------------------------------------
# Timestamps


def _timestamp(text: str) -> Stamp | None:
    m = _DATE.fullmatch(text) or _DATETIME.fullmatch(text)
    if m is None:
        return None
    year, month, day = int(m[1]), int(m[2]) - 1, int(m[3])
    ms = 0
    if m.lastindex and m.lastindex >= 4:
        ms = ((int(m[4]) * 60 + int(m[5])) * 60 + int(m[6])) * 1000
        if m[7]:
            ms += int(m[7][:3].ljust(3, "0"))  # milliseconds; finer digits are truncated
        if m[8]:
            delta = (int(m[9]) * 60 + int(m[10] or 0)) * 60_000
            ms -= delta if m[8] == "+" else -delta
    if 0 <= year <= 99:
        year += 1900  # Date.UTC maps two-digit years to the 1900s
    year += month // 12  # Date.UTC rolls months over into years ...
    days = _days_from_civil(year, month % 12 + 1, 1) + day - 1  # ... and days into months
    total = days * _DAY_MS + ms
    return _stamp(total // _DAY_MS, total % _DAY_MS)


def _stamp(days: int, ms_of_day: int) -> Stamp:
    y, mo, d = _civil_from_days(days)
    # Date.prototype.toISOString's date part (extended years get a sign and six digits).
    year = f"{y:04d}" if 0 <= y <= 9999 else f"{'+' if y > 0 else '-'}{abs(y):06d}"
    iso = f"{year}-{mo:02d}-{d:02d}"
    # Date.prototype.toString() as Node prints it with TZ=UTC; only used for date-valued keys.
    secs = ms_of_day // 1000
    weekday = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][(days + 4) % 7]  # 1970-01-01 was a Thursday
    month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][mo - 1]
    year_text = f"{'-' if y < 0 else ''}{abs(y):04d}"
    clock = f"{secs // 3600:02d}:{secs // 60 % 60:02d}:{secs % 60:02d}"
    text = f"{weekday} {month} {d:02d} {year_text} {clock} GMT+0000 (Coordinated Universal Time)"
    return Stamp(iso, text)


def _days_from_civil(y: int, m: int, d: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm)."""
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m - 3 if m > 2 else m + 9) + 2) // 5 + d - 1
    return era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468


def _civil_from_days(z: int) -> tuple[int, int, int]:
    z += 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (m <= 2), m, d


# ---------------------------------------------------------------------------------------------
# !!binary


def _binary(text: str) -> bytes | None:
    """Decode like js-yaml: CR/LF skipped, '=' counted as a digit then dropped, no other chars."""
    bits = 0
    for c in text:
        if c in "\r\n":
            continue
        if c != "=" and c not in _BASE64_INDEX:
            return None
        bits += 6
    if bits % 8:
        return None
    digits = [_BASE64_INDEX[c] for c in text if c in _BASE64_INDEX]
    out = bytearray()
    for i in range(0, len(digits) - len(digits) % 4, 4):
        n = digits[i] << 18 | digits[i + 1] << 12 | digits[i + 2] << 6 | digits[i + 3]
        out += n.to_bytes(3, "big")
    tail = digits[len(digits) - len(digits) % 4 :]
    if len(tail) == 3:
        n = tail[0] << 12 | tail[1] << 6 | tail[2]
        out += (n >> 2).to_bytes(2, "big")
    elif len(tail) == 2:
        out.append((tail[0] << 6 | tail[1]) >> 4)
    return bytes(out)

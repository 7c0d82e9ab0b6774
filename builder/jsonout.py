"""JSON text exactly as JavaScript ``JSON.stringify(value, null, 2)`` writes it (spec §2).

The published API must be byte-identical to the reference generator, which ran on Node.js. Three
things differ from Python's ``json`` module and are handled here:

* numbers use the JavaScript Number-to-String algorithm (``1`` not ``1.0``, ``1e-7``, ``1e+21``,
  integers beyond 2**53 rounded like a double, NaN/Infinity written as ``null``);
* every object lists integer-like keys first in ascending numeric order (JS property order);
* lone surrogates are escaped (``\\udxxx``) instead of written raw.

Most documents contain only strings, small integers, booleans, null, lists and dicts with ordinary
keys; for those ``orjson`` produces the same bytes about 20x faster than ``json.dumps(indent=2)``,
so :func:`dumps` checks the value and takes that fast path when it can.
"""
from __future__ import annotations

import math
import re
from itertools import islice
from json.encoder import encode_basestring  # C-accelerated; escapes exactly like JSON.stringify
from typing import Any

try:  # orjson is a declared dependency; the pure path keeps us correct if it is ever missing.
    import orjson

    _ORJSON_OPTS = (
        orjson.OPT_INDENT_2
        | orjson.OPT_STRICT_INTEGER  # ints beyond ±(2**53-1) raise, so they take the pure path
        | orjson.OPT_PASSTHROUGH_DATACLASS  # ...and so do types JSON.stringify has no notion of
        | orjson.OPT_PASSTHROUGH_DATETIME
    )
except ImportError:  # pragma: no cover - exercised only without orjson installed
    orjson = None  # type: ignore[assignment]

__all__ = ["dumps", "dumps_bytes", "js_number", "js_string", "is_integer_like", "js_ordered"]

_MAX_SAFE = 2**53 - 1  # beyond this a JS number is no longer an exact integer
_MAX_ARRAY_INDEX = 4294967294  # largest integer-like property key (2**32 - 2)
_DIGITS = frozenset("0123456789")
_SURROGATES = re.compile("[\ud800-\udfff]")
_PAIR = re.compile("[\ud800-\udbff][\udc00-\udfff]")
_LONE = re.compile("([\ud800-\udfff])")


# ---------------------------------------------------------------------------------------------
# JavaScript conversions


def is_integer_like(key: str) -> bool:
    """True when ``key`` is the canonical decimal form of an integer 0 … 2**32-2 (spec §2.4)."""
    if not key or len(key) > 10 or not key.isascii() or not key.isdigit():
        return False
    if key[0] == "0":
        return key == "0"  # "01" is an ordinary key
    return int(key) <= _MAX_ARRAY_INDEX


def js_ordered(d: dict) -> dict:
    """``d`` in JavaScript property order: integer-like keys ascending, then insertion order.

    Returns ``d`` itself when it is already in that order (the overwhelmingly common case), so
    callers can apply it freely without copying.
    """
    ints = [k for k in d if type(k) is str and k[:1] in _DIGITS and is_integer_like(k)]
    if not ints:
        return d
    ints.sort(key=int)
    if list(islice(d, len(ints))) == ints:
        return d
    ordered = {k: d[k] for k in ints}
    for k, v in d.items():
        if k not in ordered:
            ordered[k] = v
    return ordered


def js_number(x: float | int) -> str:
    """JavaScript ``Number.prototype.toString()`` of ``x`` (ECMA-262 Number::toString, radix 10)."""
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise TypeError(f"not a number: {x!r}")
    if isinstance(x, int):
        if -_MAX_SAFE - 1 <= x <= _MAX_SAFE + 1:
            return str(int(x))  # exact as a double; int() drops any int subclass' own __str__
        try:
            x = float(x)  # JS has only doubles: round like one
        except OverflowError:
            return "Infinity" if x > 0 else "-Infinity"
    if x != x:
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "0"  # also for -0
    if x.is_integer() and abs(x) <= _MAX_SAFE:
        return str(int(x))  # exact digits are also the shortest ones below 2**53
    sign = "-" if x < 0 else ""
    # Python's repr is the shortest round-trip decimal, nearest the exact value, like JS.
    mantissa, _, exp = repr(abs(x)).partition("e")
    int_part, _, frac = mantissa.partition(".")
    digits = int_part + frac
    n = len(int_part) + int(exp or 0)  # value = 0.digits × 10**n
    stripped = digits.lstrip("0")
    n -= len(digits) - len(stripped)
    digits = stripped.rstrip("0")
    k = len(digits)
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        text = "0." + "0" * -n + digits
    else:
        e = n - 1
        exp_text = ("+" if e >= 0 else "-") + str(abs(e))
        text = digits + "e" + exp_text if k == 1 else digits[0] + "." + digits[1:] + "e" + exp_text
    return sign + text


def js_string(value: Any) -> str:
    """JavaScript ``String(value)`` for the values a YAML document can hold."""
    if isinstance(value, str):
        return str(value)
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return js_number(value)
    if isinstance(value, (bytes, bytearray)):
        return ",".join(map(str, value))  # a Uint8Array
    if isinstance(value, (list, tuple)):
        # Array.prototype.join: null/undefined become empty strings, nested arrays recurse.
        return ",".join("" if item is None else js_string(item) for item in value)
    if isinstance(value, dict):
        return "[object Object]"
    raise TypeError(f"no JavaScript string form for {type(value).__name__}")


# ---------------------------------------------------------------------------------------------
# Serialization


def dumps(value: Any) -> str:
    """``JSON.stringify(value, null, 2)``: no trailing newline, raw UTF-8 text (spec §2)."""
    if orjson is not None and _orjson_safe(value):
        try:
            return orjson.dumps(value, option=_ORJSON_OPTS).decode("utf-8")
        except TypeError:  # JSONEncodeError is a TypeError: surrogates, odd types, big ints
            pass
    return _dump(value)


def dumps_bytes(value: Any) -> bytes:
    """:func:`dumps` encoded as UTF-8, skipping a decode/encode round trip on the fast path."""
    if orjson is not None and _orjson_safe(value):
        try:
            return orjson.dumps(value, option=_ORJSON_OPTS)
        except TypeError:
            pass
    return _dump(value).encode("utf-8", "surrogatepass")


def _orjson_safe(value: Any) -> bool:
    """True when orjson's output for ``value`` is known to equal JSON.stringify's.

    Rejects floats (formatting differs), out-of-range ints, integer-like keys (need reordering)
    and anything unusual. Recursion depth is bounded by Python's limit, which also stops cycles.
    """
    try:
        return _plain(value)
    except RecursionError:
        return False


def _plain(v: Any) -> bool:
    t = type(v)
    if t is dict:
        for k in v:
            if type(k) is not str or (k[:1] in _DIGITS and is_integer_like(k)):
                return False
        items = v.values()
    elif t is list:
        items = v
    else:
        return t is str or t is bool or v is None or (t is int and -_MAX_SAFE <= v <= _MAX_SAFE)
    for x in items:
        tx = type(x)
        if tx is str or tx is bool or x is None:
            continue
        if tx is int:
            if not -_MAX_SAFE <= x <= _MAX_SAFE:
                return False
        elif tx is dict or tx is list:
            if not _plain(x):
                return False
        else:
            return False
    return True


def _dump(value: Any) -> str:
    out: list[str] = []
    _write(value, "\n", out, set())
    return "".join(out)


def _write(v: Any, nl: str, out: list[str], active: set[int]) -> None:
    """Append the JSON text of ``v``; ``nl`` is the newline plus the current indentation."""
    if isinstance(v, str):
        out.append(_js_quote(v))
    elif v is None:
        out.append("null")
    elif v is True or v is False:
        out.append("true" if v else "false")
    elif isinstance(v, (int, float)):
        out.append("null" if isinstance(v, float) and not math.isfinite(v) else js_number(v))
    elif isinstance(v, (bytes, bytearray)):
        # A Uint8Array stringifies as an object keyed by its indices.
        _write({str(i): b for i, b in enumerate(v)}, nl, out, active)
    elif isinstance(v, (list, tuple, dict)):
        if id(v) in active:
            raise ValueError("cannot serialize a circular structure")
        if not v:
            out.append("{}" if isinstance(v, dict) else "[]")
            return
        active.add(id(v))
        inner = nl + "  "
        if isinstance(v, dict):
            out.append("{")
            first = True
            for key, item in _js_items(v):
                out.append(inner if first else "," + inner)
                first = False
                out.append(_js_quote(key) + ": ")
                _write(item, inner, out, active)
            out.append(nl + "}")
        else:
            out.append("[")
            for i, item in enumerate(v):
                out.append(inner if i == 0 else "," + inner)
                _write(item, inner, out, active)
            out.append(nl + "]")
        active.discard(id(v))
    else:
        raise TypeError(f"Object of type {type(v).__name__} is not JSON serializable")


def _js_items(d: dict) -> Any:
    """Items of ``d`` as a JS object would hold them: string keys, JS property order."""
    if not all(type(k) is str for k in d):
        converted: dict[str, Any] = {}
        for k, item in d.items():
            converted[k if isinstance(k, str) else js_string(k)] = item  # later one wins, like JS
        d = converted
    return js_ordered(d).items()


def _js_quote(s: str) -> str:
    if s.isascii() or not _SURROGATES.search(s):
        return encode_basestring(s)
    # Python strings may hold surrogates; JS writes a valid pair as the character it encodes and
    # escapes a lone one (well-formed JSON.stringify).
    s = _PAIR.sub(_join_pair, s)
    pieces = _LONE.split(s)  # even indexes: ordinary text, odd: one lone surrogate
    escaped = (
        encode_basestring(p)[1:-1] if i % 2 == 0 else f"\\u{ord(p):04x}"
        for i, p in enumerate(pieces)
    )
    return '"' + "".join(escaped) + '"'


def _join_pair(m: re.Match[str]) -> str:
    hi, lo = map(ord, m.group(0))
    return chr(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))


def js_str(value: Any) -> str:
    """JavaScript ``String(x)`` for the scalars a recipe can hold."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, float):
        return js_number(value)
    return str(value)

"""builder.jsonout must write exactly what JavaScript JSON.stringify(value, null, 2) writes."""
from __future__ import annotations

import json
import math
import random
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from builder import jsonout
from builder.jsonout import dumps, dumps_bytes, is_integer_like, js_number, js_ordered, js_string

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
EXPECTED = SHARED / "reference" / "upstream-2026-06-27" / "expected"


# -- numbers and String() ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1.0, "1"),
        (-0.0, "0"),
        (0.1, "0.1"),
        (2.5, "2.5"),
        (1e-7, "1e-7"),
        (0.000001, "0.000001"),
        (1.5e-6, "0.0000015"),
        (1e21, "1e+21"),
        (1e20, "100000000000000000000"),
        (123456789012345680000.0, "123456789012345680000"),
        (1.5e300, "1.5e+300"),
        (-1.25e-9, "-1.25e-9"),
        (5e-324, "5e-324"),
        (2.0**53, "9007199254740992"),
        (1e16, "10000000000000000"),
        (math.nan, "NaN"),
        (math.inf, "Infinity"),
        (-math.inf, "-Infinity"),
        (7, "7"),
        (-12, "-12"),
        (2**53 + 1, "9007199254740992"),  # rounds like a double
        (123456789012345678901, "123456789012345680000"),
        (10**30, "1e+30"),
        (10**400, "Infinity"),
    ],
)
def test_js_number(value: float | int, text: str) -> None:
    assert js_number(value) == text


def test_js_number_rejects_booleans() -> None:
    with pytest.raises(TypeError):
        js_number(True)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("x", "x"),
        (True, "true"),
        (False, "false"),
        (None, "null"),
        (3, "3"),
        (1.0, "1"),
        ([1, None, "a", [2, 3]], "1,,a,2,3"),  # Array.prototype.join
        ({"a": 1}, "[object Object]"),
        (b"hi", "104,105"),  # a Uint8Array
    ],
)
def test_js_string(value: object, text: str) -> None:
    assert js_string(value) == text


# -- key order -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "expected"),
    [("0", True), ("1", True), ("10", True), ("4294967294", True), ("4294967295", False),
     ("01", False), ("-1", False), ("1.5", False), ("", False), ("²", False), ("1a", False),
     ("99999999999", False)],
)
def test_is_integer_like(key: str, expected: bool) -> None:
    assert is_integer_like(key) is expected


def test_js_ordered_puts_integer_like_keys_first() -> None:
    ordered = js_ordered({"xeon6": 1, "10": 2, "02": 3, "1": 4})
    assert list(ordered) == ["1", "10", "xeon6", "02"]
    assert ordered == {"xeon6": 1, "10": 2, "02": 3, "1": 4}


def test_js_ordered_returns_the_same_dict_when_already_ordered() -> None:
    for d in ({"b": 1, "a": 2}, {"1": 0, "2": 0, "b": 0}, {}):
        assert js_ordered(d) is d


# -- dumps ---------------------------------------------------------------------------------------


def test_layout_matches_json_stringify() -> None:
    value = {"a": [1, "x", {}, [], {"b": None}], "c": True, "d": {}}
    assert dumps(value) == (
        '{\n  "a": [\n    1,\n    "x",\n    {},\n    [],\n    {\n      "b": null\n    }\n  ],\n'
        '  "c": true,\n  "d": {}\n}'
    )
    assert dumps([]) == "[]" and dumps({}) == "{}" and dumps("s") == '"s"' and dumps(None) == "null"


def test_strings_escape_like_javascript() -> None:
    s = "é · 😀 / \x7f \u2028\u2029 \" \\ \b\t\n\f\r \x00\x1f"
    assert dumps([s]) == (
        '[\n  "é · 😀 / \x7f \u2028\u2029 \\" \\\\ \\b\\t\\n\\f\\r \\u0000\\u001f"\n]'
    )


def test_surrogates_are_escaped_when_lone_and_joined_when_paired() -> None:
    assert dumps("a\ud800b") == '"a\\ud800b"'
    assert dumps("\ud83d\ude00") == '"😀"'


def test_numbers_use_javascript_formatting() -> None:
    value = {"f": [1.0, 2.5, 1e-7, 1e21, -0.0, math.nan, math.inf, -math.inf, 2**60]}
    assert dumps(value) == (
        '{\n  "f": [\n    1,\n    2.5,\n    1e-7,\n    1e+21,\n    0,\n    null,\n    null,\n'
        "    null,\n    1152921504606847000\n  ]\n}"
    )


def test_integer_like_keys_come_first_at_every_level() -> None:
    value = {"b": {"2": 1, "1": 2, "x": 3}, "10": 0, "2": 0}
    assert dumps(value) == (
        '{\n  "2": 0,\n  "10": 0,\n  "b": {\n    "1": 2,\n    "2": 1,\n    "x": 3\n  }\n}'
    )


def test_bytes_serialize_as_an_object_of_indices() -> None:
    assert dumps(b"hi") == '{\n  "0": 104,\n  "1": 105\n}'


def test_non_string_keys_are_stringified() -> None:
    assert dumps({"z": 0, 2: "a", True: "b", None: "c", 1.5: "d"}) == (
        '{\n  "2": "a",\n  "z": 0,\n  "true": "b",\n  "null": "c",\n  "1.5": "d"\n}'
    )


def test_circular_structures_are_refused() -> None:
    loop: list = []
    loop.append(loop)
    with pytest.raises(ValueError, match="circular"):
        dumps(loop)


def test_dumps_bytes_is_dumps_encoded() -> None:
    for value in ({"é": [1, 2.5, "x"]}, {"a": "b"}, "a\ud800"):
        assert dumps_bytes(value) == dumps(value).encode("utf-8", "surrogatepass")


def test_fast_and_pure_paths_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    value = {"name": "é\x01\u2028", "n": [1, -2, 2**53 - 1, True, None], "m": {"k": {}, "l": []}}
    fast = dumps(value)
    assert jsonout._orjson_safe(value)  # this value does take the orjson path
    monkeypatch.setattr(jsonout, "orjson", None)
    assert dumps(value) == fast == json.dumps(value, indent=2, ensure_ascii=False)


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_against_node() -> None:
    """Random doubles and a mixed document, formatted by Node itself."""
    rng = random.Random(20260627)
    doubles = [struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))[0] for _ in range(3000)]
    doubles += [rng.uniform(-1, 1) * 10.0 ** rng.randint(-25, 25) for _ in range(3000)]
    doubles = [d for d in doubles if math.isfinite(d)]
    script = (
        "const a=JSON.parse(require('fs').readFileSync(0,'utf8'));"
        "process.stdout.write(JSON.stringify(a.map(h=>String(Buffer.from(h,'hex').readDoubleLE(0)))))"
    )
    hexes = json.dumps([struct.pack("<d", d).hex() for d in doubles])
    out = subprocess.run(["node", "-e", script], input=hexes, capture_output=True, text=True)
    assert [js_number(d) for d in doubles] == json.loads(out.stdout)

    doc = {"b": [0.5, 1e-7, {"3": "x", "1": "y"}], "a": "é"}
    script = (
        "const o={}; o.b=[0.5,1e-7,{'3':'x','1':'y'}]; o.a='é';"
        "process.stdout.write(JSON.stringify(o,null,2))"
    )
    out = subprocess.run(["node", "-e", script], capture_output=True)
    assert dumps(doc).encode() == out.stdout


@pytest.mark.reference
@pytest.mark.skipif(not EXPECTED.is_dir(), reason=f"reference outputs not found at {EXPECTED}")
def test_every_reference_output_round_trips() -> None:
    files = sorted(EXPECTED.rglob("*.json"))
    assert len(files) == 6490
    mismatched = []
    for file in files:
        raw = file.read_bytes()
        if dumps_bytes(json.loads(raw)) != raw or dumps(json.loads(raw)).encode() != raw:
            mismatched.append(file.relative_to(EXPECTED).as_posix())
    assert mismatched == []

"""builder.load.yamlload must read YAML the way js-yaml 4 did (spec §3) and say where problems are."""
from __future__ import annotations

import datetime
import math
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from builder.errors import RecipeError
from builder.load import yamlload
from builder.load.yamlload import Loaded, dotted, load_yaml, load_yaml_file

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
RECIPES = SHARED / "reference" / "upstream-2026-06-27" / "recipes"


def load(text: str | bytes) -> Any:
    return load_yaml(text, "t.yaml").data


def error(text: str | bytes) -> str:
    with pytest.raises(RecipeError) as info:
        load_yaml(text, "t.yaml")
    assert len(info.value.problems) == 1
    message = str(info.value)
    assert "Traceback" not in message and "<unicode string>" not in message
    return message


# -- plain scalars (spec §3.1, §3.2) -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("yes", "yes"), ("No", "No"), ("on", "on"), ("OFF", "OFF"),
        ("true", True), ("False", False), ("TRUE", True),
        ("~", None), ("null", None), ("NULL", None), ("", None),
        ("0755", 755), ("0o17", 15), ("0x1F", 31), ("0b101", 5), ("+12", 12), ("-7", -7),
        ("0X1F", "0X1F"), ("1_000", "1_000"), ("0x_1F", "0x_1F"), ("1:30", "1:30"),
        ("190:20:30", "190:20:30"), ("=", "="), ("<<", "<<"),
        ("123456789012345678901", 123456789012345683968),  # rounded like a double
    ],
)
def test_plain_scalar_resolution(text: str, value: Any) -> None:
    got = load(f"v: {text}\n")["v"]
    assert got == value and type(got) is type(value)


@pytest.mark.parametrize(
    ("text", "value"),
    [("1e3", 1000.0), ("1E3", 1000.0), ("-2e-3", -0.002), ("1.0e3", 1000.0), (".5", 0.5),
     ("1.", 1.0), ("1.0", 1.0), (".inf", math.inf), ("-.Inf", -math.inf), ("+.INF", math.inf)],
)
def test_plain_floats(text: str, value: float) -> None:
    got = load(f"v: {text}\n")["v"]
    assert type(got) is float and got == value


def test_huge_integers_overflow_to_infinity_like_parse_int() -> None:
    assert load("v: 1" + "0" * 5000 + "\n")["v"] == math.inf  # beyond int()'s digit limit too
    assert load("v: -0x1" + "0" * 300 + "\n")["v"] == -math.inf


def test_plain_float_oddities() -> None:
    assert math.isnan(load("v: .NaN\n")["v"])
    assert load("v: -.5\n")["v"] == "-.5"  # no sign before a bare fraction in js-yaml's pattern
    assert load("v: -.nan\n")["v"] == "-.nan"


def test_quoted_and_block_scalars_are_always_strings() -> None:
    data = load("a: '1'\nb: \"true\"\nc: |\n  0755\nd: >-\n  null\ne: ''\n")
    assert data == {"a": "1", "b": "true", "c": "0755\n", "d": "null", "e": ""}


# -- explicit tags (spec §3.4) -----------------------------------------------------------------


def test_standard_tags_are_honoured() -> None:
    data = load(
        "a: !!str 1\nb: !!int '12'\nc: !!float 3\nd: !!bool 'true'\ne: !!null ''\nf: ! 12\n"
        "g: !!binary aGVsbG8=\nh: !!set {x, y}\ni: !!omap [a: 1, b: 2]\nj: !!pairs [a: 1, a: 2]\n"
        "k: !!map\nl: !!seq\nm: !!str\nn: !<tag:yaml.org,2002:int> 0x10\no: !!timestamp 2026-01-02\n"
    )
    assert data == {
        "a": "1", "b": 12, "c": 3.0, "d": True, "e": None, "f": "12", "g": b"hello",
        "h": {"x": None, "y": None}, "i": [{"a": 1}, {"b": 2}], "j": [["a", 1], ["a", 2]],
        "k": {}, "l": [], "m": "", "n": 16, "o": "2026-01-02",
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: !ENV x\n", 't.yaml:1:4: a: unknown tag !ENV'),
        ("a: !!python/tuple [1]\n", "t.yaml:1:4: a: unknown tag !!python/tuple"),
        ("a: !!int abc\n", 't.yaml:1:4: a: "abc" is not a valid !!int value'),
        ("a: !!int 1_000\n", 't.yaml:1:4: a: "1_000" is not a valid !!int value'),
        ("a: !!bool yes\n", 't.yaml:1:4: a: "yes" is not a valid !!bool value'),
        ("a: !!str [1]\n", "t.yaml:1:4: a: the tag !!str cannot be used on a list"),
        ("a: !!set {x: 1}\n", "t.yaml:1:4: a: !!set needs a mapping whose values are all empty"),
        ("a: !!omap [a: 1, a: 2]\n", "t.yaml:1:4: a: !!omap keys must be distinct"),
        ("a: !!binary 'a b'\n", 't.yaml:1:4: a: "a b" is not a valid !!binary value'),
    ],
)
def test_bad_tags(text: str, message: str) -> None:
    assert error(text) == message


# -- timestamps (spec §3.5) --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("2026-06-27", "2026-06-27"),
        ("2026-06-27T23:30:00-05:00", "2026-06-28"),  # converted to UTC first
        ("2026-06-28t00:30:00+01", "2026-06-27"),
        ("2026-6-7 23:59:59.999999 Z", "2026-06-07"),
        ("2026-06-27 23:00:00", "2026-06-27"),  # no zone: UTC
        ("2026-02-30", "2026-03-02"),  # Date.UTC rolls over
        ("2026-13-01", "2027-01-01"),
        ("2024-02-29", "2024-02-29"),
        ("0099-01-01", "1999-01-01"),  # two-digit years mean 19xx
        ("2026-06-27T99:00:00Z", "2026-07-01"),
    ],
)
def test_timestamps_become_utc_dates(text: str, date: str) -> None:
    assert load(f"d: {text}\nin_list: [{text}]\n") == {"d": date, "in_list": [date]}


def test_date_like_text_that_is_not_a_timestamp_stays_a_string() -> None:
    assert load("a: 2026-6-27\nb: '2026-06-27'\nc: 2026-06-27T10:00\n") == {
        "a": "2026-6-27", "b": "2026-06-27", "c": "2026-06-27T10:00",
    }


def test_a_date_key_is_javascript_date_to_string_in_utc() -> None:
    key = "Sat Jun 27 2026 00:00:00 GMT+0000 (Coordinated Universal Time)"
    assert list(load("2026-06-27: x\n")) == [key]


# -- keys and their order (spec §2.4, §3.3) ----------------------------------------------------


def test_keys_are_stringified_like_javascript() -> None:
    data = load("1: a\ntrue: b\n~: c\n1.5: d\n0x10: e\n? [a, 1, ~]\n: f\n? {a: 1}\n: g\n2.0: h\n")
    assert data == {"1": "a", "2": "h", "16": "e", "true": "b", "null": "c", "1.5": "d",
                    "a,1,": "f", "[object Object]": "g"}
    assert list(data) == ["1", "2", "16", "true", "null", "1.5", "a,1,", "[object Object]"]


def test_integer_like_keys_come_first_in_ascending_order() -> None:
    assert list(load("xeon6: 1\n'10': 2\n'02': 3\n'1': 4\n")) == ["1", "10", "xeon6", "02"]
    assert list(load("features:\n  '2': x\n  '1': y\n  b: z\n")["features"]) == ["1", "2", "b"]


def test_a_key_made_of_nested_lists_is_refused() -> None:
    assert "cannot contain lists" in error("? [[a]]\n: x\n")


# -- duplicates and merges (spec §3.4) ---------------------------------------------------------


def test_duplicate_key_names_both_lines() -> None:
    text = "meta:\n  title: x\n  tasks: [a]\n  z: 2\n  tasks: [b]\n"
    assert error(text) == 't.yaml:5:3: meta.tasks: duplicate key "tasks" (first defined on line 3)'


def test_keys_are_compared_after_stringification() -> None:
    assert error("1: a\n'1': b\n") == 't.yaml:2:1: 1: duplicate key "1" (first defined on line 1)'
    assert "duplicate key" in error("1.0: a\n1: b\n")


def test_merge_inserts_keys_where_the_merge_stands() -> None:
    data = load("{a: 0, <<: {x: 1, y: 2}, x: 9}")
    assert list(data.items()) == [("a", 0), ("x", 9), ("y", 2)]


def test_first_merge_source_wins() -> None:
    data = load("<<: [{x: 1, y: 1}, {y: 2, z: 2}]\nw: 0\n")
    assert list(data.items()) == [("x", 1), ("y", 1), ("z", 2), ("w", 0)]


def test_earlier_explicit_key_wins_over_a_merged_one() -> None:
    assert load("base: &b {x: 1, y: 1}\nm:\n  x: 0\n  <<: *b\n")["m"] == {"x": 0, "y": 1}


def test_a_merged_key_may_be_overridden_once() -> None:
    text = "base: &b {x: 1}\nm:\n  <<: *b\n  x: 2\n  x: 3\n"
    assert error(text) == 't.yaml:5:3: m.x: duplicate key "x" (first defined on line 4)'


def test_quoted_merge_key_is_an_ordinary_key() -> None:
    assert load("'<<': {x: 1}\n") == {"<<": {"x": 1}}


def test_bad_merge_sources() -> None:
    assert error("<<: 5\n") == (
        't.yaml:1:1: cannot merge: the value of "<<" must be a mapping, an alias of one, '
        "or a list of them"
    )
    many = "a: &a {x: 1}\nb:\n  <<: [" + ", ".join(["*a"] * 101) + "]\n"
    assert error(many) == 't.yaml:3:3: b: a merge ("<<") lists 101 mappings; at most 100 are allowed'
    assert load(many.replace("101", "100").replace(", *a]", "]"))["b"] == {"x": 1}


# -- anchors and aliases -----------------------------------------------------------------------


def test_alias_yields_the_same_object() -> None:
    data = load("a: &x {k: [1]}\nb: *x\n")
    assert data["b"] is data["a"] and data["b"] == {"k": [1]}


def test_recursive_and_unknown_aliases_are_errors() -> None:
    assert "recursive structures are not supported" in error("a: &x [*x]\n")
    assert error("a: *nope\n") == (
        "t.yaml:1:4: a: unknown alias *nope: no anchor &nope is defined before it"
    )


def test_alias_bomb_is_refused_quickly() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):
        prev, cur = chr(96 + i), chr(97 + i)
        lines.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 10) + "]")
    started = time.perf_counter()
    assert "aliases expand to more than 100000 values" in error("\n".join(lines) + "\n")
    assert time.perf_counter() - started < 0.5


# -- documents, encodings and guards -----------------------------------------------------------


def test_exactly_one_document() -> None:
    assert error("a: 1\n---\nb: 2\n") == (
        "t.yaml:2:1: only one YAML document is allowed per file (a second one starts here)"
    )
    assert load("---\na: 1\n...\n") == {"a": 1}


@pytest.mark.parametrize("text", ["", "   \n\t\n", "\ufeff", b"\xef\xbb\xbf\n"])
def test_empty_file_is_an_error(text: str | bytes) -> None:
    assert error(text) == "t.yaml: the file is empty"


def test_comment_only_file_is_null() -> None:
    assert load("# nothing here\n") is None


def test_leading_bom_is_ignored() -> None:
    assert load_yaml(b"\xef\xbb\xbfa: 1\n", "t.yaml").positions[("a",)] == (1, 1)


def test_tab_indentation_message() -> None:
    assert error("a:\n\tb: 1\n") == (
        "t.yaml:2:1: a: tab characters cannot be used for indentation in YAML; use spaces"
    )
    assert load("a:\t1\nb: [x,\tz]\n") == {"a": 1, "b": ["x", "z"]}  # tabs as separators are fine


def test_invalid_utf8_message_has_line_and_column() -> None:
    assert error(b"a: 1\nbb: caf\xff\n") == (
        "t.yaml:2:8: the file is not valid UTF-8 (byte 0xff at offset 12)"
    )


def test_control_characters_are_refused() -> None:
    assert error("a: 1\nb: x\x07\n") == (
        "t.yaml:2:5: the character U+0007 is not allowed in YAML (control character)"
    )


def test_file_size_cap() -> None:
    too_big = "a: " + "x" * yamlload.MAX_FILE_BYTES + "\n"
    assert error(too_big).startswith("t.yaml: the file is too large (1048580 bytes;")


def test_nesting_depth_cap() -> None:
    depth, value = 0, load("[" * 100 + "]" * 100)
    while value:
        value, depth = value[0], depth + 1
    assert depth == 99  # 100 lists: the innermost is empty
    assert error("[" * 101 + "]" * 101) == (
        "t.yaml:1:101: lists and mappings are nested more than 100 levels deep"
    )
    # libyaml's own composer would overflow the C stack on this; we must just refuse it.
    assert "nested more than 100" in error("[" * 300_000 + "]" * 300_000)
    # The guard is ours, whichever libyaml is installed (newer ones stop at 1000 flow levels).
    assert error("a: " + "{b: " * 1500 + "1" + "}" * 1500) == (
        "t.yaml:1:400: lists and mappings are nested more than 100 levels deep"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: b: c\n", 't.yaml:1:5: unexpected ":" here; '
                       'quote a value that contains ": " or check the indentation'),
        ("a: 'abc\nb: 1\n", "t.yaml:1:4: a: this quoted string is never closed"),
        ("a: [1, 2\n", 't.yaml:2:1: a: this [ ] list is not closed, or a "," is missing'),
        ("- a\nb: c\n", 't.yaml:2:1: expected another "- " list item here; check the indentation'),
        ("a: @b\n", "t.yaml:1:4: a: '@' cannot start a value; put the value in quotes"),
        ('a: "\\q"\n', 't.yaml:1:5: a: unknown escape sequence in a double-quoted string '
                        '(write "\\\\" for a backslash, or use single quotes)'),
    ],
)
def test_syntax_errors_in_plain_words(text: str, message: str) -> None:
    assert error(text) == message


# -- positions ---------------------------------------------------------------------------------


def test_positions_of_keys_and_items() -> None:
    loaded = load_yaml("# c\nmeta:\n  title: x\n  tasks:\n    - a\n    - {q: 1}\n", "t.yaml")
    assert loaded.positions == {
        (): (2, 1), ("meta",): (2, 1), ("meta", "title"): (3, 3), ("meta", "tasks"): (4, 3),
        ("meta", "tasks", 0): (5, 7), ("meta", "tasks", 1): (6, 7), ("meta", "tasks", 1, "q"): (6, 8),
    }
    assert loaded.where(("meta", "tasks", 0, "missing", 3)) == (5, 7)
    assert loaded.where(["meta", "nope"]) == (2, 1)
    assert loaded.where(("elsewhere",)) == (2, 1)


def test_positions_of_merged_keys_point_at_their_source() -> None:
    loaded = load_yaml("base: &b\n  x: 1\n  y: 2\nm:\n  <<: *b\n  y: 3\nn: *b\n", "t.yaml")
    assert loaded.positions[("m", "x")] == (2, 3)  # where the merged value is written
    assert loaded.positions[("m", "y")] == (6, 3)  # overridden here
    assert loaded.where(("n", "x")) == (7, 1)  # through an alias: the alias' key


def test_dotted() -> None:
    assert dotted(("model", "base_args", 2)) == "model.base_args[2]"
    assert dotted(()) == "" and dotted((0, "a")) == "[0].a"


def test_load_yaml_file(tmp_path: Path) -> None:
    file = tmp_path / "r.yaml"
    file.write_text("a: 1\na: 2\n", encoding="utf-8")
    with pytest.raises(RecipeError, match=r"^org/r\.yaml:2:1: a: duplicate key"):
        load_yaml_file(file, "org/r.yaml")
    file.write_text("a: [1]\n", encoding="utf-8")
    assert load_yaml_file(file) == Loaded({"a": [1]}, {(): (1, 1), ("a",): (1, 1), ("a", 0): (1, 5)})
    with pytest.raises(RecipeError, match=r"missing\.yaml: cannot read the file"):
        load_yaml_file(tmp_path / "missing.yaml", "missing.yaml")


def test_pure_python_parser_gives_the_same_results(monkeypatch: pytest.MonkeyPatch) -> None:
    samples = ["{a: 0, <<: {x: 1, y: 2}, x: 9}", "a: &x [1, 2026-06-27]\nb: *x\nc: !!str 1\n",
               "? [a, b]\n: c\nd: |\n  text\n", "a: !!map\nb: ! 12\n"]
    expected = [load_yaml(s, "t.yaml") for s in samples]
    monkeypatch.setattr(yamlload, "_FastParser", yamlload._PurePythonParser)
    assert [load_yaml(s, "t.yaml") for s in samples] == expected
    assert "tab characters cannot be used" in error("a:\n\tb: 1\n")


# -- the reference inputs ----------------------------------------------------------------------


def _dates_as_strings(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _dates_as_strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_dates_as_strings(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()[:10]
    return value


@pytest.mark.reference
@pytest.mark.skipif(not RECIPES.is_dir(), reason=f"reference recipes not found at {RECIPES}")
def test_reference_inputs_match_safe_load_except_dates() -> None:
    files = sorted(RECIPES.rglob("*.yaml"))
    assert len(files) >= 150
    differing = []
    for file in files:
        ours = load_yaml_file(file).data
        theirs = _dates_as_strings(yaml.safe_load(file.read_bytes()))
        if ours != theirs or repr(ours) != repr(theirs):  # repr also compares key order
            differing.append(file.relative_to(RECIPES).as_posix())
    assert differing == []

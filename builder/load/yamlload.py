"""Load one YAML file the way the reference generator's js-yaml 4 did, remembering positions.

``load_yaml`` returns the parsed value (spec §3: YAML 1.2 core schema for plain scalars,
timestamps as ``"YYYY-MM-DD"`` in UTC, JS-style string keys in JS property order, fatal duplicate
keys, js-yaml merge-key order, exactly one document) together with the 1-based line and column of
every mapping key and sequence item, so later stages can point at the offending line.

Recipes arrive by pull request, so hostile input is bounded: file size, nesting depth, alias
expansion ("billion laughs") and merge-list length are capped, and every failure is a
:class:`RecipeError` with a plain-words message — never a traceback.
"""
from __future__ import annotations

import contextlib
import os
import pickle
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from builder.errors import Problem, RecipeError, dotted
from builder.load._yaml_construct import Builder, LoadFailure
from builder.text import describe, invisible_in

__all__ = ["MAX_FILE_BYTES", "Loaded", "dotted", "load_yaml", "load_yaml_file"]

MAX_FILE_BYTES = 1 << 20  # 1 MiB: real recipes are a few KiB
MAX_DEPTH = 100
MAX_ALIAS_NODES = 100_000
MAX_MERGE_SOURCES = 100  # spec §3.4

YamlPath = tuple[str | int, ...]

# Characters YAML forbids anywhere in a stream (js-yaml's PATTERN_NON_PRINTABLE, libyaml's reader).
# U+FEFF is excluded as well: js-yaml would accept one after the start, libyaml cannot.
_FORBIDDEN = re.compile(
    "[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)


class _PurePythonParser(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser):
    """PyYAML's own event parser, for installations without libyaml (same events, slower)."""

    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)

    def dispose(self) -> None:
        pass


# The C parser is ~20x faster; both produce the same events.
_FastParser: Any = yaml._yaml.CParser if yaml.__with_libyaml__ else _PurePythonParser
# Newer libyaml refuses flow nesting past its own limit (1000 levels) while scanning ahead, before
# our depth guard sees an event; older releases have no limit. So that the guard (and its message)
# is ours whatever libyaml is installed, text that could nest that deep goes to the pure parser,
# which has no limit of its own. Real recipes have a few dozen brackets at most.
_LIBYAML_SAFE_BRACKETS = 900


def _parser_for(text: str) -> Any:
    if text.count("[") + text.count("{") >= _LIBYAML_SAFE_BRACKETS:
        return _PurePythonParser(text)
    return _FastParser(text)


@dataclass(frozen=True)
class Loaded:
    """A parsed YAML document and where each part of it came from."""

    data: Any
    """None | bool | int | float | str | list | dict (bytes only for ``!!binary``)."""
    positions: dict[YamlPath, tuple[int, int]] = field(repr=False)
    """1-based (line, column) of every mapping key (path ends with the key) and sequence item
    (path ends with the index); ``()`` is the document start. Values reached through an alias
    are located at the alias."""
    source: str = field(default="", repr=False, compare=False)
    """The decoded text, for checks that need what the author wrote."""

    def where(self, path: Iterable[str | int]) -> tuple[int, int]:
        """Position of ``path``, or of its nearest ancestor that has one."""
        p = tuple(path)
        for n in range(len(p), -1, -1):
            hit = self.positions.get(p[:n])
            if hit is not None:
                return hit
        return (1, 1)


def load_yaml_file(file: Path, display_path: str | None = None) -> Loaded:
    """Read and load ``file``; errors name it as ``display_path`` (default: the path given)."""
    name = display_path if display_path is not None else Path(file).as_posix()
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; only regular files are read.
        with open(os.open(file, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC), "rb") as fh:
            info = os.fstat(fh.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise RecipeError(Problem(name, message="is not a regular file (a FIFO, socket or device); "
                                                        "only regular files are read"))
            _check_size(info.st_size, name)
            source = fh.read(MAX_FILE_BYTES + 1)  # bounded even if the file grows meanwhile
    except OSError as e:
        message = f"cannot read the file ({e.strerror or e})"
        raise RecipeError(Problem(name, message=message)) from None
    return load_yaml(source, name)


_PARSED: dict[tuple[str, bytes | str], tuple[bytes, str]] = {}
"""(path, bytes) → the document parsed before, pickled: `recipes serve` loads the whole catalog on
every save, and unpickling a fresh copy costs a few per cent of parsing again."""
_PARSED_MAX = 4096


def load_yaml(source: bytes | str, path: str) -> Loaded:
    """Parse one YAML document; ``path`` only names the file in error messages."""
    found = _PARSED.get((path, source))
    if found is not None:
        data, positions = pickle.loads(found[0])
        return Loaded(data, positions, found[1])
    loaded = _parse(source, path)
    if len(_PARSED) >= _PARSED_MAX:
        _PARSED.clear()
    with contextlib.suppress(pickle.PicklingError, TypeError, RecursionError):  # then not remembered
        _PARSED[(path, source)] = (pickle.dumps((loaded.data, loaded.positions), pickle.HIGHEST_PROTOCOL),
                                   loaded.source)
    return loaded


def _parse(source: bytes | str, path: str) -> Loaded:
    text = _decode(source, path)
    if not text.strip(" \t\r\n"):
        raise RecipeError(Problem(path, message="the file is empty"))
    bad = _FORBIDDEN.search(text)
    if bad:
        raise _error_at_offset(text, bad.start(), path, _forbidden_message(bad.group()))
    parser = _parser_for(text)
    builder = Builder(parser.get_event, max_depth=MAX_DEPTH, max_alias_nodes=MAX_ALIAS_NODES,
                      max_merge_sources=MAX_MERGE_SOURCES)
    try:
        data = builder.run()
    except LoadFailure as e:
        line, col = e.pos or (0, 0)
        raise RecipeError(Problem(path, line, col, dotted(e.path or ()), e.message)) from None
    except yaml.MarkedYAMLError as e:
        key = dotted(builder.context_path(item=False))
        raise RecipeError(_syntax_problem(e, text, path, key)) from None
    except yaml.YAMLError as e:  # reader errors; _FORBIDDEN should have caught them first
        raise RecipeError(Problem(path, message=f"cannot parse the file: {e}")) from None
    finally:
        parser.dispose()
    loaded = Loaded(data, builder.positions, text)
    _refuse_invisible(loaded, path)
    return loaded


def _refuse_invisible(loaded: Loaded, path: str) -> None:
    """Escapes like "\\e" or "\\u202e" yield characters that would be printed raw: refuse them."""
    problems = [Problem(path, *loaded.where(keypath), dotted(keypath),
                        f"{describe(char)} is not allowed: it would be printed or shown as it is")
                for keypath, char in invisible_in(loaded.data)]
    if problems:
        raise RecipeError(problems)


# ---------------------------------------------------------------------------------------------
# Input checks


def _check_size(size: int, path: str) -> None:
    if size > MAX_FILE_BYTES:
        raise RecipeError(Problem(path, message=(
            f"the file is too large ({size} bytes; the limit is {MAX_FILE_BYTES} bytes, 1 MiB)"
        )))


def _decode(source: bytes | str, path: str) -> str:
    if isinstance(source, str):
        if len(source) > MAX_FILE_BYTES:  # never fewer bytes than characters
            _check_size(len(source), path)
        _check_size(len(source.encode("utf-8", "surrogatepass")), path)
        text = source
    else:
        _check_size(len(source), path)
        try:
            text = source.decode("utf-8")
        except UnicodeDecodeError as e:
            start = source.rfind(b"\n", 0, e.start) + 1
            line = source.count(b"\n", 0, e.start) + 1
            column = len(source[start : e.start].decode("utf-8", "replace")) + 1
            raise RecipeError(Problem(path, line, column, message=(
                f"the file is not valid UTF-8 (byte 0x{source[e.start]:02x} at offset {e.start})"
            ))) from None
    return text[1:] if text.startswith("\ufeff") else text  # a leading BOM is not content


def _forbidden_message(char: str) -> str:
    if char == "\ufeff":
        return "a byte-order mark (U+FEFF) is only allowed at the very start of the file"
    if "\ud800" <= char <= "\udfff":
        return f"the text contains an unpaired surrogate (U+{ord(char):04X})"
    return f"the character U+{ord(char):04X} is not allowed in YAML (control character)"


def _error_at_offset(text: str, offset: int, path: str, message: str) -> RecipeError:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return RecipeError(Problem(path, line, column, message=message))


# ---------------------------------------------------------------------------------------------
# Syntax errors from the parser, in plain words

_TAB_PROBLEMS = (
    "found a tab character that violates indentation",
    "found a tab character that violate indentation",
    "found a tab character where an indentation space is expected",
)
_EXPLAINED = {
    "mapping values are not allowed in this context": (
        'unexpected ":" here; quote a value that contains ": " or check the indentation'
    ),
    "mapping values are not allowed here": (
        'unexpected ":" here; quote a value that contains ": " or check the indentation'
    ),
    "could not find expected ':'": (
        'expected "key: value" here: a key must be followed by ":" on the same line'
    ),
    "did not find expected key": "expected another key of this mapping here; check the indentation",
    "did not find expected '-' indicator": (
        'expected another "- " list item here; check the indentation'
    ),
    "block sequence entries are not allowed in this context": (
        'a "- " list item is not allowed here; check the indentation'
    ),
    "did not find expected node content": "a value is missing here",
    "found unknown escape character": (
        'unknown escape sequence in a double-quoted string (write "\\\\" for a backslash, '
        "or use single quotes)"
    ),
    "did not find expected ',' or ']'": 'this [ ] list is not closed, or a "," is missing',
    "did not find expected ',' or '}'": 'this { } mapping is not closed, or a "," is missing',
    "found undefined tag handle": "unknown tag handle (declare it with %TAG or use !! tags)",
    "did not find expected <document start>": "unexpected text after the end of the document",
}


def _syntax_problem(e: yaml.MarkedYAMLError, text: str, path: str, key: str) -> Problem:
    mark = e.problem_mark or e.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)
    problem = (e.problem or "").strip()
    context = (e.context or "").strip()
    if problem.startswith("found character") and problem.endswith("cannot start any token"):
        char = _char_at(text, line, col)
        if char == "\t":
            message = "tab characters cannot be used for indentation in YAML; use spaces"
        else:
            message = f"{char!r} cannot start a value; put the value in quotes"
    elif problem in _TAB_PROBLEMS:
        message = "tab characters cannot be used for indentation in YAML; use spaces"
    elif problem == "found unexpected end of stream" and "quoted scalar" in context:
        message = "this quoted string is never closed"
        if e.context_mark is not None:  # point at the opening quote, not at the end of file
            line, col = e.context_mark.line + 1, e.context_mark.column + 1
    elif problem in _EXPLAINED:
        message = _EXPLAINED[problem]
    else:
        message = problem or "invalid YAML"
        if context and e.context_mark is not None:
            message += f" ({context} that starts on line {e.context_mark.line + 1})"
    return Problem(path, line, col, key, message)


def _char_at(text: str, line: int, col: int) -> str:
    lines = text.splitlines()
    if 1 <= line <= len(lines) and 1 <= col <= len(lines[line - 1]):
        return lines[line - 1][col - 1]
    return "?"

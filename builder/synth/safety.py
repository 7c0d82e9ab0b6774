"""The last gate before anything is written: every synthesized command is read as bash would.

The YAML-shape checks (:mod:`builder.check.shell`) know where recipe text usually lands, but text
reaches commands along many paths (a router policy, a copy of the prefill/decode strategy under
another name, a feature). So this check does not look at YAML at all: it reads each *final*
command string — every `vllm serve` (each node rank, prefill, decode), the router, every
`docker run` form — and every environment pair, the way bash reads them, and reports any
character that bash would act on while it stands outside quotes: ``; | & < > ( ) ` $ * ? [ ] { } ! #``
and a newline that ends the command. Only the ``$NAME`` placeholders of synthesis (``$HEAD_IP``)
and the ``~/`` of docker's cache mount are meant for the shell.

Pure functions over :class:`builder.synth.Deployment`; :func:`locate` maps a finding back to the
recipe or strategy key that holds the text, so the error names a file and a line.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from builder.errors import Problem, RecipeError, dotted
from builder.synth.deployment import Deployment

if TYPE_CHECKING:
    from builder.models import Catalog, RecipeEntry

_PLACEHOLDER = re.compile(r"\$[A-Z_][A-Z0-9_]*")
_ACTIVE = frozenset(";|&<>()`$*?[]{}!")
_WORD_START_ONLY = frozenset("#~")
_MEANT = ("~/.cache/huggingface:",)  # docker's cache mount: a tilde the synthesis itself writes


@dataclass(frozen=True)
class Finding:
    """One character bash would act on, and the word it stands in."""

    process: str
    word: str
    char: str


_PLAIN = re.compile(r"[^\\'\" \t\n$;|&<>()`*?\[\]{}!#~]+")
"""A run of characters bash takes literally wherever they stand (read in one step, not one by one)."""
_PLAIN_QUOTED = re.compile(r'[^"\\$`]+')
"""A run of characters that mean nothing inside double quotes."""
_BLANKS = re.compile(r"[ \t](?:[ \t]|\\\n)*")
"""Blanks between words, with any line continuations among them (they end the word)."""
_QUIET = re.compile(r"""(?:[^\\'" \n$;|&<>()`*?\[\]{}!#~]++|[ \t]++|\\[\s\S]|'[^']*+'"""
                    r"""|"(?:[^"\\$`]++|\\[\s\S]|\$[A-Z_][A-Z0-9_]*+)*+(?:"|\Z)"""
                    r"""|\$[A-Z_][A-Z0-9_]*+|~/\.cache/huggingface:)*+""")
"""Text in which `read_bash` finds nothing, token by token as it reads them (literal runs, blanks,
escapes, closed single quotes, double quotes with placeholders only, placeholders, docker's cache
mount). Possessive, so a text that does not match fails in linear time; such a text is read in full."""


def read_bash(text: str) -> Iterator[tuple[str, str]]:
    """(word, character) for each character bash would act on outside quotes in `text`."""
    i, n = 0, len(text)
    word_start, word = True, []
    while i < n:
        plain = _PLAIN.match(text, i)
        if plain:
            word.append(plain.group())
            i, word_start = plain.end(), False
            continue
        blanks = _BLANKS.match(text, i)
        if blanks:
            word, word_start = [], True
            i = blanks.end()
            continue
        c = text[i]
        if c == "\\":
            if text[i + 1:i + 2] == "\n":  # line continuation
                i += 2
                continue
            word.append(text[i + 1:i + 2])
            i, word_start = i + 2, False
            continue
        if c == "'":
            end = text.find("'", i + 1)
            if end < 0:
                yield "".join(word) + text[i:], "'"
                return
            word.append(text[i + 1:end])
            i, word_start = end + 1, False
            continue
        if c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                quiet = _PLAIN_QUOTED.match(text, j)
                if quiet:
                    j = quiet.end()
                    continue
                if text[j] == "\\":
                    j += 2
                    continue
                if not _PLACEHOLDER.match(text, j):  # `$` or a backquote
                    yield text[i:j + 8], text[j]
                j += 1
            word.append(text[i + 1:j])
            i, word_start = j + 1, False
            continue
        if c == "\n":
            yield "".join(word), "newline"
            word, word_start = [], True
            i += 1
            continue
        if c == "$":
            hit = _PLACEHOLDER.match(text, i)
            if hit:
                word.append(hit.group())
                i, word_start = hit.end(), False
                continue
        if c in _ACTIVE or (word_start and c in _WORD_START_ONLY and not text.startswith(_MEANT, i)):
            rest = re.match(r"\S*", text[i:])
            yield "".join(word) + (rest.group() if rest else c), c
        word.append(c)
        i, word_start = i + 1, False


@lru_cache(maxsize=65536)
def _bash_findings(text: str) -> tuple[tuple[str, str], ...]:
    """`read_bash` remembered: the command builder checks the same commands over and over (a
    pure function of the text, so a cache cannot change an answer)."""
    return () if _QUIET.fullmatch(text) else tuple(read_bash(text))


_CONTINUED = " \\\n"
"""Where synthesis breaks a command over lines (a space, a backslash, a newline)."""


@lru_cache(maxsize=65536)
def _closed(part: str) -> bool:
    """Bash leaves `part` outside any quote, with no backslash pending at its end."""
    i, n = 0, len(part)
    while i < n:
        c = part[i]
        if c == "\\":
            if i + 1 >= n:
                return False
            i += 2
        elif c == "'":
            end = part.find("'", i + 1)
            if end < 0:
                return False
            i = end + 1
        elif c == '"':
            j = i + 1
            while j < n and part[j] != '"':
                j += 2 if part[j] == "\\" else 1
            if j >= n:
                return False
            i = j + 1
        else:
            i += 1
    return True


def command_findings(text: str) -> tuple[tuple[str, str], ...]:
    """`read_bash` of a command, line by line when that reads the same as the whole text.

    Each continuation starts with a space, which ends the word, and skips the backslash-newline;
    when every line also ends outside quotes, bash starts every line in the same state, so the
    findings are those of each line. Lines repeat across the nodes of a pool and across pools,
    so this is what lets the command builder check thousands of launches quickly. Any finding
    is reported from the whole text, so messages stay as they were.
    """
    parts = text.split(_CONTINUED)
    if len(parts) > 1 and all(map(_quiet_line, parts)):
        return ()
    return _bash_findings(text)  # (a finding quotes the text around it: read the whole for that)


@lru_cache(maxsize=65536)
def _quiet_line(part: str) -> bool:
    """One line of a command ends outside quotes and has nothing to report (both remembered in one
    look-up: a deployment's lines are mostly lines already read)."""
    return _closed(part) and not _bash_findings(part)


@lru_cache(maxsize=65536)
def _env_findings(key: str, value: str) -> tuple[tuple[str, str], ...]:
    """The findings of one `KEY=VALUE` pair, and "name" for a key that is not a variable name."""
    found = _bash_findings(f"{key}={value}")
    return found if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", str(key)) else found + ((str(key), "name"),)


def deployment_findings(dep: Deployment) -> list[Finding]:
    """Every unquoted shell character in the commands and environment of one deployment."""
    found: list[Finding] = []
    for launch in dep.launches:
        name = launch.role if launch.role in ("serve", "router") else f"{launch.role} {launch.rank}"
        for label, text in ((name, launch.command), (f"{name} (docker run)", launch.docker_command)):
            if isinstance(text, str):
                found += [Finding(label, w, c) for w, c in command_findings(text)]
        for key, value in launch.env.items():
            found += [Finding(f"{name} environment", w, c) for w, c in _env_findings(key, str(value))]
    return found


# -- locating a finding in the input files ---------------------------------------------------------

def _leaves(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, dict):
        for key, value in node.items():
            if isinstance(key, str):
                yield path + (key,), key
            yield from _leaves(value, path + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _leaves(value, path + (index,))


def _core(word: str) -> str:
    """The part of a finding's word that recipe text most likely holds (no quotes, no `KEY=`)."""
    return word.strip("'\"").split("=", 1)[-1] if "=" in word and not word.startswith("-") else word.strip("'\"")


def _sources(catalog: Catalog, entry: RecipeEntry) -> list[tuple[str, Any, Any]]:
    """(display, raw document, where) of the recipe and every strategy file: where text comes from."""
    sources: list[tuple[str, Any, Any]] = [(entry.display, entry.raw, entry.where)]
    for display, where in catalog.where.items():
        if "/strategies/" in f"/{display}":
            name = display.rsplit("/", 1)[-1].rsplit(".", 1)[0]
            raw = catalog.strategies_raw.get(name)
            if raw is not None:
                sources.append((display, raw, where))
    return sources


def locate_text(catalog: Catalog, entry: RecipeEntry, text: str) -> tuple[str, int, int, str]:
    """(file, line, column, key) of the leaf equal to `text` (else containing it), recipe first."""
    sources = _sources(catalog, entry)
    for match in (lambda leaf: leaf == text, lambda leaf: bool(text) and text in leaf):
        for display, raw, where in sources:
            for path, leaf in _leaves(raw):
                if match(leaf):
                    line, column = _safe_where(where, path)
                    return display, line, column, dotted(path)
    return entry.display, 0, 0, ""


def locate(catalog: Catalog, entry: RecipeEntry, finding: Finding) -> tuple[str, int, int, str]:
    """(file, line, column, key) of the recipe or strategy text that produced the finding."""
    needle = _core(finding.word)
    for display, raw, where in _sources(catalog, entry):
        for path, text in _leaves(raw):
            if needle and (needle in text or (finding.char in text and text in finding.word)):
                line, column = _safe_where(where, path)
                return display, line, column, dotted(path)
    return entry.display, 0, 0, ""


def _safe_where(where: Any, path: tuple[Any, ...]) -> tuple[int, int]:
    try:
        line, column = where(path)
        return int(line), int(column)
    except (LookupError, TypeError, ValueError):
        return 0, 0


def _describe(char: str) -> str:
    return {"newline": "a newline (it ends the command)", "name": "a name that is not a variable name"}.get(
        char, f'"{char}"')


def unsafe_problems(catalog: Catalog, entry: RecipeEntry, dep: Deployment) -> list[Problem]:
    """Located errors for every finding of `dep` (one per source position)."""
    problems: dict[tuple[str, int, int, str], Problem] = {}
    for f in deployment_findings(dep):
        display, line, column, key = locate(catalog, entry, f)
        message = (f"{_describe(f.char)} in {f.word!r} would be run by the shell: the {f.process} command prints "
                   "it unquoted — remove it, or make the text the value of a flag")
        problems.setdefault((display, line, column, key), Problem(display, line, column, key, message))
    return list(problems.values())


def ensure_safe(catalog: Catalog, entry: RecipeEntry, dep: Deployment | None) -> None:
    """Raise RecipeError when any command of `dep` would make the shell do something else."""
    if dep is None:
        return
    problems = unsafe_problems(catalog, entry, dep)
    if problems:
        raise RecipeError(problems)

"""Recipe text that is printed into shell commands without quotes.

The command format (spec §6.9, §6.13) quotes only values that follow a flag. Flags, values that
follow no flag, `docker run -e KEY=VALUE` pairs, images and parallel flags are printed as they
are, so a space or a shell character in them makes the pasted command differ from `argv` — or
run something else. These checks find such text in a recipe or strategy file:

* only whitespace: a warning (the shell splits the item; the reference data has one such
  joined flag and value, ``--max-model-len auto``);
* any other shell character (``;|&$`'"*{}…``): an error, since the command would do something
  else than the API's argv says.

``$NAME`` placeholders (``$HEAD_IP``) are meant for the shell and are allowed.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from builder.check.lint.argv import is_option
from builder.check.lint.documents import format_keypath, recipe_arg_lists, strategy_arg_lists
from builder.errors import Problem
from builder.jsonout import js_str

KeyPath = tuple[Any, ...]
Where = Callable[[KeyPath], tuple[int, int]]
_PLACEHOLDER = re.compile(r"\$[A-Z_][A-Z0-9_]*")
_ENV_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ENV_MAPS = ("base_env", "extra_env", "env")
# What bash (also an interactive one: `!` is history expansion) reads specially in unquoted text.
# Other characters, non-ASCII included, pass through unchanged.
_SHELL_SPECIAL = frozenset(" \t\n|&;<>()$`\\\"'*?[]#~!{}")


def bare_safe(text: str) -> bool:
    """Whether `text` reaches the program unchanged when printed without quotes."""
    return not _specials(text)


def _specials(text: str) -> list[str]:
    """The characters a shell would act on in unquoted text (placeholders excepted)."""
    return sorted(set(_PLACEHOLDER.sub("x", text)) & _SHELL_SPECIAL)


def bare_tokens(items: list[Any]) -> Iterator[tuple[int, str]]:
    """The items of one argument list that the command prints without quotes.

    An item is quoted only when it directly follows a flag in the same list (empty items are
    dropped first, as synthesis does). Lists are joined into one command, so an item that opens
    a list is counted as unquoted: that is the safe reading.
    """
    previous = ""
    for index, item in enumerate(items):
        if not isinstance(item, str) or not item:
            continue
        if item.startswith("-") or not previous.startswith("-"):
            yield index, item
            previous = item
        else:
            previous = ""  # a value: the next item follows no flag


def shell_problems(data: Any, where: Where, display: str, is_strategy: bool) -> list[Problem]:
    """Located findings for every unquoted piece of text in one recipe or strategy document."""
    found: list[Problem] = []

    def nul(path: KeyPath) -> None:
        # A "\0" escape in YAML yields a NUL character; no command line can carry one.
        found.append(Problem(display, *_locate(where, path), format_keypath(path),
                             "contains a NUL character (\\0), which a command line cannot carry"))

    def add(path: KeyPath, text: str, what: str) -> None:
        problem = _problem(text, what)
        if problem is not None:
            message, severity = problem
            found.append(Problem(display, *_locate(where, path), format_keypath(path), message, severity))

    lists = list(strategy_arg_lists(data) if is_strategy else recipe_arg_lists(data))
    for keypath, items in lists:
        for index, item in enumerate(items):
            if isinstance(item, str) and "\x00" in item:
                nul(keypath + (index,))
        for index, text in bare_tokens(items):
            if "\x00" in text:
                continue
            if is_option(text) and any(c.isspace() for c in text.split("=", 1)[0]) \
                    and all(bare_safe(word) for word in text.split()):
                continue  # a plain joined "--flag value": the vLLM lint reports it with the fix
            add(keypath + (index,), text, "argument")
    for path, mapping in _env_maps(data, ()):
        for key, value in mapping.items():
            if not isinstance(key, str) or not _ENV_KEY.fullmatch(key):
                found.append(Problem(display, *_locate(where, path + (key,)), format_keypath(path + (key,)),
                                     f'"{key}" is not an environment variable name (letters, digits and "_", '
                                     "not starting with a digit)"))
            elif isinstance(value, str) and "\x00" in value:
                nul(path + (key,))
            elif isinstance(value, (str, int, float)):
                add(path + (key,), f"{key}={js_str(value)}", "environment value (in docker run -e)")
    for path, text in _strings_at(data, ("parallel_flag", "docker_image"), ()):
        add(path, text, "value")
    return found


def _problem(text: str, what: str) -> tuple[str, str] | None:
    specials = _specials(text)
    if not specials:
        return None
    if set(specials) <= {" ", "\t"}:
        return (f"{what} {_shown(text)} contains whitespace and is printed unquoted, so the shell splits it "
                "into several words; write each word as its own item", "warning")
    shown = " ".join({" ": "space", "\t": "tab", "\n": "newline"}.get(c, c) for c in specials)
    return (f"{what} {_shown(text)} is printed unquoted in the command, so the shell would act on its "
            f"characters {shown}; only a value that follows its flag is quoted — remove them or make "
            "the text a flag's value", "error")


def _shown(text: str) -> str:
    """The text in double quotes with control characters escaped, so a message stays one line."""
    return json.dumps(text, ensure_ascii=False)


def _locate(where: Where, path: KeyPath) -> tuple[int, int]:
    try:
        return where(path)
    except (LookupError, TypeError, ValueError):  # a position is a help, never a reason to fail
        return 0, 0


def _env_maps(node: Any, path: KeyPath) -> Iterator[tuple[KeyPath, Mapping[Any, Any]]]:
    if isinstance(node, Mapping):
        for key, value in node.items():
            if key in _ENV_MAPS and isinstance(value, Mapping):
                yield path + (key,), value
            else:
                yield from _env_maps(value, path + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _env_maps(value, path + (index,))


def _strings_at(node: Any, keys: tuple[str, ...], path: KeyPath) -> Iterator[tuple[KeyPath, str]]:
    """String leaves below any of `keys` (docker images may be nested brand/CUDA maps)."""
    if isinstance(node, Mapping):
        for key, value in node.items():
            if key in keys:
                yield from _leaves(value, path + (key,))
            elif key not in ("omni", "guide", "meta"):  # text shown on pages, never in commands
                yield from _strings_at(value, keys, path + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _strings_at(value, keys, path + (index,))


def _leaves(node: Any, path: KeyPath) -> Iterator[tuple[KeyPath, str]]:
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, Mapping):
        for key, value in node.items():
            yield from _leaves(value, path + (key,))

"""The shared tables of the command-builder data, and checking stored launches against ``deploy``.

Each selection is rendered with ``deploy`` (the single source of truth). To stay small, the data
shares pieces instead of repeating whole commands: lines are interned in a string table and texts
are stored as differences from a neighbouring text (:class:`Tables`); feature subsets are composed
from per-feature pieces (:mod:`builder.site.command_builder.features`). See
:mod:`builder.site.command_builder.decode` for the format.
"""
from __future__ import annotations

import functools
import shlex
from collections.abc import Sequence
from typing import Any

from builder.jsonout import js_str
from builder.site.command_builder import decode
from builder.synth import Launch
from builder.synth.shell import CONTINUATION, quote

SEP = CONTINUATION
_DELTA_WINDOW = 24
"""How many recent texts of the same kind are tried as the base of a difference."""
_MAX_DEPTH = 12
"""Longest chain of differences, so decoding stays shallow."""


class CompositionError(RuntimeError):
    """The encoded data would show a command that differs from ``deploy``: a bug, never shipped."""


def flag(line: str) -> str | None:
    head = line.split(" ", 1)[0]
    return head if head.startswith("-") else None


def env_lines(env: dict[str, Any]) -> list[str]:
    """What pip mode shows above the command: one `export` per variable, values shell-quoted."""
    # The types are part of the cache key: True == 1 but they print differently.
    return list(_env_lines(tuple(env.items()), tuple(map(type, env.values()))))


@functools.lru_cache(maxsize=4096)
def _env_lines(items: tuple[tuple[str, Any], ...], types: tuple[type, ...]) -> tuple[str, ...]:
    return tuple(f"export {key}={quote(js_str(value))}" for key, value in items)


class Tables:
    """The shared tables of one recipe's data; ids are handed out in first-use order."""

    def __init__(self) -> None:
        self.strings: dict[str, int] = {}
        self._string_list: list[str] = []
        self.texts: list[list[int]] = []
        self._text_ids: dict[tuple[str, tuple[int, ...]], int] = {}
        self._depth: list[int] = []
        self._recent: dict[str, list[int]] = {}
        self.plain: list[tuple[int, ...]] = []
        self.vectors: list[list[Any]] = []
        self._vector_ids: dict[str, int] = {}
        self.launches: list[list[int]] = []
        self._launch_ids: dict[tuple[int, ...], int] = {}
        self.renderings: list[Any] = []
        self._rendering_ids: dict[str, int] = {}
        self.series: dict[str, list[list[list[int]]]] = {"ys": [], "zs": []}
        """Line swaps of large prefill/decode pools, per follower rank (``ys``) and per pool size
        (``zs``): :mod:`builder.site.command_builder.pools`."""
        self.kinds: dict[int, str] = {}
        """String id → "arg" (a command line) or "env" (an export line): what `q` may cover."""

    def string(self, value: str) -> int:
        if value not in self.strings:
            self.strings[value] = len(self._string_list)
            self._string_list.append(value)
        return self.strings[value]

    def text(self, lines: Sequence[str], kind: str) -> int:
        """Id of a list of lines; -1 for none. Stored as a difference when that is shorter."""
        if not lines:
            return -1
        ids = tuple(self.string(line) for line in lines)
        if kind in ("cmd", "feature", "env"):
            for sid in ids:
                self.kinds.setdefault(sid, "env" if kind == "env" else "arg")
        key = (kind, ids)
        if key in self._text_ids:
            return self._text_ids[key]
        best, depth = list(ids), 0
        tid = len(self.texts)
        for ref in reversed(self._recent.get(kind, [])):
            if self._depth[ref] >= _MAX_DEPTH:
                continue
            base = self.plain[ref]
            head = 0
            while head < min(len(base), len(ids)) and base[head] == ids[head]:
                head += 1
            tail = 0
            while tail < min(len(base), len(ids)) - head and base[-1 - tail] == ids[-1 - tail]:
                tail += 1
            middle = list(ids[head:len(ids) - tail])
            if 3 + len(middle) < len(best):
                best, depth = [ref - tid, head, tail, *middle], self._depth[ref] + 1
        self.texts.append(best)
        self.plain.append(ids)
        self._depth.append(depth)
        self._text_ids[key] = tid
        recent = self._recent.setdefault(kind, [])
        recent.append(tid)
        del recent[:-_DELTA_WINDOW]
        return tid

    def vector(self, chunks: list[Any]) -> int:
        if all(c == -1 for c in chunks):
            return -1
        key = repr(chunks)
        if key not in self._vector_ids:
            self._vector_ids[key] = self._append(self.vectors, chunks)
        return self._vector_ids[key]

    def launch(self, row: list[int]) -> int:
        key = tuple(row)
        if key not in self._launch_ids:
            self._launch_ids[key] = self._append(self.launches, row)
        return self._launch_ids[key]

    def rendering(self, value: Any) -> int:
        key = repr(value)
        if key not in self._rendering_ids:
            self._rendering_ids[key] = self._append(self.renderings, value)
        return self._rendering_ids[key]

    @staticmethod
    def _append(table: list, value: Any) -> int:
        table.append(value)
        return len(table) - 1

    def as_json(self) -> dict[str, Any]:
        out = {"sep": SEP, "s": self._string_list, "t": self.texts, "fv": self.vectors,
               "l": self.launches, "r": self.renderings}
        return {**out, **self.series} if self.series["zs"] else out

    def tokens(self) -> dict[str, list[str]]:
        """argv tokens of command and export lines whose plain split is not their tokens (`q`).

        A command line is `flag`, `flag value` or (first line) `vllm serve MODEL`; an export line
        is `export K=V`. Only lines with shell quoting (or the first line, whose tokens are those
        after `vllm serve`) are listed; the page splits the others at the first space or `=`.
        """
        out: dict[str, list[str]] = {}
        for sid, kind in sorted(self.kinds.items()):
            line = self._string_list[sid]
            if kind == "env":
                key, _, raw = line.removeprefix("export ").partition("=")
                value = shlex.split(raw)[0] if raw else ""
                if value != raw:
                    out[str(sid)] = [key, value]
                continue
            tokens = shlex.split(line)
            if line.startswith("vllm serve "):
                out[str(sid)] = tokens[2:]
            elif tokens != line.split(" ", 1):
                out[str(sid)] = tokens
        return out


def split(launch: Launch) -> tuple[list[str], list[str] | None]:
    """Command lines, and the docker lines that precede the shared argument lines."""
    lines = launch.command.split(SEP)
    if launch.docker_command is None:
        return lines, None
    docker = launch.docker_command.split(SEP)
    body = len(lines) - 1
    head = docker[:len(docker) - body] if body else docker
    if docker[len(head):] != lines[1:]:
        raise CompositionError(f"docker form does not wrap the command lines: {launch.command!r}")
    return lines, head


def encode_launch(tables: Tables, launch: Launch, vector: int = -1) -> int:
    own, head = split(launch)
    role = decode.ROLES.index(launch.role)
    return tables.launch([role, launch.rank, tables.text(env_lines(launch.env), "env"), tables.text(own, "cmd"),
                          tables.text(head, "docker") if head is not None else -1, vector])


POOL_ROLES = ("prefill", "decode", "router")


def groups(launches: Sequence[Launch]) -> list[list[int]]:
    """Launch positions per part: one part, or for prefill/decode one per role and the router."""
    parts: dict[str, list[int]] = {}
    for i, launch in enumerate(launches):
        parts.setdefault(launch.role if launch.role in POOL_ROLES else "node", []).append(i)
    return list(parts.values())


def shown(launches: Sequence[Launch]) -> list[decode.Shown]:
    return [decode.Shown(x.role, x.rank, tuple(env_lines(x.env)), x.command, x.docker_command) for x in launches]


def check(tables: Tables, rid: int, mask: int, expected: Sequence[Launch], modes: Sequence[int] = (),
          adv: int = 0) -> None:
    """Raise unless the stored rendering shows exactly what ``deploy`` returned (features `mask`,
    mode index per feature `modes`, advanced options `adv`)."""
    if decode.Decoder(tables.as_json(), tables.plain).rendering(rid, mask, modes, adv) != shown(expected):
        raise CompositionError(f"builder data differs from deploy() for {expected[0].role} launches")



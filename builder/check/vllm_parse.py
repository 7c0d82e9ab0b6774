"""Parse every published `vllm serve` argv with vLLM's own argument parser.

Our lint (:mod:`builder.check.lint`) reads an option table exported from one vLLM release. This
check asks vLLM itself: when the optional extra is installed (``pip install '.[vllm]'``), each
distinct argv of a built API is handed to the parser `vllm serve` uses, and whatever it rejects
is reported with the first API file that publishes it.

Placeholders such as ``$PREFILL_DP_RPC_PORT`` are part of the published commands (the user sets
them before running; the JSON API must stay identical to the public one), so where the parser
refuses one, the check substitutes a number, notes the placeholder and parses on.

Any module with a ``make_parser() -> argparse.ArgumentParser`` can stand in for vLLM (the tests
use one built from ``builder/data/vllm_serve_options.json``, so CI does not install vLLM).
"""
from __future__ import annotations

import argparse
import importlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, NoReturn

_PLACEHOLDER = re.compile(r"^\$[A-Z_][A-Z0-9_]*$")


class ParserUnavailable(RuntimeError):
    """vLLM (or the named stand-in) cannot be imported."""


class _Rejected(Exception):
    pass


def _vllm_parser() -> argparse.ArgumentParser:
    """`vllm serve`'s parser; its import path moved between vLLM releases."""
    try:
        from vllm.entrypoints.openai.cli_args import make_arg_parser  # type: ignore[import-not-found]
    except ImportError as err:
        raise ParserUnavailable("vLLM is not installed; install the optional extra: "
                                "pip install 'vllm-recipes-builder[vllm]'") from err
    flexible: Any = None
    for path in ("vllm.utils.argparse_utils", "vllm.utils"):
        try:
            flexible = importlib.import_module(path).FlexibleArgumentParser
            break
        except (ImportError, AttributeError):
            continue
    if flexible is None:
        raise ParserUnavailable("this vLLM release has no FlexibleArgumentParser; cannot build its parser")
    parser: argparse.ArgumentParser = make_arg_parser(flexible(prog="vllm serve"))
    return parser


def load_parser(module: str | None = None) -> argparse.ArgumentParser:
    """vLLM's serve parser, or `module.make_parser()` when a stand-in module is named."""
    if module is None:
        return _vllm_parser()
    try:
        parser: argparse.ArgumentParser = importlib.import_module(module).make_parser()
        return parser
    except ImportError as err:
        raise ParserUnavailable(f"cannot import the parser module {module!r}: {err}") from err


def serve_argvs(files: Iterable[tuple[str, bytes]]) -> dict[tuple[str, ...], list[str]]:
    """Every distinct `vllm serve …` argv in API documents → the files that publish it."""
    found: dict[tuple[str, ...], list[str]] = {}

    def walk(node: Any, path: str) -> Iterator[tuple[str, ...]]:
        if isinstance(node, dict):
            for value in node.values():
                yield from walk(value, path)
        elif isinstance(node, list):
            if len(node) >= 2 and node[0] == "vllm" and node[1] == "serve" and all(isinstance(t, str) for t in node):
                yield tuple(node)
            else:
                for value in node:
                    yield from walk(value, path)

    for path, data in files:
        if not path.endswith(".json"):
            continue
        for argv in walk(json.loads(data), path):
            found.setdefault(argv, []).append(path)
    return found


@dataclass
class Verdict:
    argv: tuple[str, ...]
    error: str | None = None
    placeholders: list[str] = field(default_factory=list)
    """Placeholders the parser refused where it expects a value of another type."""


def parse(parser: argparse.ArgumentParser, argv: tuple[str, ...]) -> Verdict:
    """Parse `vllm serve` arguments (argv without `vllm serve`) as vLLM would."""

    def error(message: str) -> NoReturn:  # argparse would print and exit; we want the reason
        raise _Rejected(message)

    parser.error = error  # type: ignore[method-assign]
    args = list(argv[2:])
    verdict = Verdict(argv)
    for _ in range(len(args) + 1):
        try:
            parser.parse_args(args)
            return verdict
        except _Rejected as err:
            message = str(err)
        except SystemExit as err:  # some parsers exit directly (e.g. on --help)
            message = f"the parser exited ({err.code})"
        hit = next((i for i, a in enumerate(args) if _PLACEHOLDER.match(a) and a in message), None)
        if hit is None:
            verdict.error = message
            return verdict
        verdict.placeholders.append(args[hit])
        args[hit] = "1"  # a stand-in number so the rest of the argv is still checked
    verdict.error = "the parser kept refusing placeholders"
    return verdict

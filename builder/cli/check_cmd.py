"""`check --vllm`: does vLLM's own parser accept every `vllm serve` argv we publish?

Reads a built API folder (``--api``) or builds the API in memory from ``--recipes``. Exit codes:
0 every argv parses (placeholders noted), 1 vLLM rejects some, 2 vLLM cannot be loaded.
"""
from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from builder.text import safe_text


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("check", help="parse every published vllm serve argv with vLLM's own parser",
                       description="Parse every `vllm serve` argv of a JSON API with the parser of the installed "
                                   "vLLM (optional extra: pip install 'vllm-recipes-builder[vllm]') and report "
                                   "what it rejects. Exit 0 when all parse, 1 when some are rejected, 2 when "
                                   "vLLM cannot be loaded.")
    p.add_argument("--vllm", action="store_true", required=True, help="check with vLLM's argument parser")
    source = p.add_mutually_exclusive_group()
    source.add_argument("--api", type=Path, metavar="DIR", help="a built API folder (default: build from --recipes)")
    source.add_argument("--recipes", type=Path, default=Path("recipes"), help="recipe folder (default: recipes)")
    p.add_argument("--parser-module", metavar="MODULE",
                   help="a module whose make_parser() stands in for vLLM's parser (for tests)")
    p.set_defaults(func=run)


def _api_files(folder: Path) -> Iterator[tuple[str, bytes]]:
    for dirpath, _, names in os.walk(folder):
        for name in sorted(names):
            if name.endswith(".json"):
                path = Path(dirpath) / name
                yield path.relative_to(folder).as_posix(), path.read_bytes()


def _built(recipes: Path) -> Iterator[tuple[str, bytes]]:
    from builder.api import build_api
    from builder.check import load_catalog

    yield from build_api(load_catalog(recipes)).items()


def run(args: argparse.Namespace) -> int:
    # Imported here: `builder.check` loads the models, which no other command should wait for.
    from builder.check.vllm_parse import ParserUnavailable, load_parser, parse, serve_argvs

    try:
        parser = load_parser(args.parser_module)
    except ParserUnavailable as err:
        print(f"recipes check: {err}", file=sys.stderr)
        return 2
    files = _api_files(args.api) if args.api else _built(args.recipes)
    argvs = serve_argvs(files)
    rejected = 0
    placeholders: dict[str, int] = {}
    for argv, where in sorted(argvs.items(), key=lambda item: item[1][0]):
        verdict = parse(parser, argv)
        for name in verdict.placeholders:
            placeholders[name] = placeholders.get(name, 0) + len(where)
        if verdict.error is not None:
            rejected += 1
            more = f" (and {len(where) - 1} more files)" if len(where) > 1 else ""
            print(safe_text(f"{where[0]}{more}: vLLM rejects `{' '.join(argv)}`: {verdict.error}"))
    for name, count in sorted(placeholders.items()):
        print(f"note: {name} stands where vLLM expects a number ({count} files); set it before running "
              "the command")
    print(f"{len(argvs) - rejected} of {len(argvs)} distinct vllm serve argv parse"
          + (f"; {rejected} rejected" if rejected else ""))
    return 1 if rejected else 0


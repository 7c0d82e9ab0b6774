"""`recipes` / `python -m builder`: one entry point, a subcommand per job.

Exit codes: 0 success, 1 invalid input (located messages on stderr), 2 usage errors.
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from builder.cli import api_cmd, command_cmd, new_cmd, schema_cmd, site_cmd, validate_cmd
from builder.errors import RecipeError

# Each subcommand module exposes `register(subparsers) -> None`, setting `func` on its parser.
SUBCOMMANDS = (api_cmd, validate_cmd, site_cmd, command_cmd, new_cmd, schema_cmd)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="recipes", description="Build the vLLM recipes site and JSON API from a folder of YAML recipes.")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in SUBCOMMANDS:
        module.register(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except RecipeError as err:
        for problem in err.problems:
            print(problem, file=sys.stderr)
        count = len(err.problems)
        print(f"{count} problem{'s' if count != 1 else ''} found; nothing was written.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130

"""`recipes` / `python -m builder`: one entry point, a subcommand per job.

Exit codes: 0 success, 1 invalid input (located messages on stderr), 2 usage errors.
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from builder.cli import api_cmd, check_cmd, command_cmd, new_cmd, schema_cmd, site_cmd, validate_cmd
from builder.errors import RecipeError
from builder.text import safe_text

ISSUES_URL = "https://github.com/vllm-project/recipes/issues"


def describe_os_error(err: OSError) -> str:
    """`cannot write /x/y: No space left on device`: the path and the system's reason, one line."""
    where = err.filename if err.filename is not None else ""
    reason = err.strerror or str(err)
    return safe_text(f"{where}: {reason}" if where else reason)

# Each subcommand module exposes `register(subparsers) -> None`, setting `func` on its parser.
SUBCOMMANDS = (api_cmd, validate_cmd, site_cmd, command_cmd, new_cmd, schema_cmd, check_cmd)


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
    except BrokenPipeError:  # `recipes command … | head`: the reader left, nothing to report
        return 1
    except OSError as err:  # disk full, read-only, permission denied, a file where a folder goes
        print(f"error: {describe_os_error(err)}; nothing was written.", file=sys.stderr)
        return 1
    except MemoryError:
        print("error: out of memory; nothing was written.", file=sys.stderr)
        return 1
    except Exception as err:  # a bug of ours: one line, never a traceback
        print(f"error: internal error ({type(err).__name__}: {safe_text(str(err))[:300]}); this is a bug in "
              f"the builder, please report it at {ISSUES_URL} with the command you ran.", file=sys.stderr)
        return 70

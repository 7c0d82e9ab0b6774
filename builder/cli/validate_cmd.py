"""`validate`: every problem of a recipe folder in one run, without writing anything.

Loading and schema errors, cross-reference checks (builder.check.crossrefs) and the vLLM argument lint
(builder.check.lint) are reported together, each as ``file:line:column: key.path: reason``.
Exit codes: 0 clean (or warnings only), 1 errors (or warnings with --strict), 2 usage.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from builder.cli.api_cmd import API_VERSIONS, NEWEST_VERSION
from builder.errors import Problem, RecipeError

if TYPE_CHECKING:  # imported where used, so that `recipes api` does not load what validating needs
    from builder.models import Catalog
    from builder.synth import Edition


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("validate", help="check a recipe folder and report every problem (writes nothing)",
                       description="Load, validate, cross-check and lint every recipe and strategy; report "
                                   "every problem at once. Exit 0 when clean (or only warnings), 1 on errors "
                                   "(or warnings with --strict), 2 on usage errors.")
    p.add_argument("--recipes", type=Path, default=Path("recipes"), help="recipe folder (default: recipes)")
    p.add_argument("--strict", action="store_true", help="fail on warnings too (for CI)")
    p.add_argument("--format", choices=("text", "json"), default="text", help="report format (default: text)")
    p.add_argument("--api-version", choices=API_VERSIONS, default=NEWEST_VERSION,
                   help=f"API edition whose rules the dry build follows (default: {NEWEST_VERSION})")
    p.set_defaults(func=run)


_LOCATED = re.compile(r"(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<key>[^:\s]+): (?P<rest>.*)")


def collect(root: Path, edition: Edition) -> list[Problem]:
    """Every error and warning of the folder, sorted by file and position, without duplicates."""
    from builder.check import checked
    from builder.check.lint import VllmOptions, lint_catalog
    from builder.load.catalog import read_catalog
    from builder.synth.final_lint import final_lint
    found: set[Problem] = set()
    catalog = None
    try:
        loading = read_catalog(root)
    except RecipeError as err:
        return sorted(err.problems)
    found.update(lint_catalog(loading.catalog, VllmOptions.load()))
    try:
        catalog = checked(loading.catalog, loading.problems, loading.taxonomy_ok)
        found.update(catalog.warnings)
        found.update(_dry_build(catalog, edition))
        # What vLLM would take other than meant, on the joined commands.
        found.update(final_lint(catalog, edition=edition))
    except RecipeError as err:
        found.update(err.problems)
        found.update(getattr(err, "warnings", ()))
        if catalog is not None:  # a build stops at its first failing recipe; report every one
            found.update(_each_recipe(catalog, edition))
    return sorted(found)


def _each_recipe(catalog: Catalog, edition: Edition) -> list[Problem]:
    """The build errors of each recipe on its own (a dry build stops at the first)."""
    from builder.api import build_api
    out: list[Problem] = []
    for entry in catalog.recipes:
        try:
            build_api(dataclasses.replace(catalog, recipes=(entry,)), [], edition)
        except RecipeError as err:
            out += err.problems
    return out


def _dry_build(catalog: Catalog, edition: Edition) -> list[Problem]:
    """Synthesize the whole API in memory: some problems (a multi-node default on one node)
    only show when commands are built. Raises RecipeError like the api command does."""
    from builder.api import build_api
    messages: list[str] = []
    build_api(catalog, messages, edition)
    displays = {e.display for e in catalog.recipes}
    out: list[Problem] = []
    for message in messages:
        located = _LOCATED.fullmatch(message)
        if located and located["path"] in displays:
            out.append(Problem(located["path"], int(located["line"]), int(located["col"]), located["key"],
                               located["rest"], "warning"))
            continue
        # Build warnings read "<file>: <what>"; keep the file so they sort with the rest.
        path, sep, rest = message.partition(": ")
        if sep and path in displays:
            out.append(Problem(path, message=rest, severity="warning"))
        else:
            out.append(Problem(catalog.root.name, message=message, severity="warning"))
    return out


def summary(problems: list[Problem], strict: bool) -> tuple[str, int]:
    counts = Counter("error" if p.severity == "error" else "warning" for p in problems)
    errors, warnings = counts["error"], counts["warning"]
    files = len({p.path for p in problems})
    if not problems:
        return "no problems found", 0
    parts = [f"{n} {word}{'s' if n != 1 else ''}" for n, word in ((errors, "error"), (warnings, "warning")) if n]
    failed = errors > 0 or (strict and warnings > 0)
    tail = " (--strict: warnings fail)" if strict and warnings and not errors else ""
    return f"{' and '.join(parts)} in {files} file{'s' if files != 1 else ''}{tail}", 1 if failed else 0


def run(args: argparse.Namespace) -> int:
    from builder.synth import edition_named
    root: Path = args.recipes
    if not root.is_dir():
        print(f"recipes validate: error: recipe folder not found: {root}", file=sys.stderr)
        return 2
    problems = collect(root, edition_named(args.api_version))
    line, code = summary(problems, args.strict)
    if args.format == "json":
        report: dict[str, Any] = {
            "ok": code == 0,
            "errors": sum(p.severity == "error" for p in problems),
            "warnings": sum(p.severity != "error" for p in problems),
            "problems": [{"path": p.path, "line": p.line, "column": p.column, "key": p.key,
                          "severity": p.severity, "message": p.message, "text": str(p)} for p in problems],
        }
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        for problem in problems:
            print(problem)
        print(line)
    return code

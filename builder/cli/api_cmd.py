"""`api`: write the static JSON API of a recipe folder."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from builder.api import write_api
from builder.check import load_catalog
from builder.synth import EDITIONS, NEWEST, edition_named
from builder.write.guard import check_separate


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("api", help="write the JSON API (models.json, /<org>/<repo>.json, …)",
                       description="Load, validate and synthesize every recipe, then write the JSON API "
                                   "into OUT atomically (OUT is replaced as a whole only on success).")
    p.add_argument("--recipes", type=Path, default=Path("recipes"), help="recipe folder (default: recipes)")
    p.add_argument("--out", type=Path, required=True, help="output folder, replaced on success")
    p.add_argument("--api-version", choices=sorted(EDITIONS), default=NEWEST.name,
                   help=f"which upstream API edition to reproduce (default: {NEWEST.name}, the newest)")
    p.add_argument("--reference-only", action="store_true",
                   help="write only the documents the public recipes API defines (no per-variant endpoints)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    check_separate(args.out, args.recipes)  # before reading anything: --out R would delete R
    catalog = load_catalog(args.recipes)
    for problem in catalog.warnings:  # cross-reference findings that do not stop the build
        print(problem, file=sys.stderr)
    warnings: list[str] = []
    count = write_api(catalog, args.out, warnings, extensions=not args.reference_only,
                      edition=edition_named(args.api_version))
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"wrote {count} files to {args.out}", file=sys.stderr)
    return 0

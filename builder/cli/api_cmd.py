"""`api`: write the static JSON API of a recipe folder.

Heavy modules (pydantic models, synthesis) are imported inside `run`, after the build cache has
had its say: an unchanged rebuild answers from input digests alone.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from builder.write.cache import BuildCache
from builder.write.guard import check_separate

API_VERSIONS = ("2026-06", "2026-08")
"""`builder.synth.EDITIONS`, spelled out so that parsing arguments imports no synthesis (a test holds them equal)."""
NEWEST_VERSION = "2026-08"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("api", help="write the JSON API (models.json, /<org>/<repo>.json, …)",
                       description="Load, validate and synthesize every recipe, then write the JSON API "
                                   "into OUT atomically (OUT is replaced as a whole only on success). "
                                   "A record of the build in .recipes-cache/ beside OUT lets a rebuild "
                                   "render only the recipes that changed.")
    p.add_argument("--recipes", type=Path, default=Path("recipes"), help="recipe folder (default: recipes)")
    p.add_argument("--out", type=Path, required=True, help="output folder, replaced on success")
    p.add_argument("--api-version", choices=API_VERSIONS, default=NEWEST_VERSION,
                   help=f"which upstream API edition to reproduce (default: {NEWEST_VERSION}, the newest)")
    p.add_argument("--reference-only", action="store_true",
                   help="write only the documents the public recipes API defines (no per-variant endpoints)")
    p.add_argument("--no-cache", action="store_true",
                   help="render every recipe, ignoring and not recording the previous build")
    p.set_defaults(func=run)


def cache_options(api_version: str, reference_only: bool) -> str:
    """Everything besides the inputs that the output depends on (part of the build key)."""
    return f"api {api_version} reference-only={reference_only}"


def run(args: argparse.Namespace) -> int:
    check_separate(args.out, args.recipes)  # before reading anything: --out R would delete R
    cache = None
    if not args.no_cache:
        cache = BuildCache(args.recipes, args.out, cache_options(args.api_version, args.reference_only))
        if cache.up_to_date():
            print(f"{args.out} is up to date: nothing written", file=sys.stderr)
            return 0
    from builder.api import write_api_report
    from builder.check import load_catalog
    from builder.synth import edition_named

    catalog = load_catalog(args.recipes)
    for problem in catalog.warnings:  # cross-reference findings that do not stop the build
        print(problem, file=sys.stderr)
    warnings: list[str] = []
    report = write_api_report(catalog, args.out, warnings, extensions=not args.reference_only,
                              edition=edition_named(args.api_version), cache=cache)
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    reused = f"; {report.reused} recipes reused, {len(report.rendered)} rendered" if report.reused else ""
    print(f"wrote {report.files} files to {args.out}{reused}", file=sys.stderr)
    return 0

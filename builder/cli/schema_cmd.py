"""`schema`: write (or check) the JSON Schema of a recipe, generated from `builder.models.Recipe`.

The schema is committed at `recipes/schema/recipe.schema.json` so editors validate recipes as
they are typed (each recipe's first line points at it); `--check` keeps that copy honest in CI.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

DEFAULT_OUT = Path("recipes") / "schema" / "recipe.schema.json"
"""`builder.models.schema.SCHEMA_FILE` below recipes/, spelled out so that parsing arguments imports
no pydantic models (a test holds them equal)."""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "schema", help="write the JSON Schema of a recipe file",
        description="Generate the JSON Schema of a recipe (models/<org>/<repo>.yaml) from the builder's\n"
                    "pydantic models and write it to FILE, or with --check only compare it.",
        epilog="examples:\n"
               "  recipes schema                    # rewrite recipes/schema/recipe.schema.json\n"
               "  recipes schema --check            # exit 1 when the committed schema is stale\n"
               "  recipes schema --out - | jq .     # print it\n\n"
               "Editors that speak yaml-language-server pick it up from the first line of each recipe:\n"
               "  # yaml-language-server: $schema=../../schema/recipe.schema.json",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, metavar="FILE",
                   help=f"where to write it; '-' for standard output (default: {DEFAULT_OUT})")
    p.add_argument("--check", action="store_true",
                   help="write nothing; exit 1 if FILE differs from the generated schema")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from builder.models.schema import schema_text

    text = schema_text()
    out: Path = args.out
    if str(out) == "-":
        sys.stdout.write(text)
        return 0
    if args.check:
        current = out.read_text(encoding="utf-8") if out.is_file() else None
        if current != text:
            state = "is missing" if current is None else "is out of date"
            print(f"{out.as_posix()} {state}; regenerate it with `recipes schema --out {out.as_posix()}`",
                  file=sys.stderr)
            return 1
        print(f"{out.as_posix()} is up to date", file=sys.stderr)
        return 0
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(f"wrote {out.as_posix()}", file=sys.stderr)
    return 0

#!/usr/bin/env python3
"""Regenerate builder/data/vllm_serve_options.json from an installed vLLM.

The recipe lint (builder.check.lint) checks recipe arguments against this table, so the table must come
from vLLM itself, never be edited by hand. This script builds `vllm serve`'s real argument parser
and reads off every option, the keys each config class accepts and the registered tool-call and
reasoning parser names.

NOT RUN IN THIS REPOSITORY: vLLM (torch, CUDA wheels) cannot be installed in the build
environment, so the shipped table is vLLM 0.33.0's as provided in the shared reference material.
Run this script in an environment that has the vLLM release you target:

    pip install "vllm==0.33.0"
    python scripts/update_vllm_options.py             # rewrite the shipped table
    python scripts/update_vllm_options.py --check     # exit 1 when the shipped table differs
    python scripts/update_vllm_options.py -o out.json # write elsewhere

Output format (read by builder.check.lint.options.VllmOptions):
    vllm_version, command, options[{options, dest, kind, choices?}],
    config_keys{dest: {class, keys, note?}}, tool_call_parsers, reasoning_parsers
`kind` is "flag" (takes no value) or the value type ("int", "float", "str"; "value" for any
other converter) followed by argparse's nargs "+", "*" or "?" when it is not exactly one.
"""
from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import sys
import types
import typing
from pathlib import Path
from typing import Any

DEFAULT_OUTPUT = Path(__file__).resolve().parents[1] / "builder" / "data" / "vllm_serve_options.json"
UNCHECKED_NOTE = "typed as a plain dict: vLLM's parser does not check these keys"


def main(argv: list[str] | None = None) -> int:
    cli = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Needs an installed vLLM; it was not run in this repository (vLLM cannot be "
        "installed there). The shipped table is vLLM 0.33.0's.",
    )
    cli.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT,
                     help=f"where to write the table (default: {DEFAULT_OUTPUT})")
    cli.add_argument("--check", action="store_true",
                     help="do not write; exit 1 when the file differs from the installed vLLM")
    args = cli.parse_args(argv)

    try:
        import vllm
    except ImportError:
        print("error: vLLM is not installed in this Python environment", file=sys.stderr)
        return 2

    text = json.dumps(build_table(vllm.__version__), indent=1)
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is out of date for vLLM {vllm.__version__}", file=sys.stderr)
            return 1
        return 0
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output} (vLLM {vllm.__version__})")
    return 0


def build_table(version: str) -> dict[str, Any]:
    parser = serve_parser()
    return {
        "vllm_version": version,
        "command": "vllm serve",
        "options": [describe(action) for action in parser._actions if _is_option(action)],
        "config_keys": config_keys(),
        "tool_call_parsers": registered_names(_first_attr(
            ["vllm.tool_parsers", "vllm.entrypoints.openai.tool_parsers"], "ToolParserManager"
        )),
        "reasoning_parsers": registered_names(
            _first_attr(["vllm.reasoning"], "ReasoningParserManager")
        ),
    }


def serve_parser() -> argparse.ArgumentParser:
    """`vllm serve`'s parser, built the way the CLI builds it."""
    flexible = _first_attr(["vllm.utils.argparse_utils", "vllm.utils"], "FlexibleArgumentParser")
    from vllm.entrypoints.openai.cli_args import make_arg_parser

    return make_arg_parser(flexible(prog="vllm serve"))


def _is_option(action: argparse.Action) -> bool:
    # Positionals (model_tag) and --help are not recipe arguments.
    return bool(action.option_strings) and not isinstance(action, argparse._HelpAction)


def describe(action: argparse.Action) -> dict[str, Any]:
    entry: dict[str, Any] = {"options": list(action.option_strings), "dest": action.dest,
                             "kind": kind_of(action)}
    if action.choices is not None and not isinstance(action.choices, dict):
        entry["choices"] = sorted(str(c) for c in action.choices)
    return entry


def kind_of(action: argparse.Action) -> str:
    if action.nargs == 0:  # store_true/false/const, count and BooleanOptionalAction
        return "flag"
    base = {int: "int", float: "float", str: "str", None: "str"}.get(action.type, "value")
    suffix = action.nargs if action.nargs in ("+", "*", "?") else ""
    return base + suffix


def config_keys() -> dict[str, dict[str, Any]]:
    """For every engine/frontend argument whose value is a config object: its accepted keys."""
    result: dict[str, dict[str, Any]] = {}
    for args_class in _argument_dataclasses():
        hints = _type_hints(args_class)
        for field in dataclasses.fields(args_class):
            entry = _config_entry(field.name, hints.get(field.name, field.type))
            if entry is not None:
                result.setdefault(field.name, entry)
    return dict(sorted(result.items()))


def _argument_dataclasses() -> list[type]:
    from vllm.engine.arg_utils import EngineArgs

    classes: list[type] = [EngineArgs]
    cli_args = importlib.import_module("vllm.entrypoints.openai.cli_args")
    for name, value in vars(cli_args).items():
        if name.endswith("Args") and dataclasses.is_dataclass(value) and value not in classes:
            classes.append(value)
    return classes


def _type_hints(cls: type) -> dict[str, Any]:
    try:
        return typing.get_type_hints(cls)
    except Exception:  # forward references to TYPE_CHECKING-only names: fall back per field
        return {}


def _config_entry(dest: str, annotation: Any) -> dict[str, Any] | None:
    for candidate in _union_members(annotation):
        keys = _class_keys(candidate)
        if keys is not None:
            return {"class": candidate.__name__, "keys": keys}
    if any(_origin(c) is dict for c in _union_members(annotation)):
        # A plain dict whose keys a config class of the same name defines (--speculative-config).
        named = getattr(importlib.import_module("vllm.config"), _camel(dest), None)
        keys = _class_keys(named) if named is not None else None
        if keys is not None:
            return {"class": named.__name__, "keys": keys, "note": UNCHECKED_NOTE}
    return None


def _union_members(annotation: Any) -> list[Any]:
    if _origin(annotation) in (typing.Union, types.UnionType):
        return [m for arg in typing.get_args(annotation) for m in _union_members(arg)]
    if _origin(annotation) is typing.Annotated:
        return _union_members(typing.get_args(annotation)[0])
    return [annotation]


def _origin(annotation: Any) -> Any:
    return typing.get_origin(annotation) or (annotation if annotation is dict else None)


def _class_keys(cls: Any) -> list[str] | None:
    if not isinstance(cls, type):
        return None
    if dataclasses.is_dataclass(cls):  # also pydantic dataclasses, which vLLM configs are
        return sorted(f.name for f in dataclasses.fields(cls))
    model_fields = getattr(cls, "model_fields", None)  # pydantic BaseModel
    if isinstance(model_fields, dict):
        return sorted(model_fields)
    return None


def _camel(dest: str) -> str:
    return "".join(part.capitalize() for part in dest.split("_"))


def registered_names(manager: Any) -> list[str]:
    """Names a parser manager registers, eager and lazy, across vLLM's API versions."""
    listed = getattr(manager, "list_registered", None)
    if callable(listed):
        return sorted(listed())
    names: set[str] = set()
    for attr in ("tool_parsers", "reasoning_parsers", "lazy_parsers", "_lazy_parsers"):
        registry = getattr(manager, attr, None)
        if isinstance(registry, dict):
            names.update(registry)
    return sorted(names)


def _first_attr(modules: list[str], name: str) -> Any:
    for module in modules:
        try:
            return getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError):
            continue
    raise ImportError(f"{name} not found in {', '.join(modules)}; update this script for this vLLM")


if __name__ == "__main__":
    raise SystemExit(main())

"""`new ORG/REPO`: scaffold a recipe that validates as is and shows every key it could have.

Required keys get placeholder values marked TODO; optional keys are written commented out with
an example. The comment above each key is the field's docstring from `builder.models`, so the
scaffold explains exactly what the loader accepts.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from builder.errors import Problem, RecipeError

if TYPE_CHECKING:  # the models are imported where used, so that `recipes api` does not load them
    from pydantic import BaseModel

_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_ALL: Any = object()  # "every key active": used to check that the examples themselves validate

# Example values for commented-out keys (a test checks every path still exists in the models).
EXAMPLES: dict[str, Any] = {
    "meta.slug": "my-model",
    "meta.difficulty": "beginner",
    "meta.tasks": ["text"],
    "meta.performance_headline": "Fits one H200 node; 2x faster decode with MTP",
    "meta.related_recipes": ["org/other-model"],
    "meta.hardware": {"h200": "verified"},
    "meta.platforms[].id": "modal",
    "model.min_vllm_version": "0.11.0",
    "meta.title": "Model-8B",
    "meta.provider": "Org",
    "model.model_id": "org/Model-8B",
    "variants.<variant>.model_id": "org/model-FP8",
    "model.docker_image": "vllm/vllm-openai:latest",
    "model.architecture": "dense",
    "model.parameter_count": "8B",
    "model.active_parameters": "8B",
    "model.context_length": 131072,
    "model.base_args": ["--max-model-len", "32768"],
    "model.base_env": {"VLLM_ATTENTION_BACKEND": "FLASHINFER"},
    "model.install.pip.command": "uv pip install vllm --torch-backend=auto",
    "features.<feature>.description": "Tool calling with the hermes parser",
    "features.<feature>.args": ["--enable-auto-tool-choice", "--tool-call-parser", "hermes"],
    "features.<feature>.hardware_overrides.<hardware>.args": ["--tool-call-parser", "hermes"],
    "opt_in_features": ["tool_calling"],
    "hardware_opt_in_features": {"mi300x": ["tool_calling"]},
    "variants.<variant>.precision": "fp8",
    "variants.<variant>.vram_minimum_gb": 40,
    "variants.<variant>.tp": 2,
    "variants.<variant>.extra_args": ["--kv-cache-dtype", "fp8"],
    "variants.<variant>.supported_hardware": ["h200", "b200"],
    "default_strategy": "single_node_tp",
    "hardware_overrides.<hardware>.extra_args": ["--kv-cache-dtype", "fp8"],
    "strategy_overrides.<strategy>.tp": 4,
    "strategy_overrides.<strategy>.prefill.parallelism": "tp",
    "strategy_overrides.<strategy>.decode.parallelism": "tp",
    "dependencies[].command": "uv pip install 'transformers>=4.57'",
    "omni.tasks[].id": "text-to-speech",
}
# Example keys for mappings whose keys the author names.
EXAMPLE_KEYS = {
    "features": "tool_calling",
    "variants": "default",  # a recipe needs it; other variants follow the same shape
    "hardware_overrides": "hopper",
    "strategy_overrides": "multi_node_tp",
    "features.<feature>.hardware_overrides": "blackwell",
    "variants.<variant>.hardware_overrides": "b200",
    "strategy_overrides.<strategy>.hardware_overrides": "hopper",
}
GUIDE = """\
## Overview

TODO: what this model is good at, and anything special about serving it.

## Client usage

TODO: a short example request.
"""


@dataclass(frozen=True)
class Todo:
    """A placeholder the author must replace: written with a trailing `# TODO` note."""

    value: Any
    note: str


def hf_id_argument(text: str) -> str:
    """argparse type: a Hugging Face `ORG/REPO` id, which becomes `models/ORG/REPO.yaml`."""
    parts = text.split("/")
    if (len(parts) != 2 or not all(_SEGMENT.fullmatch(p) for p in parts) or ".." in text
            or text.lower().endswith((".yaml", ".yml"))):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a model id: expected ORG/REPO as on Hugging Face (letters, digits, "
            "'.', '_' and '-'; no extension), e.g. Qwen/Qwen3-8B")
    return text


def active_values(hf_id: str, today: str) -> dict[str, Any]:
    """What the scaffold fills in: the required keys, plus a strategy and a guide skeleton."""
    org, repo = hf_id.split("/")
    return {
        "meta": {
            "title": Todo(repo, "display name"),
            "provider": Todo(org, "who publishes the model"),
            "description": Todo(f"TODO: describe {repo}", "one or two sentences for cards and search"),
            "date_updated": today,
            "tasks": ["text"],
        },
        "model": {"model_id": hf_id},
        "variants": {"default": {"precision": Todo("bf16", "checkpoint precision"),
                                 "vram_minimum_gb": Todo(0, "weights size in GB (0 = unknown)")}},
        "compatible_strategies": ["single_node_tp"],
        "guide": GUIDE,
    }


class _Writer:
    """Emits one model's keys; a commented-out subtree is prefixed with `# ` at its own indent."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def line(self, depth: int, text: str, root: int | None) -> None:
        if root is None:
            self.lines.append("  " * depth + text)
        else:
            self.lines.append("  " * root + "# " + "  " * (depth - root) + text)

    def model(self, model: type[BaseModel], values: Any, depth: int, root: int | None, path: str) -> None:
        from builder.models.schema import MAP_KEY_NAMES, describe, nested, type_label

        for name, info in model.model_fields.items():
            key_path = path + name
            active = root is None and (values is _ALL or (isinstance(values, dict) and name in values))
            sub_root = root if root is not None or active else depth
            if depth == 0 and self.lines:
                self.lines.append("")
            self.line(depth, "# " + (describe(info) or type_label(info.annotation)), root)
            value = _ALL if values is _ALL else values[name] if active else None
            inner = nested(info.annotation)
            if inner is None:
                self.scalar(depth, name, value if active and value is not _ALL else _example(key_path, info), sub_root)
                continue
            shape, child = inner
            self.line(depth, f"{name}:", sub_root)
            if shape == "model":
                self.model(child, value, depth + 1, sub_root, key_path + ".")
            elif shape == "map":
                placeholder = MAP_KEY_NAMES.get(name, "<name>")
                entries = value if isinstance(value, dict) else {EXAMPLE_KEYS.get(key_path, "example"): value}
                for key, entry in entries.items():
                    self.line(depth + 1, f"{key}:", sub_root)
                    self.model(child, entry, depth + 2, sub_root, f"{key_path}.{placeholder}.")
            else:
                self.line(depth + 1, "-", sub_root)
                self.model(child, value, depth + 2, sub_root, key_path + "[].")

    def scalar(self, depth: int, name: str, value: Any, root: int | None) -> None:
        note = ""
        if isinstance(value, Todo):
            value, note = value.value, f"  # TODO: {value.note}"
        if isinstance(value, str) and "\n" in value:
            self.line(depth, f"{name}: |", root)
            for text in value.rstrip("\n").split("\n"):
                if text or root is not None:
                    self.line(depth + 1, text, root)
                else:
                    self.lines.append("")
            return
        self.line(depth, f"{name}: {json.dumps(value, ensure_ascii=False)}{note}", root)


def _example(path: str, info: Any) -> Any:
    from pydantic_core import PydanticUndefined

    from builder.models.schema import default_of, type_label

    if path in EXAMPLES:
        return EXAMPLES[path]
    default = default_of(info)
    if default is not None and default is not PydanticUndefined:
        return default
    label = type_label(info.annotation)
    for prefix, value in (("text", ""), ("integer", 1), ("number", 0), ("true/false", False),
                          ("list", []), ("map", {})):
        if label.startswith(prefix):
            return value
    return ""


def scaffold(hf_id: str, today: str, every_key: bool = False) -> str:
    """The recipe file's text. `every_key` writes every key active (to test the examples)."""
    from builder.models import Recipe
    from builder.models.schema import SCHEMA_FILE

    writer = _Writer()
    writer.model(Recipe, _ALL if every_key else active_values(hf_id, today), 0, None, "")
    header = textwrap.dedent(f"""\
        # yaml-language-server: $schema=../../{SCHEMA_FILE}
        #
        # {hf_id}: scaffolded by `recipes new`. It validates as is: replace each TODO, then run
        # `recipes validate`. Commented-out keys are optional; uncomment the ones you need.
        # The comment above each key comes from the recipe schema (builder/models).

        """)
    return header + "\n".join(writer.lines) + "\n"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "new", help="scaffold a recipe file for a model",
        description="Write models/ORG/REPO.yaml: a recipe that validates as is, with every key either\n"
                    "filled in (marked TODO) or shown commented out with a one-line explanation.",
        epilog="examples:\n  recipes new Qwen/Qwen3-8B\n  recipes new my-org/my-model --recipes ./recipes\n"
               "  recipes new Qwen/Qwen3-8B --force      # replace an existing file",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("hf_id", metavar="ORG/REPO", type=hf_id_argument, help="Hugging Face model id")
    p.add_argument("--recipes", type=Path, default=Path("recipes"), help="recipe folder (default: recipes)")
    p.add_argument("--force", action="store_true", help="overwrite the file if it exists")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from builder.load.catalog import hf_id_for, recipe_files

    root: Path = args.recipes
    if not root.is_dir():
        raise RecipeError(Problem(root.as_posix(), message="recipe folder not found (use --recipes DIR)"))
    target = root / "models" / f"{args.hf_id}.yaml"
    # hf ids ignore nested folders and the .yml spelling: one id must not get two files.
    for existing in recipe_files(root):
        if hf_id_for(root, existing) == args.hf_id and (existing != target or not args.force):
            hint = "" if existing != target else " (use --force to replace it)"
            raise RecipeError(Problem(existing.as_posix(), message=f"{args.hf_id} already has a recipe here{hint}"))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(scaffold(args.hf_id, dt.date.today().isoformat()), encoding="utf-8")
    print(target.as_posix())
    print(f"next: fill in the TODOs in {target.as_posix()}, then run `recipes validate`", file=sys.stderr)
    return 0

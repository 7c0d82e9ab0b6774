"""A stand-in for `vllm serve`'s argument parser, built from the exported option table.

`recipes check --vllm --parser-module vllm_standin` uses it, so the check runs in CI without
installing vLLM. Like vLLM's FlexibleArgumentParser it takes the model as a positional argument, types int and
float values, offers `--no-…` for boolean flags, accepts `_` for `-` in option names, and
skips dotted keys (`-cc.mode=3`, `--limit-mm-per-prompt.video 0`), which vLLM merges.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

TABLE = Path(__file__).resolve().parents[1] / "builder" / "data" / "vllm_serve_options.json"
_TYPES: dict[str, Any] = {"int": int, "float": float, "str": str, "value": str}


class StandInParser(argparse.ArgumentParser):
    """Folds dotted config keys into their option before parsing, as FlexibleArgumentParser does."""

    def __init__(self, config_options: set[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.config_options = config_options

    def parse_args(self, args: Any = None, namespace: Any = None) -> Any:  # type: ignore[override]
        plain: list[str] = []
        items = [w for item in (args or []) for w in (item.split() if item.startswith("--") else [item])]
        i = 0
        while i < len(items):
            item = items[i]
            head, eq, value = item.partition("=")
            if item.startswith("--"):
                head = "--" + head[2:].replace("_", "-")  # vLLM accepts --tokenizer_mode too
                item = head + eq + value
            if item.startswith("-") and "." in head:
                i += 1 if eq else 2  # a dotted key and its value: merged by vLLM, skipped here
                continue
            plain.append(item)
            i += 1
        return super().parse_args(plain, namespace)


def make_parser() -> argparse.ArgumentParser:
    table = json.loads(TABLE.read_text(encoding="utf-8"))
    config = {o for spec in table["options"] for o in spec["options"]
              if spec["dest"] in table.get("config_keys", {})}
    parser = StandInParser(config, prog="vllm serve", add_help=False)
    parser.add_argument("model_tag", nargs="?")
    for spec in table["options"]:
        names, kind = spec["options"], spec["kind"]
        base = kind.rstrip("+")
        if kind == "flag":
            if all(n.startswith("--") for n in names):
                parser.add_argument(*names, dest=spec["dest"], action=argparse.BooleanOptionalAction)
            else:
                parser.add_argument(*names, dest=spec["dest"], action="store_true")
            continue
        extra: dict[str, Any] = {"nargs": "+"} if kind.endswith("+") else {}
        if spec.get("choices") and base != "value":
            extra["choices"] = spec["choices"]
        parser.add_argument(*names, dest=spec["dest"], type=_TYPES.get(base, str), **extra)
    return parser

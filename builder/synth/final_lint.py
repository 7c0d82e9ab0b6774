"""Lint the *final* argv of synthesized commands: what vLLM would take other than meant.

Some mistakes only show once the argument lists of a recipe, its strategy and its features are
joined into one command:

* ``--compilation-config '{…}'`` together with dotted keys (``-cc.pass_config.x=true`` or
  ``--compilation-config.mode 3``) for the same option: vLLM gathers the dotted keys into a new
  JSON value that *replaces* the first one, so the JSON setting is silently lost. The same holds
  for every JSON config option (``--kv-transfer-config``, ``--speculative-config``, …).
* ``--chat-template examples/…``: a relative path names a file in vLLM's source tree or image,
  not on the user's machine, so the command fails (or picks another file) where it is pasted.

Warnings, located at the recipe or strategy text that holds the token. The check walks every
variant × hardware × usable strategy with all features on, because a feature may bring the
dotted key that cancels a JSON set elsewhere. (``$PREFILL_DP_RPC_PORT`` where vLLM expects a
number is synthesized on purpose — the public API has it — and `recipes check --vllm` notes it.)
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from builder.check.lint.options import VllmOptions
from builder.errors import Problem
from builder.synth.deploy import deploy
from builder.synth.deployment import Selection, SynthesisError
from builder.synth.edition import NEWEST, Edition
from builder.synth.plan import PD
from builder.synth.safety import locate_text
from builder.synth.select import listed_hardware, strategy_choices, strategy_kind

if TYPE_CHECKING:
    from builder.models import Catalog, RecipeEntry

_INLINE_TEMPLATE = re.compile(r"[{}\n]")


def _config_spellings(options: VllmOptions) -> dict[str, str]:
    """Every spelling of a JSON config option → its canonical (long) spelling."""
    out: dict[str, str] = {}
    for dest in options.configs:
        spec = options.by_dest(dest)
        if spec is not None:
            for spelling in spec.spellings:
                out[spelling] = spec.spellings[0]
    return out


def argv_issues(argv: Sequence[str], options: VllmOptions) -> Iterator[tuple[str, str]]:
    """(token to locate, message) for each problem of one final argv."""
    spellings = _config_spellings(options)
    json_at: dict[str, str] = {}
    dotted: dict[str, str] = {}
    for i, token in enumerate(argv):
        head, eq, inline = token.partition("=")
        name, dot, _ = head.partition(".")
        if name in spellings and dot:
            dotted.setdefault(spellings[name], token)
        elif head in spellings:
            value = inline if eq else (argv[i + 1] if i + 1 < len(argv) else "")
            if value.lstrip().startswith("{"):
                json_at.setdefault(spellings[head], value)
        if head == "--chat-template":
            value = inline if eq else (argv[i + 1] if i + 1 < len(argv) else "")
            if (value and not _INLINE_TEMPLATE.search(value) and not value.startswith(("/", "~", "$", "http"))
                    and ("/" in value or value.endswith((".jinja", ".j2")))):
                yield value, (f"--chat-template {value} is a relative path: it names a file inside vLLM's source "
                              "tree or image, not on the machine that runs the command — use an absolute path "
                              "(e.g. /vllm-workspace/" + value + " in the vLLM image) or an inline template")
    for option, value in json_at.items():
        if option in dotted:
            yield value, (f"{option} {value} is lost: vLLM gathers the dotted key {dotted[option]} into a new "
                          f"{option} value that replaces this JSON — put the dotted setting into the JSON, or "
                          "write the JSON settings as dotted keys too")


def _selections(catalog: Catalog, entry: RecipeEntry, edition: Edition) -> Iterator[Selection]:
    recipe = entry.recipe
    features = tuple(name for name in recipe.features)
    for key in recipe.variants:
        for hw in listed_hardware(catalog, entry, key, edition):
            for strategy in strategy_choices(catalog, entry, hw, key, edition):
                if strategy_kind(catalog, strategy) == "kv_store_lb":
                    continue  # its instances run the serving strategies checked here
                if strategy == PD:
                    # The page offers each pool's parallelism and size: tp/tep pools on several nodes
                    # take multi-node arguments, which is where dotted -cc keys come from.
                    for mode in (None, "tp", "tep", "dep"):
                        for size in (0, 1, 2):
                            yield Selection(key, hw, strategy, 1, features, size, size, mode, mode)
                else:
                    yield Selection(key, hw, strategy, 2 if strategy_kind(catalog, strategy) == "multi_node" else 1,
                                    features)


def final_lint(catalog: Catalog, options: VllmOptions | None = None, edition: Edition = NEWEST) -> list[Problem]:
    """Warnings for every recipe whose joined commands vLLM would take other than meant."""
    options = options or VllmOptions.load()
    found: dict[tuple[str, int, str], Problem] = {}
    for entry in catalog.recipes:
        if entry.recipe.is_omni:
            continue
        seen: set[tuple[str, ...]] = set()
        for sel in _selections(catalog, entry, edition):
            try:
                dep = deploy(catalog, entry.recipe, sel, edition)
            except (SynthesisError, KeyError, ValueError):
                continue  # what cannot be rendered is reported by the build itself
            for launch in dep.launches:
                if launch.argv in seen:
                    continue
                seen.add(launch.argv)
                for token, message in argv_issues(launch.argv, options):
                    display, line, column, key = locate_text(catalog, entry, token)
                    found.setdefault((display, line, message), Problem(display, line, column, key, message, "warning"))
    return list(found.values())

"""KV-cache offload options (`taxonomy.yaml` → `kv_offload`), spec 2026-08 §6.16.

The public API never selects one (the option is looked up under the KV-store deployment's name,
which no option has), so offload options only reach commands that ask for them: `recipes command
--kv-offload NAME`. When selected, an option adds its `args` after the feature arguments, its
`env` after the strategy environment, and its `companion` as an extra process.
"""
from __future__ import annotations

from typing import Any

from builder.models import HardwareProfile, KvOffloadOption, Recipe

UNUSABLE_KINDS = ("pd_cluster", "kv_store_lb")


def offload_problem(recipe: Recipe, name: str, option: KvOffloadOption, strategy: str, deploy_type: str,
                    profile: HardwareProfile) -> str | None:
    """Why the option cannot be used with this strategy and hardware; None when it can."""
    label = option.display_name or name
    if deploy_type in UNUSABLE_KINDS:
        what = "prefill/decode disaggregation" if deploy_type == "pd_cluster" else "a KV-store deployment"
        return f"KV offload does not combine with {what} ({strategy})"
    if option.strategies and strategy not in option.strategies:
        return f"{label} works only with the strategies {', '.join(option.strategies)}"
    support = recipe.kv_offload_support.get(name)
    if support == "unsupported":
        return f"the recipe marks {label} unsupported"
    if option.requires_opt_in and support != "verified":
        return f"{label} is offered only where the recipe records a verified run (kv_offload_support: {name})"
    if option.brands and profile.brand not in option.brands:
        return f"{label} runs on {' and '.join(option.brands)} hardware only"
    return None


def offload_companion(name: str, option: KvOffloadOption) -> list[dict[str, Any]]:
    c = option.companion
    if c is None or not c.command:
        return []
    return [{"feature": f"kv_offload:{name}", "label": c.label or name, "description": c.description or "",
             "command": str(c.command).rstrip()}]

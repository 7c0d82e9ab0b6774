"""Advanced options: tuning flags a reader may add to any command (spec §2.4.8).

The seven presets of upstream's Advanced panel, each offered where it applies: DCP only for models
that declare `supports_dcp`, turning FlashInfer autotuning off only where `flashinfer_autotune` is
set, the expert-parallel weight filter only under expert-parallel strategies. An option is not
offered when one of the recipe's features (or feature modes) sets the same flag: the two would
fight over it. Chosen options are a stage of their own (:func:`advanced_args`, site spec §2.5.1
step 6): after the hardware overrides, so they win over base, strategy and hardware flags, and
before the feature arguments, which never share a flag with them. The API never uses them.
"""
from __future__ import annotations

from dataclasses import dataclass

from builder.models import Recipe
from builder.synth.deployment import SynthesisError


@dataclass(frozen=True)
class AdvancedOption:
    id: str
    label: str
    description: str
    args: tuple[str, ...]


PRESETS = (
    AdvancedOption("max_batched_8k", "Max batched tokens 8k", "Larger prefill chunks: higher throughput, more memory.",
                   ("--max-num-batched-tokens", "8192")),
    AdvancedOption("max_num_seqs_256", "Max 256 sequences", "Cap concurrent sequences per engine at 256.",
                   ("--max-num-seqs", "256")),
    AdvancedOption("gpu_mem_095", "GPU memory 95%", "Give 95% of GPU memory to vLLM (default 90%).",
                   ("--gpu-memory-utilization", "0.95")),
    AdvancedOption("max_model_len_auto", "Auto context length", "Largest context that fits the KV cache.",
                   ("--max-model-len", "auto")),
    AdvancedOption("dcp_8", "Decode context parallel 8", "Shard the KV cache of long contexts across 8 GPUs.",
                   ("--decode-context-parallel-size", "8")),
    AdvancedOption("no_flashinfer_autotune", "No FlashInfer autotune", "Skip FlashInfer autotuning at start-up.",
                   ("--no-enable-flashinfer-autotune",)),
    AdvancedOption("ep_weight_filter", "EP weight filter", "Load only the experts each rank serves (expert parallel).",
                   ("--enable-ep-weight-filter",)),
)
EXPERT_PARALLEL = ("tep", "dep")


def _feature_flags(recipe: Recipe) -> set[str]:
    out: set[str] = set()
    for f in recipe.features.values():
        if f is None:
            continue
        lists = [f.args] + [o.args for o in f.hardware_overrides.values() if o is not None and o.args]
        for mode in (f.modes or {}).values():
            lists += [mode.args] + [o.args for o in mode.hardware_overrides.values() if o is not None and o.args]
        for args in lists:
            out |= {str(a) for a in args if str(a).startswith("--")}
    return out


def advanced_options(recipe: Recipe) -> list[AdvancedOption]:
    """The options a recipe's page offers, in preset order."""
    taken = _feature_flags(recipe)
    out = []
    for option in PRESETS:
        if option.id == "dcp_8" and recipe.model.supports_dcp is not True:
            continue
        if option.id == "no_flashinfer_autotune" and recipe.model.flashinfer_autotune is not True:
            continue
        if option.args[0] in taken:
            continue
        out.append(option)
    return out


def applies(option: AdvancedOption, strategy: str) -> bool:
    """Whether an option changes commands of a strategy (the weight filter needs expert parallelism)."""
    return option.id != "ep_weight_filter" or strategy.rsplit("_", 1)[-1] in EXPERT_PARALLEL


def advanced_args(recipe: Recipe, chosen: tuple[str, ...], strategy: str) -> list[str]:
    """The arguments of the chosen options that apply to `strategy`, in preset order."""
    offered = {o.id: o for o in advanced_options(recipe)}
    unknown = [x for x in chosen if x not in offered]
    if unknown:
        raise SynthesisError(f"advanced option(s) {', '.join(unknown)} not offered; choose from: {', '.join(offered)}")
    return [a for o in offered.values() if o.id in chosen and applies(o, strategy) for a in o.args]

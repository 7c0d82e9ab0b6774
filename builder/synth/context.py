"""Resolved inputs of one synthesis (spec §6.1) and the stage-ordered argument assembly (§6.2)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional

from builder.models import HardwareOverride, HardwareProfile, Recipe, Strategy, StrategyOverride, Variant

from builder.synth.docker import brand_key, docker_forms
from builder.synth.deployment import Launch, Pool, Selection
from builder.models.taxonomy import UNKNOWN_PROFILE
from builder.synth.plan import variant_of
from builder.synth.shell import finish, join_command

if TYPE_CHECKING:
    from builder.models import Catalog


@dataclass(frozen=True)
class Context:
    """Resolved inputs of §6.1, computed once per deployment."""

    recipe: Recipe
    key: str
    variant: Variant
    strategy: Strategy
    hw: str
    profile: HardwareProfile
    gpus: int
    override: Optional[StrategyOverride]
    hw_override: Optional[HardwareOverride]
    model: str
    features: tuple[str, ...]

    @property
    def custom_variant(self) -> bool:
        # The default variant's own extra args/env are never applied (§6.2).
        return self.key != "default"


def hardware_override(recipe: Recipe, so: Optional[StrategyOverride], profile: HardwareProfile) -> Optional[HardwareOverride]:
    """One block, chosen by existence: strategy-level generation/nvidia, then recipe-level (§6.6)."""
    gen, nvidia = profile.gen, profile.brand == "NVIDIA"
    for table in ((so.hardware_overrides if so else {}), recipe.hardware_overrides):
        if gen and table.get(gen) is not None:
            return table[gen]
        if nvidia and table.get("nvidia") is not None:
            return table["nvidia"]
    return None


def make_context(catalog: "Catalog", recipe: Recipe, sel: Selection) -> Context:
    variant = variant_of(recipe, sel.variant)
    profile = catalog.taxonomy.hardware_profiles.get(sel.hardware, UNKNOWN_PROFILE)
    strategy = catalog.strategies.get(sel.strategy) or Strategy.model_construct(
        name=sel.strategy, deploy_type="single_node", vllm_args=[], env={}, parallel_flag=None,
        parallelism=None, prefill=None, decode=None, router=None)
    so = recipe.strategy_overrides.get(sel.strategy)
    return Context(
        recipe=recipe, key=sel.variant, variant=variant, strategy=strategy, hw=sel.hardware, profile=profile,
        gpus=profile.gpu_count if isinstance(profile.gpu_count, int) else 1, override=so,
        hw_override=hardware_override(recipe, so, profile),
        model=variant.model_id or recipe.model.model_id or "unknown", features=sel.features,
    )


def single_node_size(ctx: Context) -> int:
    """TP for single_node_tp: variant tp, recipe override, or 1-vs-all auto-fit (§6.4)."""
    if ctx.strategy.name != "single_node_tp":
        return ctx.gpus
    for tp in (ctx.variant.tp, ctx.override.tp if ctx.override else None):
        if isinstance(tp, int) and tp > 0:
            return min(tp, ctx.gpus)
    vram = ctx.profile.vram_gb
    per_gpu = vram / ctx.gpus if vram else 0
    need = ctx.variant.vram_minimum_gb or 0
    if need == 0 or per_gpu <= 0:
        return ctx.gpus
    return 1 if need <= per_gpu else ctx.gpus


def feature_args(ctx: Context) -> list[str]:
    gen, nvidia = ctx.profile.gen, ctx.profile.brand == "NVIDIA"
    out: list[str] = []
    for name in ctx.features:
        feature = ctx.recipe.features.get(name)
        if feature is None:
            continue
        fh = feature.hardware_overrides.get(gen) if gen else None
        if fh is None and nvidia:
            fh = feature.hardware_overrides.get("nvidia")
        out += fh.args if fh is not None and fh.args is not None else feature.args
    return out


def assemble(ctx: Context, strategy_args: list[str], parallel: list[str], override_args: list[str]) -> list[str]:
    tokens = list(ctx.recipe.model.base_args)
    if ctx.custom_variant:
        tokens += ctx.variant.extra_args
        vho = ctx.variant.hardware_overrides.get(ctx.hw)
        if vho is not None:
            tokens += vho.extra_args
    tokens += strategy_args
    tokens += parallel
    tokens += override_args
    if ctx.hw_override is not None:
        tokens += ctx.hw_override.extra_args
    tokens += feature_args(ctx)
    return tokens


def base_env(ctx: Context) -> dict[str, Any]:
    env = dict(ctx.recipe.model.base_env)
    if ctx.custom_variant:
        env.update(ctx.variant.extra_env)
        vho = ctx.variant.hardware_overrides.get(ctx.hw)
        if vho is not None:
            env.update(vho.extra_env)
    return env


def to_launch(ctx: Context, role: str, rank: int, tokens: list[str], env: dict[str, Any],
            image: Optional[str], port: int, pool: Optional[Pool] = None) -> Launch:
    kept, lines_t = finish(tuple(tokens))
    lines = list(lines_t)
    argv = ["vllm", "serve", ctx.model, *kept]
    command = join_command(f"vllm serve {ctx.model}", lines)
    d_text, d_argv = docker_forms(brand_key(ctx.profile), image, env, port, ctx.model, lines, argv)
    return Launch(role, rank, env, tuple(argv), command, tuple(d_argv), d_text, pool)


def node_env(ctx: Context) -> dict[str, Any]:
    env = base_env(ctx)
    env.update(ctx.strategy.env)
    if ctx.override is not None:
        env.update(ctx.override.env)
        env.update(ctx.override.extra_env)
    if ctx.hw_override is not None:
        env.update(ctx.hw_override.extra_env)
    return env

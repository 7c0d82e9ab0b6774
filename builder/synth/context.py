"""Resolved inputs of one synthesis (spec §6.1) and the stage-ordered argument assembly (§6.2),
with the 2026-08 additions: override layers (§6.6), `tp` maps (§6.4), modes (§6.7), KV-store
arguments and environment (§6.15)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from builder.models import HardwareProfile, KvStore, Recipe, Strategy, StrategyOverride, Variant
from builder.models.taxonomy import UNKNOWN_PROFILE

from .advanced import advanced_args
from .deployment import Launch, Pool, Selection
from .docker import docker_forms, flags_key, mounts
from .edition import NEWEST, Edition
from .modes import FeatureScope, feature_tokens
from .plan import variant_of
from .shell import finish, join_command
from .strategy_rules import hw_lookup

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
    override: StrategyOverride | None
    model: str
    features: tuple[str, ...]
    hw_layers: tuple[Any, ...] = ()
    """Hardware-override blocks applied in stage 6, in order (each has extra_args/extra_env)."""
    edition: Edition = NEWEST
    kv: KvStore | None = None
    instances: int = 1
    modes: tuple[tuple[str, str], ...] = ()
    offload: Any = None
    """The selected KV offload option (`KvOffloadOption`), if any."""
    advanced: tuple[str, ...] = ()

    @property
    def custom_variant(self) -> bool:
        # June: the default variant's own extra args/env are never applied (§6.2).
        return self.key != "default" or self.edition.default_variant_layers

    @property
    def rendezvous(self) -> str:
        """Multi-node master address: the first instance of a multi-instance KV deployment (§6.15.1)."""
        return "$VLLM_INSTANCE_1" if self.kv is not None and self.instances > 1 else "$HEAD_IP"


def generation_block(table: dict, profile: HardwareProfile) -> Any:
    """The block for the profile's generation, else (NVIDIA only) the `nvidia` block (§6.6)."""
    gen, nvidia = profile.gen, profile.brand == "NVIDIA"
    if gen and table.get(gen) is not None:
        return table[gen]
    if nvidia and table.get("nvidia") is not None:
        return table["nvidia"]
    return None


def hardware_layers(recipe: Recipe, variant: Variant, so: StrategyOverride | None, hw: str,
                    profile: HardwareProfile, edition: Edition) -> tuple[Any, ...]:
    """§6.6: the strategy generation block replaces the recipe (and, 2026-08, variant) generation
    blocks; 2026-08 then adds the strategy's exact-hardware block."""
    strategy_block = generation_block(so.hardware_overrides, profile) if so else None
    if strategy_block is not None:
        layers = [strategy_block]
    else:
        layers = [generation_block(recipe.hardware_overrides, profile)]
        if edition.layered_overrides:
            layers.append(generation_block(variant.hardware_overrides, profile))
    if edition.layered_overrides and so is not None:
        layers.append(so.hardware_overrides.get(hw))
    return tuple(layer for layer in layers if layer is not None)


def make_context(catalog: Catalog, recipe: Recipe, sel: Selection, edition: Edition = NEWEST) -> Context:
    variant = variant_of(recipe, sel.variant)
    profile = catalog.taxonomy.hardware_profiles.get(sel.hardware, UNKNOWN_PROFILE)
    strategy = catalog.strategies.get(sel.strategy) or Strategy.model_construct(
        name=sel.strategy, deploy_type="single_node", vllm_args=[], env={}, parallel_flag=None,
        parallelism=None, prefill=None, decode=None, router=None)
    so = recipe.strategy_overrides.get(sel.strategy)
    kv = catalog.kv_stores.get(sel.kv_store) if sel.kv_store and edition.kv_store else None
    instances = (sel.instances or (kv.default_instances if kv else None) or 2) if kv else 1
    layers = hardware_layers(recipe, variant, so, sel.hardware, profile, edition)
    return Context(
        recipe=recipe, key=sel.variant, variant=variant, strategy=strategy, hw=sel.hardware, profile=profile,
        gpus=profile.gpu_count if isinstance(profile.gpu_count, int) else 1, override=so,
        model=variant.model_id or recipe.model.model_id or "unknown", features=sel.features,
        hw_layers=layers, edition=edition, kv=kv, instances=instances, modes=sel.modes,
        offload=catalog.taxonomy.kv_offload.get(sel.kv_offload) if sel.kv_offload else None,
        advanced=sel.advanced,
    )


def _size(tp: Any, ctx: Context) -> int | None:
    value = tp if isinstance(tp, int) or not ctx.edition.tp_maps else hw_lookup(tp, ctx.hw, ctx.profile)
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        # 2026-08: a CPU "GPU count" is a socket count, so a recipe's TP is not capped (§6.4).
        cpu = ctx.edition.tp_maps and (ctx.profile.generation or ctx.profile.gpu_generation) == "cpu"
        return value if cpu else min(value, ctx.gpus)
    return None


def single_node_size(ctx: Context) -> int:
    """TP for single_node_tp: variant tp, recipe override, or 1-vs-all auto-fit (§6.4)."""
    if ctx.strategy.name != "single_node_tp":
        return ctx.gpus
    for tp in (ctx.variant.tp, ctx.override.tp if ctx.override else None):
        size = _size(tp, ctx)
        if size is not None:
            return size
    vram = ctx.profile.vram_gb
    per_gpu = vram / ctx.gpus if vram else 0
    need = ctx.variant.vram_minimum_gb or 0
    if need == 0 or per_gpu <= 0:
        return ctx.gpus
    return 1 if need <= per_gpu else ctx.gpus


def feature_args(ctx: Context) -> list[str]:
    scope = FeatureScope(ctx.key, ctx.hw, ctx.profile, ctx.strategy.name, ctx.kv is not None, dict(ctx.modes))
    return feature_tokens(ctx.recipe, ctx.features, scope, ctx.edition)


def assemble(ctx: Context, strategy_args: list[str], parallel: list[str], override_args: list[str],
             role_layer: Any = None) -> list[str]:
    tokens = list(ctx.recipe.model.base_args)
    if ctx.custom_variant:
        tokens += ctx.variant.extra_args
        vho = ctx.variant.hardware_overrides.get(ctx.hw)
        if vho is not None:
            tokens += vho.extra_args
    tokens += strategy_args
    tokens += parallel
    tokens += override_args
    for layer in ctx.hw_layers:
        tokens += layer.extra_args
    if role_layer is not None:
        tokens += role_layer.extra_args
    if ctx.advanced:
        tokens += advanced_args(ctx.recipe, ctx.advanced, ctx.strategy.name)
    tokens += feature_args(ctx)
    if ctx.offload is not None:
        tokens += ctx.offload.args
    if ctx.kv is not None and ctx.kv.vllm is not None:
        tokens += ctx.kv.vllm.vllm_args  # last, so it wins de-duplication (§6.15.1)
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
            image: str | None, port: int, pool: Pool | None = None) -> Launch:
    kept, lines_t = finish(tuple(tokens))
    lines = list(lines_t)
    argv = ["vllm", "serve", ctx.model, *kept]
    command = join_command(f"vllm serve {ctx.model}", lines)
    extra = mounts(ctx.model, env) if ctx.edition.docker_2026_08 else []
    d_text, d_argv = docker_forms(flags_key(ctx.profile, ctx.edition), image, env, port, ctx.model, lines, argv, extra)
    return Launch(role, rank, env, tuple(argv), command, tuple(d_argv), d_text, pool)


def node_env(ctx: Context) -> dict[str, Any]:
    env = base_env(ctx)
    env.update(ctx.strategy.env)
    if ctx.offload is not None:
        env.update(ctx.offload.env)
    if ctx.kv is not None and ctx.kv.vllm is not None:
        env.update(ctx.kv.vllm.env)
    if ctx.override is not None:
        env.update(ctx.override.env)
        env.update(ctx.override.extra_env)
    for layer in ctx.hw_layers:
        env.update(layer.extra_env)
    return env

"""Synthesis of one deployment: arguments, environment and commands for every process (spec §6).

Pure functions over validated models. Stage order of the argument list (§6.2):
base → variant → strategy → parallelism → strategy override → hardware override → features,
then last-wins de-duplication, so a later stage overrides an earlier one by repeating a flag.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional

from builder.models import HardwareOverride, HardwareProfile, Recipe, Strategy, StrategyOverride, Variant

from .docker import brand_key, docker_forms, image_for
from .hardware import UNKNOWN_PROFILE
from .plan import PD, pd_plan, pool_sizes, variant_of
from .shell import finish, join_command, js_str

if TYPE_CHECKING:
    from builder.catalog import Catalog

NVL4_ONLY_ENV = ("VLLM_USE_NCCL_SYMM_MEM", "NCCL_CUMEM_ENABLE", "NCCL_MNNVL_ENABLE", "NCCL_NVLS_ENABLE", "UCX_NET_DEVICES")
NVL4_HARDWARE = ("gb200", "gb300")
POOL_PORTS = {"prefill": 8001, "decode": 8002}
SERVE_PORT = 8000
DEFAULT_ROUTER = {"policy": "round_robin"}


class SynthesisError(ValueError):
    """A selection that cannot be synthesized (e.g. a multi-node strategy on one node)."""


@dataclass(frozen=True)
class Selection:
    """Everything a user picks; `deploy` turns it into commands."""

    variant: str
    hardware: str
    strategy: str
    nodes: int = 1
    features: tuple[str, ...] = ()
    prefill_nodes: Optional[int] = None
    """Nodes in the prefill pool (0: both roles share one node); None: sized from memory."""
    decode_nodes: Optional[int] = None
    prefill_mode: Optional[str] = None
    """Pool parallelism `tp`, `tep` or `dep`; None: the recipe's choice."""
    decode_mode: Optional[str] = None


@dataclass(frozen=True)
class Pool:
    """How one prefill/decode role is laid out (the camelCase members of the API's role objects)."""

    nodes: int
    parallelism: str
    tp: int
    dp_local: int
    dp_size: int
    pool_gpus: int
    current_node: int
    start_rank: int


@dataclass(frozen=True)
class Launch:
    """One process to start: a `vllm serve` on one node, or the PD router."""

    role: str  # serve | head | worker | prefill | decode | router
    rank: int
    env: dict[str, Any]
    argv: tuple[str, ...]
    command: str
    docker_argv: Optional[tuple[Any, ...]] = None
    docker_command: Optional[str] = None
    pool: Optional[Pool] = None


@dataclass(frozen=True)
class Deployment:
    selection: Selection
    deploy_type: str
    node_count: int
    env: dict[str, Any]
    docker_image: Optional[str]
    launches: tuple[Launch, ...]
    router_config: Any = field(default=None)

    def first(self, role: str, rank: int = 0) -> Launch:
        return next(l for l in self.launches if l.role == role and l.rank == rank)


@dataclass(frozen=True)
class _Context:
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


def _hardware_override(recipe: Recipe, so: Optional[StrategyOverride], profile: HardwareProfile) -> Optional[HardwareOverride]:
    """One block, chosen by existence: strategy-level generation/nvidia, then recipe-level (§6.6)."""
    gen, nvidia = profile.gen, profile.brand == "NVIDIA"
    for table in ((so.hardware_overrides if so else {}), recipe.hardware_overrides):
        if gen and table.get(gen) is not None:
            return table[gen]
        if nvidia and table.get("nvidia") is not None:
            return table["nvidia"]
    return None


def _context(catalog: "Catalog", recipe: Recipe, sel: Selection) -> _Context:
    variant = variant_of(recipe, sel.variant)
    profile = catalog.taxonomy.hardware_profiles.get(sel.hardware, UNKNOWN_PROFILE)
    strategy = catalog.strategies.get(sel.strategy) or Strategy.model_construct(
        name=sel.strategy, deploy_type="single_node", vllm_args=[], env={}, parallel_flag=None,
        parallelism=None, prefill=None, decode=None, router=None)
    so = recipe.strategy_overrides.get(sel.strategy)
    return _Context(
        recipe=recipe, key=sel.variant, variant=variant, strategy=strategy, hw=sel.hardware, profile=profile,
        gpus=profile.gpu_count if isinstance(profile.gpu_count, int) else 1, override=so,
        hw_override=_hardware_override(recipe, so, profile),
        model=variant.model_id or recipe.model.model_id or "unknown", features=sel.features,
    )


def _single_node_size(ctx: _Context) -> int:
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


def _feature_args(ctx: _Context) -> list[str]:
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


def _tokens(ctx: _Context, strategy_args: list[str], parallel: list[str], override_args: list[str]) -> list[str]:
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
    tokens += _feature_args(ctx)
    return tokens


def _base_env(ctx: _Context) -> dict[str, Any]:
    env = dict(ctx.recipe.model.base_env)
    if ctx.custom_variant:
        env.update(ctx.variant.extra_env)
        vho = ctx.variant.hardware_overrides.get(ctx.hw)
        if vho is not None:
            env.update(vho.extra_env)
    return env


def _launch(ctx: _Context, role: str, rank: int, tokens: list[str], env: dict[str, Any],
            image: Optional[str], port: int, pool: Optional[Pool] = None) -> Launch:
    kept, lines_t = finish(tuple(tokens))
    lines = list(lines_t)
    argv = ["vllm", "serve", ctx.model, *kept]
    command = join_command(f"vllm serve {ctx.model}", lines)
    d_text, d_argv = docker_forms(brand_key(ctx.profile), image, env, port, ctx.model, lines, argv)
    return Launch(role, rank, env, tuple(argv), command, tuple(d_argv), d_text, pool)


def _multi_node_parallel(ctx: _Context, nodes: int, rank: int) -> list[str]:
    g, total = ctx.gpus, ctx.gpus * nodes
    if (ctx.strategy.parallel_flag or "--tensor-parallel-size") == "--data-parallel-size":
        out = ["--data-parallel-size", str(total), "--data-parallel-size-local", str(g),
               "--data-parallel-address", "$HEAD_IP"]
        return out + (["--data-parallel-start-rank", str(g * rank)] if rank else [])
    if ctx.strategy.parallelism == "tp_pp":
        out = ["--tensor-parallel-size", str(g), "--pipeline-parallel-size", str(nodes)]
    else:
        out = ["--tensor-parallel-size", str(total)]
    out += ["--nnodes", str(nodes), "--node-rank", str(rank), "--master-addr", "$HEAD_IP"]
    return out + (["--headless"] if rank else [])


def _env_for_node(ctx: _Context) -> dict[str, Any]:
    env = _base_env(ctx)
    env.update(ctx.strategy.env)
    if ctx.override is not None:
        env.update(ctx.override.env)
        env.update(ctx.override.extra_env)
    if ctx.hw_override is not None:
        env.update(ctx.hw_override.extra_env)
    return env


def deploy(catalog: "Catalog", recipe: Recipe, sel: Selection) -> Deployment:
    """Every command of one selection. Multi-node selections get a launch per node rank."""
    ctx = _context(catalog, recipe, sel)
    image = image_for(recipe, ctx.variant, ctx.hw, ctx.profile)
    deploy_type = ctx.strategy.deploy_type or "single_node"
    if deploy_type == PD:
        from .pools import pd_launches

        launches = pd_launches(ctx, sel, image)
        router = catalog.strategies_raw.get(sel.strategy, {}).get("router") or dict(DEFAULT_ROUTER)
        return Deployment(sel, PD, sel.nodes, {}, image, launches, router)
    if deploy_type == "multi_node" and sel.nodes <= 1:
        raise SynthesisError(f"strategy {sel.strategy} is multi-node but the selection has one node")
    strategy_args = list(ctx.strategy.vllm_args)
    override_args = (ctx.override.extra_args + ctx.override.vllm_args) if ctx.override else []
    env = _env_for_node(ctx)
    if deploy_type == "multi_node":
        launches = tuple(
            _launch(ctx, "head" if rank == 0 else "worker", rank,
                    _tokens(ctx, strategy_args, _multi_node_parallel(ctx, sel.nodes, rank), override_args),
                    env, image, SERVE_PORT)
            for rank in range(sel.nodes))
    else:
        flag = ctx.strategy.parallel_flag or "--tensor-parallel-size"
        tokens = _tokens(ctx, strategy_args, [flag, js_str(_single_node_size(ctx))], override_args)
        launches = (_launch(ctx, "serve", 0, tokens, env, image, SERVE_PORT),)
        deploy_type = "single_node"
    return Deployment(sel, deploy_type, sel.nodes, env, image, launches)


__all__ = ["Deployment", "Launch", "Pool", "Selection", "SynthesisError", "deploy", "pd_plan", "pool_sizes"]

"""Synthesis of one deployment: arguments, environment and commands for every process (spec §6).

Pure functions over validated models. Stage order of the argument list (§6.2):
base → variant → strategy → parallelism → strategy override → hardware override → features
(→ KV-store connector), then last-wins de-duplication, so a later stage overrides an earlier one
by repeating a flag.
"""
from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from builder.jsonout import js_str
from builder.models import Recipe

from .context import Context, assemble, generation_block, make_context, node_env, single_node_size, to_launch
from .deployment import DEFAULT_ROUTER, SERVE_PORT, Deployment, Launch, Pool, Selection, SynthesisError
from .docker import image_for
from .edition import NEWEST, Edition
from .modes import companions
from .offload import offload_companion
from .plan import PD

if TYPE_CHECKING:
    from builder.models import Catalog

DP_LOCAL = "--data-parallel-size-local"


def _dp_local(ctx: Context) -> int:
    """2026-08 §6.3: a recipe's own `--data-parallel-size-local` sets the DEP start-rank stride."""
    if not ctx.edition.per_rank_workers or ctx.override is None:
        return ctx.gpus
    so = ctx.override
    tokens = list(so.vllm_args) + list(so.extra_args)
    gen_block = generation_block(so.hardware_overrides, ctx.profile)
    if gen_block is not None:
        tokens += gen_block.extra_args
    exact = so.hardware_overrides.get(ctx.hw)
    if exact is not None:
        tokens += exact.extra_args
    found = ctx.gpus
    for i, tok in enumerate(tokens[:-1]):
        if tok == DP_LOCAL:
            with contextlib.suppress(ValueError):
                found = int(float(tokens[i + 1]))
    return found


def _multi_node_parallel(ctx: Context, nodes: int, rank: int) -> list[str]:
    g, total, head = ctx.gpus, ctx.gpus * nodes, ctx.rendezvous
    if (ctx.strategy.parallel_flag or "--tensor-parallel-size") == "--data-parallel-size":
        out = ["--data-parallel-size", str(total), "--data-parallel-size-local", str(g),
               "--data-parallel-address", head]
        return out + (["--data-parallel-start-rank", str(_dp_local(ctx) * rank)] if rank else [])
    if ctx.strategy.parallelism == "tp_dp" and ctx.edition.per_rank_workers:
        out = ["--tensor-parallel-size", str(g), "--data-parallel-size", str(nodes),
               "--data-parallel-size-local", "1", "--data-parallel-address", head]
        return out + (["--data-parallel-start-rank", str(rank)] if rank else [])
    if ctx.strategy.parallelism == "tp_pp":
        out = ["--tensor-parallel-size", str(g), "--pipeline-parallel-size", str(nodes)]
    else:
        out = ["--tensor-parallel-size", str(total)]
    out += ["--nnodes", str(nodes), "--node-rank", str(rank), "--master-addr", head]
    return out + (["--headless"] if rank else [])


def deploy(catalog: Catalog, recipe: Recipe, sel: Selection, edition: Edition = NEWEST) -> Deployment:
    """Every command of one selection. Multi-node selections get a launch per node rank."""
    ctx = make_context(catalog, recipe, sel, edition)
    image = image_for(recipe, ctx.variant, ctx.hw, ctx.profile, edition)
    deploy_type = ctx.strategy.deploy_type
    if deploy_type == PD:
        from builder.synth.pools import pd_launches

        launches = pd_launches(ctx, sel, image)
        router = catalog.strategies_raw.get(sel.strategy, {}).get("router") or dict(DEFAULT_ROUTER)
        return Deployment(sel, PD, sel.nodes, {}, image, launches, router)
    if deploy_type == "multi_node" and sel.nodes <= 1 and ctx.kv is None:
        raise SynthesisError(f"strategy {sel.strategy} is multi-node but the selection has one node")
    strategy_args = list(ctx.strategy.vllm_args)
    override_args = (ctx.override.extra_args + ctx.override.vllm_args) if ctx.override else []
    env = node_env(ctx)
    extras: tuple = ()
    if deploy_type == "multi_node" and sel.nodes > 1:
        launches = tuple(
            to_launch(ctx, "head" if rank == 0 else "worker", rank,
                      assemble(ctx, strategy_args, _multi_node_parallel(ctx, sel.nodes, rank), override_args),
                      env, image, SERVE_PORT)
            for rank in range(sel.nodes))
        deploy_type = "multi_node"
    else:
        flag = ctx.strategy.parallel_flag or "--tensor-parallel-size"
        tokens = assemble(ctx, strategy_args, [flag, js_str(single_node_size(ctx))], override_args)
        launches = (to_launch(ctx, "serve", 0, tokens, env, image, SERVE_PORT),)
        deploy_type = "single_node"
        if edition.feature_modes and ctx.kv is None:
            extras = tuple(companions(recipe, sel.features, sel.strategy))
            if ctx.offload is not None and sel.kv_offload:
                extras += tuple(offload_companion(sel.kv_offload, ctx.offload))
    if ctx.kv is not None:
        from .kvstore import kv_parts

        return Deployment(sel, "kv_store_lb", sel.nodes, env, image, launches, kv=kv_parts(ctx))
    return Deployment(sel, deploy_type, sel.nodes, env, image, launches, companions=extras)


__all__ = ["Deployment", "Launch", "Pool", "Selection", "SynthesisError", "deploy"]

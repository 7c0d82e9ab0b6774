"""Synthesis of one deployment: arguments, environment and commands for every process (spec §6).

Pure functions over validated models. Stage order of the argument list (§6.2):
base → variant → strategy → parallelism → strategy override → hardware override → features,
then last-wins de-duplication, so a later stage overrides an earlier one by repeating a flag.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from builder.models import Recipe

from builder.synth.context import Context, assemble, make_context, node_env, single_node_size, to_launch
from builder.synth.deployment import DEFAULT_ROUTER, SERVE_PORT, Deployment, Launch, Pool, Selection, SynthesisError
from builder.synth.docker import image_for
from builder.synth.plan import PD
from builder.jsonout import js_str

if TYPE_CHECKING:
    from builder.models import Catalog


def _multi_node_parallel(ctx: Context, nodes: int, rank: int) -> list[str]:
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


def deploy(catalog: "Catalog", recipe: Recipe, sel: Selection) -> Deployment:
    """Every command of one selection. Multi-node selections get a launch per node rank."""
    ctx = make_context(catalog, recipe, sel)
    image = image_for(recipe, ctx.variant, ctx.hw, ctx.profile)
    deploy_type = ctx.strategy.deploy_type or "single_node"
    if deploy_type == PD:
        from builder.synth.pools import pd_launches

        launches = pd_launches(ctx, sel, image)
        router = catalog.strategies_raw.get(sel.strategy, {}).get("router") or dict(DEFAULT_ROUTER)
        return Deployment(sel, PD, sel.nodes, {}, image, launches, router)
    if deploy_type == "multi_node" and sel.nodes <= 1:
        raise SynthesisError(f"strategy {sel.strategy} is multi-node but the selection has one node")
    strategy_args = list(ctx.strategy.vllm_args)
    override_args = (ctx.override.extra_args + ctx.override.vllm_args) if ctx.override else []
    env = node_env(ctx)
    if deploy_type == "multi_node":
        launches = tuple(
            to_launch(ctx, "head" if rank == 0 else "worker", rank,
                    assemble(ctx, strategy_args, _multi_node_parallel(ctx, sel.nodes, rank), override_args),
                    env, image, SERVE_PORT)
            for rank in range(sel.nodes))
    else:
        flag = ctx.strategy.parallel_flag or "--tensor-parallel-size"
        tokens = assemble(ctx, strategy_args, [flag, js_str(single_node_size(ctx))], override_args)
        launches = (to_launch(ctx, "serve", 0, tokens, env, image, SERVE_PORT),)
        deploy_type = "single_node"
    return Deployment(sel, deploy_type, sel.nodes, env, image, launches)


__all__ = ["Deployment", "Launch", "Pool", "Selection", "SynthesisError", "deploy"]

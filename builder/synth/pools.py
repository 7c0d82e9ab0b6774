"""Prefill/decode disaggregation: one pool of `vllm serve` per role plus a router (spec §6.12;
2026-08 §6.12: offered pool modes, snapping, role hardware overrides, router override)."""
from __future__ import annotations

from typing import Any

from builder.models import PoolOverride, PoolSpec, Recipe, StrategyOverride
from builder.models.recipe import effective_strategies

from .context import Context, assemble, base_env, to_launch
from .deployment import NVL4_HARDWARE, NVL4_ONLY_ENV, POOL_PORTS, Launch, Pool, Selection
from .plan import pd_plan, pool_sizes

ROLES = ("prefill", "decode")


_NO_SPEC = PoolSpec()
_NO_OVERRIDE = PoolOverride()


def _role_inputs(ctx: Context, role: str) -> tuple[PoolSpec, PoolOverride]:
    spec = getattr(ctx.strategy, role, None) or _NO_SPEC
    override = (getattr(ctx.override, role, None) if ctx.override else None) or _NO_OVERRIDE
    return spec, override


def _pool(ctx: Context, role: str, nodes: int, mode: str | None, node: int) -> Pool:
    spec, over = _role_inputs(ctx, role)
    g = ctx.gpus
    parallelism = mode or over.parallelism or spec.parallelism or "tp"
    pool_gpus = g // 2 if nodes == 0 else nodes * g
    if parallelism == "dep":
        tp = over.tp or spec.tp or 1
        dp_local = max(1, g // tp)
        return Pool(nodes, parallelism, tp, dp_local, max(1, nodes) * dp_local, pool_gpus, node, node * dp_local)
    return Pool(nodes, parallelism, pool_gpus, 0, 1, pool_gpus, node, 0)


def offered_modes(ctx: Context) -> list[str]:
    """2026-08: pool modes the recipe's strategies offer (`tp`, `tep`, `dep`), narrowed by `pool_modes`."""
    return recipe_pool_modes(ctx.recipe, ctx.override)


def recipe_pool_modes(recipe: Recipe, override: StrategyOverride | None) -> list[str]:
    """:func:`offered_modes` from the recipe and its `pd_cluster` override (the command builder asks too)."""
    found = set()
    for name in effective_strategies(recipe):
        if name == "pd_cluster":
            continue
        if name == "dep" or name.endswith("_dep"):
            found.add("dep")
        elif name == "tep" or name.endswith("_tep"):
            found.add("tep")
        elif name in ("tp", "tp_pp", "tp_dp") or name.endswith(("_tp", "_tp_pp", "_tp_dp")):
            found.add("tp")
    modes: list[str] = [m for m in ("tp", "tep", "dep") if m in found] or ["tp"]
    narrowed = [m for m in modes if override is not None and m in override.pool_modes]
    return narrowed or modes


def _parallelassemble(ctx: Context, role: str, pool: Pool, offered: list[str]) -> list[str]:
    """`offered`: :func:`offered_modes` of `ctx` (computed once per deployment, not per node)."""
    spec, over = _role_inputs(ctx, role)
    head = f"${role.upper()}_NODE_1"
    if ctx.edition.pd_2026_08 and pool.parallelism not in offered:
        # Snapping changes the arguments only, not the metadata.
        pool = Pool(pool.nodes, offered[0], pool.tp, pool.dp_local, pool.dp_size, pool.pool_gpus,
                    pool.current_node, pool.start_rank)
        if pool.parallelism == "dep":
            tp = over.tp or spec.tp or 1
            dp_local = max(1, ctx.gpus // tp)
            pool = Pool(pool.nodes, "dep", tp, dp_local, max(1, pool.nodes) * dp_local, pool.pool_gpus,
                        pool.current_node, pool.current_node * dp_local)
    if pool.parallelism == "dep":
        explicit_tp = over.tp if over.tp is not None else spec.tp
        out = ["--tensor-parallel-size", str(explicit_tp)] if explicit_tp is not None else []
        span = max(1, pool.nodes)
        out += ["--data-parallel-size", str(span * pool.dp_local), "--data-parallel-size-local", str(pool.dp_local),
                "--data-parallel-start-rank", str(pool.start_rank), "--data-parallel-address", head,
                "--data-parallel-rpc-port", f"${role.upper()}_DP_RPC_PORT"]
        if span > 1:
            out.append("--data-parallel-hybrid-lb")
        return out + ["--enable-expert-parallel"]
    flag = over.parallel_flag or spec.parallel_flag or ctx.strategy.parallel_flag or "--tensor-parallel-size"
    out = [flag, str(max(1, pool.pool_gpus))]
    if pool.parallelism == "tep":
        out.append("--enable-expert-parallel")
        if pool.nodes > 1 and not ctx.edition.pd_2026_08:
            out.append("-cc.pass_config.fuse_allreduce_rms=False")
    if pool.nodes > 1:
        out += ["--nnodes", str(pool.nodes), "--node-rank", str(pool.current_node), "--master-addr", head]
        if pool.current_node > 0:
            out.append("--headless")
    return out


def _pool_env(ctx: Context, role: str, pool: Pool) -> dict[str, Any]:
    spec, over = _role_inputs(ctx, role)
    g = ctx.gpus
    env = base_env(ctx)
    env.update(spec.env)
    if pool.nodes >= 1:
        env["CUDA_VISIBLE_DEVICES"] = ",".join(str(i) for i in range(g))
        if pool.nodes >= 2:
            env["GLOO_SOCKET_IFNAME"] = "$IFACE_NAME"
            env["NCCL_SOCKET_IFNAME"] = "$IFACE_NAME"
    elif g // 2 > 0:
        half = range(g // 2) if role == "prefill" else range(g // 2, g)
        env["CUDA_VISIBLE_DEVICES"] = ",".join(str(i) for i in half)
    if ctx.override is not None:
        env.update(ctx.override.env)
    env.update(over.env)
    for layer in ctx.hw_layers:
        env.update(layer.extra_env)
    role_layer = _role_layer(ctx, over)
    if role_layer is not None:
        env.update(role_layer.extra_env)
    if ctx.hw not in NVL4_HARDWARE:
        for key in NVL4_ONLY_ENV:
            env.pop(key, None)
    if pool.parallelism == "dep" and pool.current_node > 0:
        # Each DEP node binds its own address: $PREFILL_NODE_1 → $PREFILL_NODE_<n>.
        mine = f"${role.upper()}_NODE_{pool.current_node + 1}"
        env = {k: (v.replace(f"${role.upper()}_NODE_1", mine) if isinstance(v, str) else v) for k, v in env.items()}
    return env


def _role_layer(ctx: Context, over: PoolOverride) -> Any:
    """2026-08 §6.6 step 4: the role's own exact-hardware block, after every other override."""
    return over.hardware_overrides.get(ctx.hw) if ctx.edition.layered_overrides else None


def _router(pools: dict[str, Pool], policy: str, intra_override: int | None = None) -> tuple[str, tuple[str, ...]]:
    lines = [f"vllm-router --policy {policy}", "--vllm-pd-disaggregation"]
    for role, port in POOL_PORTS.items():
        pool = pools[role]
        count = max(1, pool.nodes) if pool.parallelism == "dep" else 1
        lines += [f"--{role} http://${role.upper()}_NODE_{i}:{port}" for i in range(1, count + 1)]
    intra = intra_override if intra_override is not None else max(
        pools["prefill"].dp_local, pools["decode"].dp_local, 1)
    lines += ["--host $ROUTER_HOST", "--port $ROUTER_PORT", f"--intra-node-data-parallel-size {intra}"]
    text = lines[0] + " \\\n" + " \\\n".join("    " + line for line in lines[1:])
    return text, tuple(tok for line in lines for tok in line.split(" "))


def pd_launches(ctx: Context, sel: Selection, image: str | None) -> tuple[Launch, ...]:
    """Launches for every node of both pools, then the router (rank 0 of each pool first)."""
    fallback = pool_sizes(pd_plan(ctx.variant, ctx.profile), sel.nodes)
    sizes = {"prefill": sel.prefill_nodes, "decode": sel.decode_nodes}
    modes = {"prefill": sel.prefill_mode, "decode": sel.decode_mode}
    launches: list[Launch] = []
    heads: dict[str, Pool] = {}
    offered = offered_modes(ctx) if ctx.edition.pd_2026_08 else []
    for role in ROLES:
        asked = sizes[role]
        nodes = fallback if asked is None else asked
        spec, over = _role_inputs(ctx, role)
        for node in range(max(1, nodes)):
            pool = _pool(ctx, role, nodes, modes[role], node)
            heads.setdefault(role, pool)
            tokens = assemble(ctx, list(spec.vllm_args), _parallelassemble(ctx, role, pool, offered),
                              over.extra_args + over.vllm_args, _role_layer(ctx, over))
            launches.append(to_launch(ctx, role, node, tokens, _pool_env(ctx, role, pool), image, POOL_PORTS[role],
                                      pool))
    policy = (ctx.strategy.router.policy if ctx.strategy.router else None) or "round_robin"
    intra = None
    if ctx.edition.pd_2026_08 and ctx.override is not None and ctx.override.router is not None:
        intra = ctx.override.router.intra_node_data_parallel_size
    text, argv = _router(heads, policy, intra)
    launches.append(Launch("router", 0, {}, argv, text))
    return tuple(launches)

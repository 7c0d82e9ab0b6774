"""What `recipes command` prints: every process of a deployment in the order to start it, as shell
text (with the placeholders to set first) or as JSON."""
from __future__ import annotations

import json
import re
from typing import Any

from builder.jsonout import js_str
from builder.models import HardwareProfile, RecipeEntry
from builder.synth import Deployment, Launch
from builder.synth.install import ROUTER_INSTALL
from builder.synth.kvstore import config_blocks, instance_launch
from builder.synth.plan import PD
from builder.synth.shell import quote

# What the `$NAME` placeholders of synthesized commands stand for.
PLACEHOLDERS = {
    "HEAD_IP": "address of the head node (rank 0)",
    "IFACE_NAME": "network interface the nodes reach each other on",
    "ROUTER_HOST": "address the router listens on",
    "ROUTER_PORT": "port the router listens on",
    "MOONCAKE_MASTER_IP": "address of the node running mooncake_master",
    "MOONCAKE_CONFIG_PATH": "path of the Mooncake config file on every instance node",
    "MOONCAKE_STORE_CONFIG_PATH": "path of the store service's config file",
    "MOONCAKE_DEVICE_NAME": "RDMA NICs to use (empty: chosen automatically)",
    "MOONCAKE_STORE_DEVICE_NAME": "RDMA NICs of the store node (empty: chosen automatically)",
}
_PLACEHOLDER = re.compile(r"\$([A-Z_][A-Z0-9_]*)")


def _label(launch: Launch, dep: Deployment) -> str | None:
    if launch.role == "serve":
        return None
    if launch.role == "head":
        return "# head (rank 0)"
    if launch.role == "router":
        return f"# router (install it with: {ROUTER_INSTALL})"
    alone = sum(other.role == launch.role for other in dep.launches) == 1
    if launch.role in ("prefill", "decode") and alone:
        return f"# {launch.role}"
    return f"# {launch.role} (rank 0)" if launch.rank == 0 else f"# {launch.role} rank {launch.rank}"


def _block(launch: Launch, docker: bool) -> str:
    if docker and launch.docker_command:
        return launch.docker_command
    exports = "".join(f"export {key}={quote(js_str(value))}\n" for key, value in launch.env.items())
    return exports + launch.command


def _kv_blocks(dep: Deployment, docker: bool) -> list[str]:
    """Master, store, config, every instance (each of its nodes), router: the order to start them."""
    kv = dep.kv
    title = f"# Mooncake master (one per cluster): {kv.master['description']}".rstrip(": ")
    blocks = [title + "\n" + kv.master["command"]]
    configs = config_blocks(kv)
    if kv.store is not None:
        if kv.store.get("config") is not None:
            blocks.append(configs.pop(0))
        if kv.store.get("command"):
            blocks.append(f"# store service: {kv.store['description']}".rstrip(": ") + "\n" + kv.store["command"])
    blocks += configs
    if kv.vllm_install:
        blocks.append("# on every instance node, install the transfer engine\n" + kv.vllm_install)
    for i in range(1, kv.instances + 1):
        for launch in dep.launches:
            where = f"vLLM instance {i} of {kv.instances} (at $VLLM_INSTANCE_{i})"
            if launch.role in ("head", "worker"):
                where += " · head (rank 0)" if launch.role == "head" else f" · worker rank {launch.rank}"
            blocks.append(f"# {where}\n" + _block(instance_launch(launch, i), docker))
    if kv.router is not None:
        blocks.append(f"# router (install it with: {kv.router['install']}; port {kv.router['port']})\n"
                      + kv.router["command"])
    return blocks


def as_text(entry: RecipeEntry, dep: Deployment, docker: bool = False) -> str:
    sel = dep.selection
    size = f"{sel.nodes} node{'s' if sel.nodes != 1 else ''}"
    if dep.deploy_type == PD:
        size = "co-located prefill and decode" if not sel.prefill_nodes else f"{sel.prefill_nodes} node(s) per role"
    if dep.kv is not None:
        size = f"{dep.kv.instances} instance{'s' if dep.kv.instances != 1 else ''} × {size}"
    features = ", ".join(f + (f"={dict(sel.modes)[f]}" if f in dict(sel.modes) else "") for f in sel.features) or "none"
    strategy = f"{dep.kv.name} serving {sel.strategy}" if dep.kv is not None else sel.strategy
    extra = f" · KV offload: {sel.kv_offload}" if sel.kv_offload else ""
    head = [f"# {entry.hf_id} · variant {sel.variant} · {sel.hardware} · {strategy} · {size} · "
            f"features: {features}{extra}"]
    # Companions start first, on the same node ("before vllm serve").
    blocks = [f"# {c['label']} (start it first, on the same node)".rstrip() + "\n" + c["command"]
              for c in dep.companions]
    if dep.kv is not None:
        blocks += _kv_blocks(dep, docker)
    for launch in dep.launches if dep.kv is None else ():
        label = _label(launch, dep)
        blocks.append((label + "\n" if label else "") + _block(launch, docker))
    body = "\n\n".join(blocks)
    names = list(dict.fromkeys(_PLACEHOLDER.findall(body)))
    if names:
        head.append("# set first: " + "; ".join(f"${n} = {_placeholder_help(n)}" for n in names))
    return "\n".join(head) + "\n\n" + body + "\n"


def _placeholder_help(name: str) -> str:
    if name in PLACEHOLDERS:
        return PLACEHOLDERS[name]
    m = re.fullmatch(r"(PREFILL|DECODE)_NODE_(\d+)", name)
    if m:
        return f"address of {m.group(1).lower()} node {m.group(2)}"
    m = re.fullmatch(r"VLLM_INSTANCE_(\d+)", name)
    if m:
        return f"address of vLLM instance {m.group(1)} (its head node)"
    if name.endswith("_DP_RPC_PORT"):
        return f"a free port for the {name.split('_')[0].lower()} pool's data-parallel RPC"
    return "your value"


def _launch_json(launch: Launch) -> dict[str, Any]:
    return {"role": launch.role, "rank": launch.rank, "env": launch.env, "command": launch.command,
            "argv": list(launch.argv), "docker_command": launch.docker_command,
            "docker_argv": list(launch.docker_argv) if launch.docker_argv else None}


def as_json(entry: RecipeEntry, dep: Deployment) -> str:
    sel = dep.selection
    doc: dict[str, Any] = {
        "hf_id": entry.hf_id, "variant": sel.variant, "hardware": sel.hardware, "strategy": sel.strategy,
        "node_count": dep.node_count, "features": list(sel.features), "deploy_type": dep.deploy_type,
        "docker_image": dep.docker_image, "env": dep.env,
        "launches": [_launch_json(launch) for launch in dep.launches],
    }
    if dep.deploy_type == PD:
        doc["pool_nodes"] = {"prefill": sel.prefill_nodes, "decode": sel.decode_nodes}
        doc["router_config"] = dep.router_config
    if sel.modes:
        doc["modes"] = dict(sel.modes)
    if sel.kv_offload:
        doc["kv_offload"] = sel.kv_offload
    if dep.companions:
        doc["companions"] = list(dep.companions)
    if dep.kv is not None:
        kv = dep.kv
        doc.update({"kv_store": kv.name, "serving_strategy": kv.serving_strategy, "instances": kv.instances,
                    "kv_min_vllm_version": kv.min_vllm_version, "vllm_install": kv.vllm_install,
                    "master": kv.master, "store": kv.store, "router": kv.router,
                    "mooncake_config": kv.mooncake_config, "mooncake_config_note": kv.mooncake_config_note})
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def as_files(dep: Deployment, profile: HardwareProfile, kind: str) -> str:
    """`--as compose`: a compose file per node that runs the vLLM image (each under its label);
    `--as k8s`: one Kubernetes manifest per group (a Deployment, or a LeaderWorkerSet for several
    nodes) in one YAML stream."""
    from builder.synth.lws import files, groups

    out = []
    for group in groups(dep):
        for launch in group if kind == "compose" else group[:1]:
            text = files(dep, launch, profile)[kind != "compose"]
            label = _label(launch, dep) or "# serve"
            if kind != "compose" and len(group) > 1:
                label = f"# {launch.role if launch.role != 'head' else 'nodes'}: every node ({len(group)})"
            out.append(f"{label}\n{text}" if text is not None else f"{label}: no {kind} file for this step\n")
    return ("---\n" if kind != "compose" else "\n").join(out)  # one YAML stream for kubectl apply -f

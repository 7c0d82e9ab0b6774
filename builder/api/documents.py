"""Shapes of the JSON API documents (spec §4): pure functions from deployments and raw recipes."""
from __future__ import annotations

from typing import Any

from builder.synth import NEWEST, Deployment, Edition, Launch
from builder.synth.install import ROUTER_INSTALL

HEAD_KEYS = ("hf_id", "meta", "recommended_command")
DROPPED_KEYS = ("strategy_overrides", "compatible_strategies", "default_strategy")


def _role(launch: Launch) -> dict[str, Any]:
    pool = launch.pool
    assert pool is not None
    return {
        "command": launch.command, "argv": list(launch.argv), "env": launch.env,
        "nodes": pool.nodes, "parallelism": pool.parallelism, "tp": pool.tp, "dpLocal": pool.dp_local,
        "dpSize": pool.dp_size, "poolGpus": pool.pool_gpus, "currentNode": pool.current_node,
        "startRank": pool.start_rank, "docker_command": launch.docker_command,
        "docker_argv": list(launch.docker_argv or ()),
    }


def rendering(dep: Deployment, edition: Edition = NEWEST) -> dict[str, Any]:
    """The rendering object of §4.7: common head, then the body for its deploy type."""
    if dep.kv is not None:
        from .kv import kv_rendering

        return kv_rendering(dep)
    sel = dep.selection
    doc: dict[str, Any] = {
        "hardware": sel.hardware, "strategy": sel.strategy, "variant": sel.variant,
        "node_count": dep.node_count, "deploy_type": dep.deploy_type, "env": dep.env,
    }
    if dep.docker_image is not None:
        doc["docker_image"] = dep.docker_image
    if dep.deploy_type == "pd_cluster":
        doc["prefill"] = _role(dep.first("prefill"))
        doc["decode"] = _role(dep.first("decode"))
        doc["router"] = {"command": dep.first("router").command, "install": ROUTER_INSTALL}
        doc["router_config"] = dep.router_config
    elif dep.deploy_type == "multi_node":
        head, worker = dep.first("head"), dep.first("worker", 1)
        if not edition.per_rank_workers:
            doc.update({
                "head_command": head.command, "worker_command": worker.command,
                "head_argv": list(head.argv), "worker_argv": list(worker.argv),
                "head_docker_command": head.docker_command, "worker_docker_command": worker.docker_command,
                "head_docker_argv": list(head.docker_argv or ()), "worker_docker_argv": list(worker.docker_argv or ()),
            })
            return doc
        # 2026-08 §4.7.1: the singular worker members are rank 1; the arrays hold every follower rank.
        workers = [launch for launch in dep.launches if launch.role == "worker"]
        doc.update({
            "head_command": head.command, "worker_command": worker.command,
            "worker_commands": [w.command for w in workers],
            "head_argv": list(head.argv), "worker_argv": list(worker.argv),
            "worker_argvs": [list(w.argv) for w in workers],
            "head_docker_command": head.docker_command, "worker_docker_command": worker.docker_command,
            "worker_docker_commands": [w.docker_command for w in workers],
            "head_docker_argv": list(head.docker_argv or ()), "worker_docker_argv": list(worker.docker_argv or ()),
            "worker_docker_argvs": [list(w.docker_argv or ()) for w in workers],
        })
    else:
        serve = dep.launches[0]
        doc.update({"command": serve.command, "argv": list(serve.argv),
                    "docker_command": serve.docker_command, "docker_argv": list(serve.docker_argv or ())})
        if dep.companions:
            doc["companions"] = list(dep.companions)
    return doc


def hardware_document(render: dict[str, Any], strategy_spec: Any, profile_raw: Any,
                      alternatives: dict[str, str]) -> dict[str, Any]:
    """`{base}/hw/{hw}.json`: the recommended rendering plus its strategy, profile and alternatives."""
    doc = dict(render)
    if strategy_spec is not None:
        doc["strategy_spec"] = strategy_spec
    if profile_raw is not None:
        doc["hardware_profile"] = profile_raw
    if alternatives:
        doc["alternatives"] = alternatives
    return doc


def ordered(doc: dict[str, Any]) -> dict[str, Any]:
    """Head keys first (§4.5 step 7), the rest in their current order."""
    out = {k: doc[k] for k in HEAD_KEYS if k in doc}
    out.update((k, v) for k, v in doc.items() if k not in out)
    return out


def recipe_document(raw: dict, hf_id: str, install: dict[str, Any]) -> dict[str, Any]:
    """Steps 1–3 of §4.5: the echoed recipe with its hf_id and synthesized install block."""
    doc = dict(raw)
    doc["hf_id"] = hf_id
    model = raw.get("model")
    if model:
        new_model = {k: v for k, v in model.items() if k != "install"}
        if install:
            new_model["install"] = install
        doc["model"] = new_model
    elif install:
        doc["model"] = {"install": install}
    doc.pop("dependencies", None)
    return doc


def finish_recipe_document(doc: dict[str, Any], recommended: dict | None, pointers: dict[str, str]) -> dict[str, Any]:
    """Steps 4–7 of §4.5: recommended command, `json` pointers on promoted variants, dropped keys."""
    if recommended is not None:
        doc["recommended_command"] = recommended
    if pointers:
        variants = dict(doc["variants"])
        for key, target in pointers.items():
            variants[key] = {**variants[key], "json": target}
        doc["variants"] = variants
    for key in DROPPED_KEYS:
        doc.pop(key, None)
    return ordered(doc)


def promoted_document(parent: dict[str, Any], key: str, model_id: str, parent_id: str,
                      recommended: dict[str, Any]) -> dict[str, Any]:
    """§4.6: the parent document re-rooted at a variant's own checkpoint."""
    doc: dict[str, Any] = {}
    for k, v in parent.items():
        if k == "hf_id":
            doc[k] = model_id
        elif k == "meta":
            doc[k] = {**v, "derived_from": parent_id, "variant": key}
        elif k == "model":
            doc[k] = {**v, "model_id": model_id}
        elif k == "variants":
            doc[k] = {"default": {kk: vv for kk, vv in v[key].items() if kk not in ("model_id", "json")}}
        else:
            doc[k] = v
    doc["recommended_command"] = recommended
    return ordered(doc)


def index_entry(hf_id: str, meta: Any, url_id: str, derived_from: str | None = None) -> dict[str, Any]:
    """One `models.json` entry; title/provider omitted when the recipe lacks them."""
    entry: dict[str, Any] = {"hf_id": hf_id}
    if isinstance(meta, dict):
        for key in ("title", "provider"):
            if key in meta:
                entry[key] = meta[key]
    entry["url"] = "/" + url_id
    entry["json"] = "/" + hf_id + ".json"
    if derived_from is not None:
        entry["derived_from"] = derived_from
    return entry

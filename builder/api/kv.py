"""KV-store documents of the 2026-08 edition (spec 2026-08 §4.3a, §4.7.3): `kv_store/{name}.json`,
`kv_store.json`, and the kv rendering of a Mooncake deployment."""
from __future__ import annotations

from typing import Any

from builder.synth import Deployment, Launch


def kv_index(files: tuple[tuple[str, Any], ...]) -> dict[str, Any]:
    """`kv_store.json`: name → document in file order (a repeated name keeps its first position)."""
    index: dict[str, Any] = {}
    for name, raw in files:
        index[name] = raw
    return index


def _or_none(values: list[Any]) -> list[Any] | None:
    return values if values else None


def kv_rendering(dep: Deployment) -> dict[str, Any]:
    """§4.7.3: head members keep their places; the instance commands, then master, store, router."""
    sel, kv = dep.selection, dep.kv
    doc: dict[str, Any] = {
        "hardware": sel.hardware, "strategy": kv.name, "variant": sel.variant, "node_count": dep.node_count,
        "deploy_type": "kv_store_lb", "env": dep.env,
    }
    if dep.docker_image is not None:
        doc["docker_image"] = dep.docker_image
    head: Launch = dep.launches[0]
    workers = [launch for launch in dep.launches if launch.role == "worker"]
    first: Launch | None = workers[0] if workers else None
    doc.update({
        "serving_strategy": kv.serving_strategy,
        "kv_min_vllm_version": kv.min_vllm_version,
        "instances": kv.instances,
        "vllm_command": head.command,
        "vllm_argv": list(head.argv),
        "vllm_worker_command": first.command if first else None,
        "vllm_worker_commands": _or_none([w.command for w in workers]),
        "vllm_worker_argv": list(first.argv) if first else None,
        "vllm_worker_argvs": _or_none([list(w.argv) for w in workers]),
        "vllm_worker_docker_command": first.docker_command if first else None,
        "vllm_worker_docker_argv": list(first.docker_argv or ()) if first else None,
        "vllm_worker_docker_commands": _or_none([w.docker_command for w in workers]),
        "vllm_worker_docker_argvs": _or_none([list(w.docker_argv or ()) for w in workers]),
        "vllm_install": kv.vllm_install,
        "vllm_docker_command": head.docker_command,
        "vllm_docker_argv": list(head.docker_argv or ()),
        "master": kv.master,
        "store": kv.store,
        "router": kv.router,
        "mooncake_config": kv.mooncake_config,
        "mooncake_config_note": kv.mooncake_config_note,
    })
    return doc

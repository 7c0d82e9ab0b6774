"""Mooncake KV-store deployments (spec 2026-08 §6.15): instances of a serving strategy sharing one
KV cache pool, the metadata master, the optional store service and the cache-aware router.

The vLLM instance commands themselves come from `deploy()` (the serving strategy's launches with
the connector arguments last and `$VLLM_INSTANCE_1` as rendezvous); this module adds the rest.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from builder.models import KvStore

    from .context import Context
    from .deployment import Launch

DEFAULT_INSTANCES = 2
MASTER_COMMAND = "mooncake_master"
ROUTER_INSTALL = "uv pip install vllm-router"
ROUTER_PORT = 30080
ROUTER_POLICY = "cache_aware"
INSTANCE_PORT = 8000
INSTALL_BRANDS = {"AMD": "amd", "NVIDIA": "nvidia"}


@dataclass(frozen=True)
class KvParts:
    """Everything of a KV-store deployment besides the vLLM launches."""

    name: str
    serving_strategy: str
    min_vllm_version: str | None
    instances: int
    vllm_install: str | None
    master: dict[str, Any]
    store: dict[str, Any] | None
    router: dict[str, Any] | None
    mooncake_config: Any
    mooncake_config_note: str


def instance_count(kv: KvStore, requested: int | None = None) -> int:
    return requested or kv.default_instances or DEFAULT_INSTANCES


def vllm_install(kv: KvStore, brand: str) -> str | None:
    """§6.15.4: the brand's extra pip install (CUDA wheel on NVIDIA, non-CUDA build on AMD)."""
    install = kv.vllm.install if kv.vllm else None
    if isinstance(install, dict):
        key = INSTALL_BRANDS.get(brand)
        return (install.get(key) or None) if key else None
    return install if isinstance(install, str) else None


def router_command(kv: KvStore, instances: int) -> str:
    """`vllm-router` with one backend per instance, cache-aware balancing thresholds."""
    policy = (kv.router.policy if kv.router else None) or ROUTER_POLICY
    port = (kv.vllm.port if kv.vllm else None) or INSTANCE_PORT
    lines = [f"vllm-router --policy {policy}"]
    lines += [f"--backend-url http://$VLLM_INSTANCE_{i}:{port}" for i in range(1, instances + 1)]
    lines += ["--host $ROUTER_HOST", "--port $ROUTER_PORT", "--cache-threshold 0.5",
              "--balance-abs-threshold 4", "--balance-rel-threshold 1.1"]
    return lines[0] + " \\\n" + " \\\n".join("    " + line for line in lines[1:])


def _store(kv: KvStore) -> dict[str, Any] | None:
    spec = kv.mooncake_store_config
    if spec is None:
        return None
    out: dict[str, Any] = {}
    if spec.command is not None:
        out["command"] = spec.command
    # `config ∥ null` in the reference: an empty mapping is truthy there, so only absence gives null.
    out.update({"description": spec.description or "", "config": spec.config, "note": spec.note or ""})
    return out


def kv_parts(ctx: Context) -> KvParts:
    """The non-vLLM members of a kv rendering for the context's KV-store deployment."""
    kv = ctx.kv
    assert kv is not None
    instances = ctx.instances
    router = None
    if instances > 1:
        router = {"command": router_command(kv, instances),
                  "install": (kv.router.install if kv.router else None) or ROUTER_INSTALL,
                  "port": (kv.router.port if kv.router else None) or ROUTER_PORT}
    master = kv.mooncake_master
    config = kv.mooncake_vllm_config
    return KvParts(
        name=kv.name, serving_strategy=ctx.strategy.name, min_vllm_version=kv.min_vllm_version or None,
        instances=instances, vllm_install=vllm_install(kv, ctx.profile.brand),
        master={"command": (master.command if master else None) or MASTER_COMMAND,
                "description": (master.description if master else None) or ""},
        store=_store(kv), router=router,
        mooncake_config=(config.template if config and config.template else {}),
        mooncake_config_note=(config.note if config and config.note else ""),
    )


FIRST_INSTANCE = "$VLLM_INSTANCE_1"
CONFIG_PATHS = (("MOONCAKE_CONFIG_PATH", "/tmp/mooncake-vllm.json"),
                ("MOONCAKE_STORE_CONFIG_PATH", "/tmp/mooncake-store.json"))
"""Where the config files go unless the reader sets the variable first (the commands read them)."""


def instance_launch(launch: Launch, instance: int) -> Launch:
    """`launch` as instance `instance` (1-based) runs it: every instance meets at its own head node.

    The API's launches are the first instance's (rendezvous `$VLLM_INSTANCE_1`, 2026-08 §6.15.1)."""
    if instance == 1:
        return launch
    name = f"$VLLM_INSTANCE_{instance}"

    def swap(value: Any) -> Any:
        return value.replace(FIRST_INSTANCE, name) if isinstance(value, str) else value

    return replace(launch, argv=tuple(swap(a) for a in launch.argv), command=swap(launch.command),
                   docker_argv=None if launch.docker_argv is None else tuple(swap(a) for a in launch.docker_argv),
                   docker_command=swap(launch.docker_command))


def _comment(text: str) -> str:
    return "\n".join("# " + line for line in text.splitlines())


def config_block(label: str, path_var: str, config: Any) -> str:
    """Write a Mooncake config file; the heredoc is unquoted so `$VARS` in it expand."""
    text = json.dumps(config, indent=2, ensure_ascii=False)
    return f"{label}\ncat > \"${path_var}\" <<EOF\n{text}\nEOF"


def config_blocks(kv: KvParts) -> list[str]:
    """The config files of a deployment: the store service's (centralized), then the instances'."""
    blocks = []
    if kv.store is not None and kv.store.get("config") is not None:
        note = ("\n" + _comment(kv.store["note"])) if kv.store.get("note") else ""
        blocks.append(config_block("# store service config" + note, "MOONCAKE_STORE_CONFIG_PATH", kv.store["config"]))
    note = ("\n" + _comment(kv.mooncake_config_note)) if kv.mooncake_config_note else ""
    blocks.append(config_block("# Mooncake config, on every instance node" + note, "MOONCAKE_CONFIG_PATH",
                               kv.mooncake_config))
    return blocks


def config_script(kv: KvParts) -> str:
    """The "Mooncake Config" step: export the config paths (with defaults), then write the files."""
    used = [(var, path) for var, path in CONFIG_PATHS if var != "MOONCAKE_STORE_CONFIG_PATH" or kv.store is not None]
    exports = "\n".join(f'export {var}="${{{var}:-{path}}}"' for var, path in used)
    return "# Run on every node that starts a Mooncake process (the paths must match)\n" + exports + "\n\n" + \
        "\n\n".join(config_blocks(kv))

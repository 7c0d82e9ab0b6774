"""The values synthesis produces: what the user selected and every process to launch."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

NVL4_ONLY_ENV = ("VLLM_USE_NCCL_SYMM_MEM", "NCCL_CUMEM_ENABLE", "NCCL_MNNVL_ENABLE", "NCCL_NVLS_ENABLE",
                 "UCX_NET_DEVICES")
"""Variables that only make sense inside a GB200/GB300 NVLink domain."""
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
    prefill_nodes: int | None = None
    """Nodes in the prefill pool (0: both roles share one node); None: sized from memory."""
    decode_nodes: int | None = None
    prefill_mode: str | None = None
    """Pool parallelism `tp`, `tep` or `dep`; None: the recipe's choice."""
    decode_mode: str | None = None
    kv_store: str | None = None
    """A KV-store deployment wrapping `strategy` (the serving strategy), 2026-08 §6.15."""
    instances: int | None = None
    """vLLM instances of the KV-store deployment; None: its `default_instances`."""
    modes: tuple[tuple[str, str], ...] = ()
    """(feature, mode) choices; features not listed use their effective mode (2026-08 §6.7.2)."""
    kv_offload: str | None = None
    """A KV-cache offload option of the taxonomy (2026-08 §6.16); never chosen by the API."""
    advanced: tuple[str, ...] = ()
    """Ids of the page's advanced options (builder.synth.advanced), added before the feature
    arguments (site spec §2.5.1 step 6); never chosen by the API."""


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

    role: str  # serve | head | worker | prefill | decode | router (kv: master | store | kv-router)
    rank: int
    env: dict[str, Any]
    argv: tuple[str, ...]
    command: str
    docker_argv: tuple[Any, ...] | None = None
    docker_command: str | None = None
    pool: Pool | None = None


@dataclass(frozen=True)
class Deployment:
    selection: Selection
    deploy_type: str
    node_count: int
    env: dict[str, Any]
    docker_image: str | None
    launches: tuple[Launch, ...]
    router_config: Any = field(default=None)
    kv: Any = None
    """`KvParts` of a KV-store deployment (builder.synth.kvstore), else None."""
    companions: tuple[dict[str, Any], ...] = ()
    """Processes to start beside a single-node server (2026-08 §6.7.4)."""

    def first(self, role: str, rank: int = 0) -> Launch:
        return next(launch for launch in self.launches if launch.role == role and launch.rank == rank)

"""Serving strategies (``strategies/*.yaml``): how a model is spread over GPUs and nodes."""
from __future__ import annotations

from typing import Any, Literal

from builder.models._base import ArgList, EnvMap, GpuCount, Schema, Text


class HardwareMatch(Schema):
    """Display hints: which hardware the strategy suits. Not used by synthesis."""

    min_gpus: GpuCount | None = None
    max_gpus: GpuCount | None = None
    multi_node: bool | None = None
    architecture: str | None = None


class PoolSpec(Schema):
    """One role (prefill or decode) of a prefill/decode cluster."""

    vllm_args: ArgList = []
    env: EnvMap = {}
    parallelism: str | None = None
    tp: GpuCount | None = None
    parallel_flag: str | None = None


class RouterSpec(Schema):
    policy: Text = "round_robin"


class Strategy(Schema):
    name: Text
    deploy_type: Literal["single_node", "multi_node", "pd_cluster"] = "single_node"
    display_name: str = ""
    orientation: str | None = None
    """`latency`, `balanced`, `throughput` or `production`: what the strategy optimizes."""
    description: str = ""
    hardware_match: HardwareMatch | None = None
    vllm_args: ArgList = []
    parallel_flag: str | None = None
    """Flag that receives the parallel size (default `--tensor-parallel-size`)."""
    parallelism: Literal["tp_pp", "tp_dp"] | None = None
    """`tp_pp`: TP inside a node, pipeline stages across nodes; `tp_dp`: TP inside a node, one
    data-parallel replica per node (2026-08 edition)."""
    env: EnvMap = {}
    prefill: PoolSpec | None = None
    decode: PoolSpec | None = None
    router: RouterSpec | None = None


class KvRouter(Schema):
    policy: str | None = None
    install: str | None = None
    port: int | None = None


class KvVllm(Schema):
    """What every vLLM instance of a KV-store deployment adds."""

    vllm_args: ArgList = []
    env: EnvMap = {}
    install: str | dict[str, str] | None = None
    """Extra pip install: one command, or per brand (`nvidia`, `amd`)."""
    port: int | None = None


class KvPdRole(Schema):
    args: ArgList = []


class KvPd(Schema):
    prefill: KvPdRole | None = None
    decode: KvPdRole | None = None


class KvProcess(Schema):
    command: str | None = None
    description: str | None = None
    note: str | None = None
    config: dict[str, Any] | None = None


class KvVllmConfig(Schema):
    mode: str | None = None
    note: str | None = None
    template: dict[str, Any] | None = None


class KvStore(Schema):
    """A Mooncake KV-store deployment (``kv_store/*.yaml``): instances sharing one KV cache pool."""

    name: str
    deploy_type: Literal["kv_store_lb"]
    display_name: str = ""
    label: str | None = None
    order: int | None = None
    description: str = ""
    router: KvRouter | None = None
    vllm: KvVllm | None = None
    pd: KvPd | None = None
    mooncake_master: KvProcess | None = None
    mooncake_store_config: KvProcess | None = None
    mooncake_vllm_config: KvVllmConfig | None = None
    min_vllm_version: str | None = None
    default_instances: int | None = None
    """vLLM instances behind the router (default 2)."""

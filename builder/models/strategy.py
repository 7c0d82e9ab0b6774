"""Serving strategies (``strategies/*.yaml``): how a model is spread over GPUs and nodes."""
from __future__ import annotations

from typing import Any, Literal, Optional, Union

from builder.models._base import ArgList, EnvMap, GpuCount, Schema, Text


class HardwareMatch(Schema):
    """Display hints: which hardware the strategy suits. Not used by synthesis."""

    min_gpus: Optional[GpuCount] = None
    max_gpus: Optional[GpuCount] = None
    multi_node: Optional[bool] = None
    architecture: Optional[str] = None


class PoolSpec(Schema):
    """One role (prefill or decode) of a prefill/decode cluster."""

    vllm_args: ArgList = []
    env: EnvMap = {}
    parallelism: Optional[str] = None
    tp: Optional[GpuCount] = None
    parallel_flag: Optional[str] = None


class RouterSpec(Schema):
    policy: Text = "round_robin"


class Strategy(Schema):
    name: Text
    deploy_type: Literal["single_node", "multi_node", "pd_cluster"] = "single_node"
    display_name: str = ""
    orientation: Optional[str] = None
    """`latency`, `balanced`, `throughput` or `production`: what the strategy optimizes."""
    description: str = ""
    hardware_match: Optional[HardwareMatch] = None
    vllm_args: ArgList = []
    parallel_flag: Optional[str] = None
    """Flag that receives the parallel size (default `--tensor-parallel-size`)."""
    parallelism: Optional[Literal["tp_pp", "tp_dp"]] = None
    """`tp_pp`: TP inside a node, pipeline stages across nodes; `tp_dp`: TP inside a node, one
    data-parallel replica per node (2026-08 edition)."""
    env: EnvMap = {}
    prefill: Optional[PoolSpec] = None
    decode: Optional[PoolSpec] = None
    router: Optional[RouterSpec] = None


class KvRouter(Schema):
    policy: Optional[str] = None
    install: Optional[str] = None
    port: Optional[int] = None


class KvVllm(Schema):
    """What every vLLM instance of a KV-store deployment adds."""

    vllm_args: ArgList = []
    env: EnvMap = {}
    install: Union[str, dict[str, str], None] = None
    """Extra pip install: one command, or per brand (`nvidia`, `amd`)."""
    port: Optional[int] = None


class KvPdRole(Schema):
    args: ArgList = []


class KvPd(Schema):
    prefill: Optional[KvPdRole] = None
    decode: Optional[KvPdRole] = None


class KvProcess(Schema):
    command: Optional[str] = None
    description: Optional[str] = None
    note: Optional[str] = None
    config: Optional[dict[str, Any]] = None


class KvVllmConfig(Schema):
    mode: Optional[str] = None
    note: Optional[str] = None
    template: Optional[dict[str, Any]] = None


class KvStore(Schema):
    """A Mooncake KV-store deployment (``kv_store/*.yaml``): instances sharing one KV cache pool."""

    name: str
    deploy_type: Literal["kv_store_lb"]
    display_name: str = ""
    label: Optional[str] = None
    order: Optional[int] = None
    description: str = ""
    router: Optional[KvRouter] = None
    vllm: Optional[KvVllm] = None
    pd: Optional[KvPd] = None
    mooncake_master: Optional[KvProcess] = None
    mooncake_store_config: Optional[KvProcess] = None
    mooncake_vllm_config: Optional[KvVllmConfig] = None
    min_vllm_version: Optional[str] = None
    default_instances: Optional[int] = None
    """vLLM instances behind the router (default 2)."""

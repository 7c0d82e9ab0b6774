"""Serving strategies (``strategies/*.yaml``): how a model is spread over GPUs and nodes."""
from __future__ import annotations

from typing import Literal, Optional

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
    parallelism: Optional[Literal["tp_pp"]] = None
    env: EnvMap = {}
    prefill: Optional[PoolSpec] = None
    decode: Optional[PoolSpec] = None
    router: Optional[RouterSpec] = None

"""One recipe (``models/<org>/<repo>.yaml``): a model, its checkpoints and how to serve them."""
from __future__ import annotations

from typing import Optional, Union

from pydantic import Field

from ._base import ArgList, EnvMap, Schema

DockerImage = Union[str, dict[str, Union[str, dict[str, str]]]]
"""A plain image (NVIDIA only), or a mapping keyed by brand (`nvidia`, `amd`, `tpu`, `intel`)
whose values are images or CUDA maps (`cu129`/`cu130` → image)."""


class PlatformLink(Schema):
    id: str
    blurb: Optional[str] = None
    install: Optional[str] = None
    script: Optional[str] = None


class Meta(Schema):
    title: str
    slug: Optional[str] = None
    provider: str
    description: str
    date_updated: str
    """`YYYY-MM-DD`."""
    difficulty: Optional[str] = None
    tasks: list[str] = Field(min_length=1)
    """`text`, `multimodal`, `embedding`, `omni` (see taxonomy)."""
    performance_headline: Optional[str] = None
    related_recipes: list[str] = []
    """Other recipes by hf id, e.g. `zai-org/GLM-5`."""
    hardware: dict[str, Optional[str]] = {}
    """Hardware id → `verified`, `unsupported` or a note. Listing a restricted profile shows it."""
    platforms: list[PlatformLink] = []


class InstallStep(Schema):
    command: Optional[str] = None
    note: Optional[str] = None


class InstallConfig(Schema):
    """Overrides for the synthesized install block; `false` hides a method."""

    pip: Union[InstallStep, bool, None] = None
    docker: Union[InstallStep, bool, None] = None


class ModelInfo(Schema):
    model_id: str
    """The Hugging Face checkpoint `vllm serve` loads by default."""
    min_vllm_version: Optional[str] = None
    nightly_required: bool = False
    docker_image: Optional[DockerImage] = None
    architecture: Optional[str] = None
    """`dense` or `moe`."""
    parameter_count: Optional[str] = None
    active_parameters: Optional[str] = None
    context_length: Optional[int] = None
    base_args: ArgList = []
    base_env: EnvMap = {}
    install: Optional[InstallConfig] = None
    supports_dcp: Optional[bool] = None
    flashinfer_autotune: Optional[bool] = None


class FeatureOverride(Schema):
    args: Optional[ArgList] = None


class Feature(Schema):
    description: str = ""
    args: ArgList = []
    hardware_overrides: dict[str, Optional[FeatureOverride]] = {}
    """Generation (or `nvidia`) → replacement args on that hardware."""


class VariantHardwareOverride(Schema):
    docker_image: Optional[str] = None
    extra_args: ArgList = []
    extra_env: EnvMap = {}


class Variant(Schema):
    model_id: Optional[str] = None
    """Checkpoint of this variant; a non-default variant with one gets its own API document."""
    precision: str
    """`bf16`, `fp8`, `nvfp4`, `mxfp4`, … (`nvfp4`/`fp4` need NVIDIA Blackwell)."""
    vram_minimum_gb: Union[int, float]
    """Memory the weights need, in GB; decides node counts and fit."""
    description: str = ""
    label: Optional[str] = None
    tp: Optional[int] = None
    """Tensor-parallel size for single-node TP (capped at the node's GPU count)."""
    extra_args: ArgList = []
    extra_env: EnvMap = {}
    supported_hardware: list[str] = []
    """Allow-list of hardware ids (empty: any)."""
    hardware_overrides: dict[str, Optional[VariantHardwareOverride]] = {}
    """Hardware id → args, env or image for this variant there."""
    docker_image: Optional[DockerImage] = None


class HardwareOverride(Schema):
    extra_args: ArgList = []
    extra_env: EnvMap = {}
    install_note: Optional[str] = None


class PoolOverride(Schema):
    vllm_args: ArgList = []
    extra_args: ArgList = []
    env: EnvMap = {}
    parallelism: Optional[str] = None
    tp: Optional[int] = None
    parallel_flag: Optional[str] = None
    nodes: Union[int, dict[str, int], None] = None
    """Informational only: the node plan comes from memory sizes."""


class StrategyOverride(Schema):
    tp: Optional[int] = None
    extra_args: ArgList = []
    vllm_args: ArgList = []
    env: EnvMap = {}
    extra_env: EnvMap = {}
    hardware_overrides: dict[str, Optional[HardwareOverride]] = {}
    """Replaces the recipe-level `hardware_overrides` for this strategy."""
    prefill: Optional[PoolOverride] = None
    decode: Optional[PoolOverride] = None


class Dependency(Schema):
    command: str
    note: str = ""
    optional: bool = False


class OmniTask(Schema):
    id: str
    label: Optional[str] = None
    description: Optional[str] = None
    endpoint: Optional[str] = None
    curl: Optional[str] = None
    model_id: Optional[str] = None
    vram_minimum_gb: Optional[Union[int, float]] = None


class Omni(Schema):
    serve_binary: Optional[str] = None
    tasks: list[Union[OmniTask, str]] = []


class Recipe(Schema):
    meta: Meta
    model: ModelInfo
    features: dict[str, Optional[Feature]] = {}
    """Optional server features (tool calling, reasoning, …), on by default unless opted in."""
    opt_in_features: list[str] = []
    """Features that stay off until the user turns them on."""
    hardware_opt_in_features: dict[str, list[str]] = {}
    """Hardware id → features that are opt-in there only."""
    variants: dict[str, Variant] = Field(min_length=1)
    compatible_strategies: list[str] = []
    default_strategy: Optional[str] = None
    hardware_overrides: dict[str, Optional[HardwareOverride]] = {}
    """Generation (`hopper`, `blackwell`, `amd`, `tpu`, `cpu`) or `nvidia` → extra args/env."""
    strategy_overrides: dict[str, Optional[StrategyOverride]] = {}
    dependencies: list[Dependency] = []
    omni: Optional[Omni] = None
    guide: str = ""
    """Markdown shown on the recipe page."""

    @property
    def is_omni(self) -> bool:
        return "omni" in self.meta.tasks

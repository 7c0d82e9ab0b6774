"""One recipe (``models/<org>/<repo>.yaml``): a model, its checkpoints and how to serve them."""
from __future__ import annotations

from typing import Annotated, Optional, Union

from pydantic import Field, field_validator

from builder.models._base import ArgList, EnvMap, Gigabytes, GpuCount, NodeCount, Schema, Text

DockerImage = Union[str, dict[str, Union[str, dict[str, str]]]]
"""A plain image (NVIDIA only), or a mapping keyed by brand (`nvidia`, `amd`, `tpu`, `intel`)
whose values are images or CUDA maps (`cu129`/`cu130` → image)."""


class PlatformLink(Schema):
    id: str
    """Platform id from `platforms.yaml` (e.g. `modal`)."""
    blurb: Optional[str] = None
    """Text shown with the platform link on this recipe's page."""
    install: Optional[str] = None
    """Install command for this model on the platform."""
    script: Optional[str] = None
    """Script or command that starts the model on the platform."""


class Meta(Schema):
    title: Text
    """Display name of the model, e.g. `GLM-5.2`."""
    slug: Optional[str] = None
    """Short lowercase name, e.g. `glm-5.2`; pages are addressed by hf id."""
    provider: Text
    """Who publishes the model, as shown on cards, e.g. `Qwen`."""
    description: str
    """One or two sentences shown under the title, on cards and in search."""
    date_updated: str
    """`YYYY-MM-DD`."""
    difficulty: Optional[str] = None
    """`beginner`, `intermediate` or `advanced`: how demanding the deployment is."""
    tasks: list[str] = Field(min_length=1)
    """`text`, `multimodal`, `embedding`, `omni` (see taxonomy)."""
    performance_headline: Optional[str] = None
    """One line on what the model is best at, shown on the recipe page."""
    related_recipes: list[str] = []
    """Other recipes by hf id, e.g. `zai-org/GLM-5`."""
    hardware: dict[str, Optional[str]] = {}
    """Hardware id → `verified`, `unsupported` or a note. Listing a restricted profile shows it."""
    platforms: list[PlatformLink] = []
    """Third-party platforms (from `platforms.yaml`) that host this model."""


class InstallStep(Schema):
    command: Optional[str] = None
    """Replaces the synthesized install command."""
    note: Optional[str] = None
    """Shown under the install command."""


class InstallConfig(Schema):
    """Overrides for the synthesized install block; `false` hides a method."""

    pip: Union[InstallStep, bool, None] = None
    """`pip` install step: a mapping to override it, `false` to hide it."""
    docker: Union[InstallStep, bool, None] = None
    """`docker pull` step: a mapping to override it, `false` to hide it."""


class ModelInfo(Schema):
    model_id: Text
    """The Hugging Face checkpoint `vllm serve` loads by default."""
    min_vllm_version: Optional[str] = None
    """Oldest vLLM release that serves the model, e.g. `0.11.0`."""
    nightly_required: bool = False
    """True when no vLLM release serves it yet: install and images use nightly builds."""
    docker_image: Optional[DockerImage] = None
    """Image for `docker run`: one string (NVIDIA), or per brand (`nvidia`, `amd`, `tpu`, `intel`)."""
    architecture: Optional[str] = None
    """`dense` or `moe`."""
    parameter_count: Optional[str] = None
    """Total parameters as shown, e.g. `743B`."""
    active_parameters: Optional[str] = None
    """Parameters active per token (MoE), e.g. `39B`."""
    context_length: Optional[Annotated[int, Field(ge=0)]] = None
    """Maximum context in tokens (0: not applicable, e.g. image or audio models)."""
    base_args: ArgList = []
    """`vllm serve` arguments of every command, one flag or one value per item."""
    base_env: EnvMap = {}
    """Environment variables of every command."""
    install: Optional[InstallConfig] = None
    """Overrides for the install instructions shown with the recipe."""
    supports_dcp: Optional[bool] = None
    """True offers `--decode-context-parallel-size 8` among the advanced options."""
    flashinfer_autotune: Optional[bool] = None
    """True offers `--no-enable-flashinfer-autotune` among the advanced options."""


class FeatureOverride(Schema):
    args: Optional[ArgList] = None
    """Arguments that replace the feature's `args` on this hardware."""


class Feature(Schema):
    description: str = ""
    """What the feature does, shown next to its toggle."""
    args: ArgList = []
    """`vllm serve` arguments the feature adds, one flag or one value per item."""
    hardware_overrides: dict[str, Optional[FeatureOverride]] = {}
    """Generation (or `nvidia`) → replacement args on that hardware."""


class VariantHardwareOverride(Schema):
    docker_image: Optional[str] = None
    """Image to use on this hardware instead of the recipe's."""
    extra_args: ArgList = []
    """Arguments added on this hardware."""
    extra_env: EnvMap = {}
    """Environment variables added on this hardware."""


class Variant(Schema):
    model_id: Optional[str] = None
    """Checkpoint of this variant; a non-default variant with one gets its own API document."""
    precision: Text
    """`bf16`, `fp8`, `nvfp4`, `mxfp4`, … (`nvfp4`/`fp4` need NVIDIA Blackwell)."""
    vram_minimum_gb: Gigabytes
    """Memory the weights need, in GB; decides node counts and fit."""
    description: str = ""
    """What sets this checkpoint apart, shown when it is selected."""
    label: Optional[str] = None
    """Short name on the variant button (default: the precision in capitals)."""
    tp: Optional[GpuCount] = None
    """Tensor-parallel size for single-node TP (capped at the node's GPU count)."""
    extra_args: ArgList = []
    """Arguments this variant adds (not applied to the `default` variant)."""
    extra_env: EnvMap = {}
    """Environment variables this variant adds (not applied to the `default` variant)."""
    supported_hardware: list[str] = []
    """Allow-list of hardware ids (empty: any)."""
    hardware_overrides: dict[str, Optional[VariantHardwareOverride]] = {}
    """Hardware id → args, env or image for this variant there."""
    docker_image: Optional[DockerImage] = None
    """Image for this variant: a string (NVIDIA) or per brand."""


class HardwareOverride(Schema):
    extra_args: ArgList = []
    """Arguments added on this hardware; a repeated flag replaces an earlier value."""
    extra_env: EnvMap = {}
    """Environment variables added on this hardware."""
    install_note: Optional[str] = None
    """Note shown with the install instructions on this hardware."""


class PoolOverride(Schema):
    vllm_args: ArgList = []
    """Arguments added to this pool's commands."""
    extra_args: ArgList = []
    """More arguments added to this pool's commands."""
    env: EnvMap = {}
    """Environment variables of this pool."""
    parallelism: Optional[str] = None
    """`tp`, `tep` or `dep`: how the pool is parallelized."""
    tp: Optional[GpuCount] = None
    """Tensor-parallel size inside a `dep` pool."""
    parallel_flag: Optional[str] = None
    """Flag that receives the pool's parallel size."""
    nodes: Union[NodeCount, dict[str, NodeCount], None] = None
    """Informational only: the node plan comes from memory sizes."""


class StrategyOverride(Schema):
    tp: Optional[GpuCount] = None
    """Tensor-parallel size for `single_node_tp` (capped at the node's GPU count)."""
    extra_args: ArgList = []
    """Arguments added with this strategy."""
    vllm_args: ArgList = []
    """More arguments added with this strategy."""
    env: EnvMap = {}
    """Environment variables added with this strategy."""
    extra_env: EnvMap = {}
    """More environment variables added with this strategy."""
    hardware_overrides: dict[str, Optional[HardwareOverride]] = {}
    """Replaces the recipe-level `hardware_overrides` for this strategy."""
    prefill: Optional[PoolOverride] = None
    """Prefill pool settings (`pd_cluster`)."""
    decode: Optional[PoolOverride] = None
    """Decode pool settings (`pd_cluster`)."""


class Dependency(Schema):
    command: str
    """Shell command, shown with the install instructions."""
    note: str = ""
    """Why or when it is needed."""
    optional: bool = False
    """True when the model serves without it."""


class OmniTask(Schema):
    id: str
    """Task id."""
    label: Optional[str] = None
    """Task name shown on the page."""
    description: Optional[str] = None
    """What the task does."""
    endpoint: Optional[str] = None
    """HTTP endpoint of the task, e.g. `/v1/audio/speech`."""
    curl: Optional[str] = None
    """Example request."""
    model_id: Optional[str] = None
    """Checkpoint this task serves, when not the recipe's."""
    vram_minimum_gb: Optional[Gigabytes] = None
    """Memory this task needs, in GB."""


class Omni(Schema):
    serve_binary: Optional[str] = None
    """Command that serves the model instead of `vllm serve`, e.g. `vllm-omni serve`."""
    tasks: list[Union[OmniTask, str]] = []
    """Tasks the model serves: ids, or mappings with details."""


class Recipe(Schema):
    meta: Meta
    """What the page says about the model."""
    model: ModelInfo
    """The checkpoint and what every command shares."""
    features: dict[str, Optional[Feature]] = {}
    """Optional server features (tool calling, reasoning, …), on by default unless opted in."""
    opt_in_features: list[str] = []
    """Features that stay off until the user turns them on."""
    hardware_opt_in_features: dict[str, list[str]] = {}
    """Hardware id → features that are opt-in there only."""
    variants: dict[str, Variant] = Field(min_length=1)
    """Checkpoints and precisions, keyed by name; `default` is required and selected first."""
    compatible_strategies: list[str] = []
    """Strategy names the model supports, in the order they are offered."""
    default_strategy: Optional[str] = None
    """Strategy to recommend (its `multi_node_` sibling when the weights need several nodes)."""
    hardware_overrides: dict[str, Optional[HardwareOverride]] = {}
    """Generation (`hopper`, `blackwell`, `amd`, `tpu`, `cpu`) or `nvidia` → extra args/env."""
    strategy_overrides: dict[str, Optional[StrategyOverride]] = {}
    """Strategy name → extra args, env, `tp` or pool settings with that strategy."""
    dependencies: list[Dependency] = []
    """Extra install steps shown with the install instructions."""
    omni: Optional[Omni] = None
    """Serving details of omni (any-to-any) models, which get no synthesized commands."""
    guide: str = ""
    """Markdown shown on the recipe page."""

    @field_validator("variants")
    @classmethod
    def _has_default(cls, variants: dict[str, Variant]) -> dict[str, Variant]:
        # Synthesis, pages and the API all start from `default`; without it nothing can render.
        if "default" not in variants:
            raise ValueError(f'a variant named "default" is required (found: {", ".join(variants)})')
        return variants

    @property
    def is_omni(self) -> bool:
        return "omni" in self.meta.tasks

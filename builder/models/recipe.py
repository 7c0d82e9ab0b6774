"""One recipe (``models/<org>/<repo>.yaml``): a model, its checkpoints and how to serve them."""
from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator

from builder.models._base import ArgList, EnvMap, Gigabytes, GpuCount, NodeCount, Schema, Text
from builder.models.omni import Omni

DockerImage = str | dict[str, str | dict[str, str]]
"""A plain image (NVIDIA only), or a mapping keyed by brand (`nvidia`, `amd`, `tpu`, `intel`)
whose values are images or CUDA maps (`cu129`/`cu130` → image)."""


class PlatformLink(Schema):
    id: str
    """Platform id from `platforms.yaml` (e.g. `modal`)."""
    blurb: str | None = None
    """Text shown with the platform link on this recipe's page."""
    install: str | None = None
    """Install command for this model on the platform."""
    script: str | None = None
    """Script or command that starts the model on the platform."""


class Meta(Schema):
    title: Text
    """Display name of the model, e.g. `GLM-5.2`."""
    slug: str | None = None
    """Short lowercase name, e.g. `glm-5.2`; pages are addressed by hf id."""
    provider: Text
    """Who publishes the model, as shown on cards, e.g. `Qwen`."""
    description: str
    """One or two sentences shown under the title, on cards and in search."""
    date_updated: str
    """`YYYY-MM-DD`."""
    date_added: str | None = None
    """`YYYY-MM-DD`: when the recipe was first published."""
    default_hardware: str | None = None
    """Hardware id to recommend first, when the default variant can run there (2026-08 edition)."""
    difficulty: str | None = None
    """`beginner`, `intermediate` or `advanced`: how demanding the deployment is."""
    tasks: list[str] = Field(min_length=1)
    """`text`, `multimodal`, `embedding`, `omni` (see taxonomy)."""
    performance_headline: str | None = None
    """One line on what the model is best at, shown on the recipe page."""
    related_recipes: list[str] = []
    """Other recipes by hf id, e.g. `zai-org/GLM-5`."""
    hardware: dict[str, str | None] = {}
    """Hardware id → `verified`, `unsupported` or a note. Listing a restricted profile shows it."""
    platforms: list[PlatformLink] = []
    """Third-party platforms (from `platforms.yaml`) that host this model."""


class InstallStep(Schema):
    command: str | None = None
    """Replaces the synthesized install command."""
    note: str | None = None
    """Shown under the install command."""


class InstallConfig(Schema):
    """Overrides for the synthesized install block; `false` hides a method."""

    pip: InstallStep | bool | None = None
    """`pip` install step: a mapping to override it, `false` to hide it."""
    docker: InstallStep | bool | None = None
    """`docker pull` step: a mapping to override it, `false` to hide it."""


class DockerSource(Schema):
    mount_path: str
    """Host path of the checkout."""


class ModelInfo(Schema):
    model_id: Text
    """The Hugging Face checkpoint `vllm serve` loads by default."""
    min_vllm_version: str | None = None
    """Oldest vLLM release that serves the model, e.g. `0.11.0`."""
    nightly_required: bool = False
    """True when no vLLM release serves it yet: install and images use nightly builds."""
    docker_image: DockerImage | None = None
    """Image for `docker run`: one string (NVIDIA), or per brand (`nvidia`, `amd`, `tpu`, `intel`)."""
    architecture: str | None = None
    """`dense` or `moe`."""
    parameter_count: str | None = None
    """Total parameters as shown, e.g. `743B`."""
    active_parameters: str | None = None
    """Parameters active per token (MoE), e.g. `39B`."""
    context_length: Annotated[int, Field(ge=0)] | None = None
    """Maximum context in tokens (0: not applicable, e.g. image or audio models)."""
    base_args: ArgList = []
    """`vllm serve` arguments of every command, one flag or one value per item."""
    base_env: EnvMap = {}
    """Environment variables of every command."""
    install: InstallConfig | None = None
    """Overrides for the install instructions shown with the recipe."""
    docker_source: DockerSource | None = None
    """A local source checkout to mount into the container (omni recipes)."""
    supports_dcp: bool | None = None
    """True offers `--decode-context-parallel-size 8` among the advanced options."""
    flashinfer_autotune: bool | None = None
    """True offers `--no-enable-flashinfer-autotune` among the advanced options."""


class FeatureOverride(Schema):
    args: ArgList | None = None
    """Arguments that replace the feature's `args` on this hardware."""


class FeatureMode(Schema):
    """One way to run a feature (e.g. one speculative-decoding method); exactly one mode is active."""

    label: str | None = None
    """Short name on the mode button."""
    description: str = ""
    """What this mode does."""
    args: ArgList = []
    """`vllm serve` arguments of this mode."""
    variants: list[str] | None = None
    """Variants this mode is offered for (absent or empty: all)."""
    hardware: dict[str, str | None] = {}
    """Hardware id or generation → `unsupported` hides the mode there."""
    hardware_overrides: dict[str, FeatureOverride | None] = {}
    """Hardware id, generation, brand (lower case) or `default` → replacement args."""
    note: str | None = None
    """A tuning tip the command builder shows under the Features row while this mode is active."""


class Companion(Schema):
    """A process to run beside `vllm serve` on the same node (single-node renderings list it)."""

    label: str | None = None
    """Name of the process, e.g. `LMCache Server`."""
    description: str | None = None
    """Where and when to run it."""
    command: str | None = None
    """Shell command that starts it."""


class Feature(Schema):
    description: str = ""
    """What the feature does, shown next to its toggle."""
    label: str | None = None
    """Short name on the feature toggle."""
    args: ArgList = []
    """`vllm serve` arguments the feature adds, one flag or one value per item (not with `modes`)."""
    hardware_overrides: dict[str, FeatureOverride | None] = {}
    """Generation (or `nvidia`) → replacement args on that hardware."""
    modes: dict[str, FeatureMode] | None = None
    """Alternative ways to run the feature; the effective mode's args replace `args`."""
    default_mode: str | None = None
    """Mode used unless a variant's `default_modes` picks another."""
    strategies: list[str] = []
    """Strategies the feature applies to (empty: all)."""
    hardware: dict[str, str | None] = {}
    """Hardware id → `unsupported` (informational)."""
    companion: Companion | None = None
    """A process to start beside the server when the feature is on."""


class VariantHardwareOverride(Schema):
    docker_image: str | None = None
    """Image to use on this hardware instead of the recipe's."""
    extra_args: ArgList = []
    """Arguments added on this hardware."""
    extra_env: EnvMap = {}
    """Environment variables added on this hardware."""


class PrecisionHardware(Schema):
    brand: str | None = None
    """Required brand, e.g. `NVIDIA`."""
    generation: str | None = None
    """Required generation, e.g. `blackwell`."""


class Variant(Schema):
    model_id: str | None = None
    """Checkpoint of this variant; a non-default variant with one gets its own API document."""
    precision: Text
    """`bf16`, `fp8`, `nvfp4`, `mxfp4`, … (`nvfp4`/`fp4` need NVIDIA Blackwell)."""
    vram_minimum_gb: Gigabytes
    """Memory the weights need, in GB; decides node counts and fit."""
    description: str = ""
    """What sets this checkpoint apart, shown when it is selected."""
    label: str | None = None
    """Short name on the variant button (default: the precision in capitals)."""
    tp: GpuCount | dict[str, GpuCount | None] | None = None
    """Tensor-parallel size for single-node TP (capped at the node's GPU count, except on CPUs), or a
    mapping keyed by hardware id, generation, brand (lower case) or `default`."""
    min_vllm_version: str | None = None
    """Oldest vLLM release that serves this checkpoint."""
    precision_hardware: PrecisionHardware | None = None
    """Where this precision runs; replaces the built-in NVFP4/FP4 → NVIDIA Blackwell rule."""
    default_modes: dict[str, str] = {}
    """Feature → mode selected for this variant; the feature is on even if opt-in."""
    extra_args: ArgList = []
    """Arguments this variant adds (the 2026-06 edition ignores them on the `default` variant)."""
    extra_env: EnvMap = {}
    """Environment variables this variant adds (the 2026-06 edition ignores them on `default`)."""
    supported_hardware: list[str] = []
    """Allow-list of hardware ids (empty: any)."""
    hardware_overrides: dict[str, VariantHardwareOverride | None] = {}
    """Hardware id → args, env or image for this variant there."""
    docker_image: DockerImage | None = None
    """Image for this variant: a string (NVIDIA) or per brand."""


class HardwareOverride(Schema):
    extra_args: ArgList = []
    """Arguments added on this hardware; a repeated flag replaces an earlier value."""
    extra_env: EnvMap = {}
    """Environment variables added on this hardware."""
    install_note: str | None = None
    """Note shown with the install instructions on this hardware."""


class PoolOverride(Schema):
    vllm_args: ArgList = []
    """Arguments added to this pool's commands."""
    extra_args: ArgList = []
    """More arguments added to this pool's commands."""
    env: EnvMap = {}
    """Environment variables of this pool."""
    parallelism: str | None = None
    """`tp`, `tep` or `dep`: how the pool is parallelized."""
    tp: GpuCount | None = None
    """Tensor-parallel size inside a `dep` pool."""
    parallel_flag: str | None = None
    """Flag that receives the pool's parallel size."""
    nodes: NodeCount | dict[str, NodeCount] | None = None
    """Informational only: the node plan comes from memory sizes."""
    hardware_overrides: dict[str, HardwareOverride | None] = {}
    """Hardware id → args/env added to this pool there (after every other override)."""


class RouterOverride(Schema):
    intra_node_data_parallel_size: int | None = None
    """Replaces the router's `--intra-node-data-parallel-size`."""


class StrategyOverride(Schema):
    tp: GpuCount | dict[str, GpuCount | None] | None = None
    """Tensor-parallel size for `single_node_tp` (capped at the node's GPU count, except on CPUs),
    or a mapping keyed by hardware id, generation, brand (lower case) or `default`."""
    extra_args: ArgList = []
    """Arguments added with this strategy."""
    vllm_args: ArgList = []
    """More arguments added with this strategy."""
    env: EnvMap = {}
    """Environment variables added with this strategy."""
    extra_env: EnvMap = {}
    """More environment variables added with this strategy."""
    hardware_overrides: dict[str, HardwareOverride | None] = {}
    """Generation keys replace the recipe-level `hardware_overrides` for this strategy; exact hardware
    ids add to them (2026-08 edition)."""
    prefill: PoolOverride | None = None
    """Prefill pool settings (`pd_cluster`)."""
    decode: PoolOverride | None = None
    """Decode pool settings (`pd_cluster`)."""
    pool_modes: list[str] = []
    """`pd_cluster`: pool parallelisms (`tp`, `tep`, `dep`) to offer, narrowing the recipe's strategies."""
    router: RouterOverride | None = None
    """`pd_cluster`: router settings."""


class Dependency(Schema):
    command: str
    """Shell command, shown with the install instructions."""
    note: str = ""
    """Why or when it is needed."""
    optional: bool = False
    """True when the model serves without it."""
    brand: str | None = None
    """Only needed on this brand, e.g. `NVIDIA`."""
    install_modes: list[str] = []
    """Install methods (`pip`, `docker`) the step belongs to (empty: all)."""


class NoteLink(Schema):
    label: str
    """Link text."""
    href: str
    """Target: a URL or a `#heading` of the guide."""


class HardwareNote(Schema):
    title: str
    """Heading of the note."""
    body: str = ""
    """Text of the note."""
    link: NoteLink | None = None
    """A link shown under the note."""


class Recipe(Schema):
    meta: Meta
    """What the page says about the model."""
    model: ModelInfo
    """The checkpoint and what every command shares."""
    features: dict[str, Feature | None] = {}
    """Optional server features (tool calling, reasoning, …), on by default unless opted in."""
    opt_in_features: list[str] = []
    """Features that stay off until the user turns them on."""
    hardware_opt_in_features: dict[str, list[str]] = {}
    """Hardware id → features that are opt-in there only."""
    variants: dict[str, Variant] = Field(min_length=1)
    """Checkpoints and precisions, keyed by name; `default` is required and selected first."""
    compatible_strategies: list[str] = []
    """Strategy names the model supports, in the order they are offered."""
    default_strategy: str | None = None
    """Strategy to recommend (its `multi_node_` sibling when the weights need several nodes)."""
    hardware_overrides: dict[str, HardwareOverride | None] = {}
    """Generation (`hopper`, `blackwell`, `amd`, `tpu`, `cpu`) or `nvidia` → extra args/env."""
    strategy_overrides: dict[str, StrategyOverride | None] = {}
    """Strategy name → extra args, env, `tp` or pool settings with that strategy."""
    strategy_hardware: dict[str, dict[str, str | None]] = {}
    """Strategy → {hardware id, generation, brand (lower case) or `default` → `supported`,
    `verified` or `unsupported`}: per-hardware switches; `supported` also offers a strategy that is
    not in `compatible_strategies` there."""
    strategy_min_gpus: int | dict[str, int | dict[str, int] | None] | None = None
    """GPU floor: a number for every strategy, or strategy → GPUs and hardware id → (number or
    strategy → GPUs); node counts are raised to reach it."""
    kv_offload_support: dict[str, str] = {}
    """KV-offload option (taxonomy `kv_offload`) → `verified` or `unsupported`."""
    kv_cache_strategy_hardware: dict[str, dict[str, str]] = {}
    """KV-store deployment → {hardware id → `unsupported`} opt-outs."""
    hardware_notes: dict[str, HardwareNote] = {}
    """Hardware id → a note shown when that hardware is selected."""
    dependencies: list[Dependency] = []
    """Extra install steps shown with the install instructions."""
    omni: Omni | None = None
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


def effective_strategies(recipe: Recipe) -> list[str]:
    """§5.7.2: compatible strategies, then strategies granted somewhere by `strategy_hardware`."""
    names = list(recipe.compatible_strategies)
    for name, table in recipe.strategy_hardware.items():
        if name not in names and isinstance(table, dict) and "supported" in table.values():
            names.append(name)
    return names

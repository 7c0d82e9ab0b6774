"""The `omni` block of a recipe: tasks and axes of models served by vLLM-Omni."""
from __future__ import annotations

from builder.models._base import ArgList, Gigabytes, Schema


class OmniTaskOverride(Schema):
    vram_minimum_gb: Gigabytes | None = None
    """Memory the preset needs on this hardware, in GB."""
    extra_args: ArgList = []
    """Arguments the preset adds on this hardware."""
    curl: str | None = None
    """Example request on this hardware."""


class OmniTask(Schema):
    id: str
    """Task id."""
    label: str | None = None
    """Task name shown on the page."""
    description: str | None = None
    """What the task does."""
    endpoint: str | None = None
    """HTTP endpoint of the task, e.g. `/v1/audio/speech`."""
    curl: str | None = None
    """Example request."""
    model_id: str | None = None
    """Checkpoint this task serves, when not the recipe's."""
    vram_minimum_gb: Gigabytes | None = None
    """Memory this task needs, in GB."""
    key: str | None = None
    """Preset key, when several presets share one task id."""
    axes: dict[str, str] = {}
    """Axis id → option id this preset stands for (see `omni.task_axes`)."""
    extra_args: ArgList = []
    """Arguments this preset adds."""
    hardware_overrides: dict[str, OmniTaskOverride | None] = {}
    """Hardware id → memory, args or request for this preset there."""


class OmniAxisOption(Schema):
    id: str
    """Option id, used in a task's `axes`."""
    label: str | None = None
    """Option name shown on the page."""


class OmniAxis(Schema):
    id: str
    """Axis id, used as a key of a task's `axes`."""
    label: str | None = None
    """Axis name shown on the page."""
    options: list[OmniAxisOption] = []
    """The choices of this axis."""


class Omni(Schema):
    serve_binary: str | None = None
    """Command that serves the model instead of `vllm serve`, e.g. `vllm-omni serve`."""
    tasks: list[OmniTask | str] = []
    """Tasks the model serves: ids, or mappings with details."""
    port: int | None = None
    """Port the omni server listens on."""
    task_axes: list[OmniAxis] = []
    """Axes that select a task preset."""
    task_label: str | None = None
    """Heading of the task choice on the page."""
    task_hint: str | None = None
    """Help text under the task choice."""
    variant_label: str | None = None
    """Heading of the variant choice on the page."""
    variant_hint: str | None = None
    """Help text under the variant choice."""

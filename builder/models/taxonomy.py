"""The shared vocabulary: hardware profiles and tasks (``taxonomy.yaml``)."""
from __future__ import annotations

from typing import Optional, Union

from builder.models._base import GpuCount, Gigabytes, Schema, Text


class HardwareProfile(Schema):
    """One node type a recipe can be served on (e.g. an 8-GPU H200 HGX node)."""

    brand: Text
    """Vendor: `NVIDIA`, `AMD`, `Google` (TPU) or `Intel` (CPU)."""
    generation: Optional[Union[str, list[str]]] = None
    """Architecture family used by overrides: `hopper`, `blackwell`, `amd`, `tpu`, `cpu`."""
    gpu_generation: Optional[Union[str, list[str]]] = None
    """Older spelling of `generation`."""
    display_name: Text
    description: str = ""
    gpu_count: GpuCount
    """Accelerators per node."""
    vram_gb: Gigabytes
    """Accelerator memory of the whole node, in GB."""
    multi_node: bool = False
    scalable: bool = True
    """False for workstations that cannot be clustered (no multi-node, no prefill/decode)."""
    restricted: bool = False
    """Shown only for recipes that declare the profile under `meta.hardware`."""

    @property
    def gen(self) -> str:
        """The generation, first element when a list (spec §0)."""
        value = self.generation if self.generation else self.gpu_generation
        if isinstance(value, list):
            return value[0] if value else ""
        return value or ""

    def gens(self) -> list[str]:
        value = self.generation if self.generation else self.gpu_generation
        if isinstance(value, list):
            return value
        return [value] if value else []

    @property
    def per_gpu_gb(self) -> float:
        return self.vram_gb / self.gpu_count if self.gpu_count else 0.0


class Task(Schema):
    id: str
    display_name: str
    description: str = ""


class Taxonomy(Schema):
    hardware_profiles: dict[str, HardwareProfile]
    tasks: list[Task] = []
    strategies: list[str] = []

"""The shared vocabulary: hardware profiles and tasks (``taxonomy.yaml``)."""
from __future__ import annotations

from builder.models._base import Gigabytes, GpuCount, Schema, Text


class HardwareProfile(Schema):
    """One node type a recipe can be served on (e.g. an 8-GPU H200 HGX node)."""

    brand: Text
    """Vendor: `NVIDIA`, `AMD`, `Google` (TPU) or `Intel` (CPU)."""
    generation: str | list[str] | None = None
    """Architecture family used by overrides: `hopper`, `blackwell`, `amd`, `tpu`, `cpu`."""
    gpu_generation: str | list[str] | None = None
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


# Stands in for a hardware id missing from the taxonomy (only reachable through the `h200`
# fallback of the default-hardware rule): one accelerator, no known memory.
UNKNOWN_PROFILE = HardwareProfile.model_construct(
    brand="", generation=None, gpu_generation=None, display_name="", description="",
    gpu_count=1, vram_gb=0, multi_node=False, scalable=True, restricted=False,
)


class Task(Schema):
    id: str
    display_name: str
    description: str = ""


class KvOffloadGroup(Schema):
    display_name: str = ""
    label: str | None = None
    order: int | None = None
    sub_row_label: str | None = None
    docs_url: str | None = None
    tooltip: str | None = None
    description: str = ""


class KvOffloadCompanion(Schema):
    label: str | None = None
    description: str | None = None
    command: str | None = None


class KvOffloadOption(Schema):
    """One KV-cache offload option offered beside the strategies (echoed; inert in the API)."""

    display_name: str = ""
    label: str | None = None
    group: str | None = None
    order: int | None = None
    requires_opt_in: bool = False
    brands: list[str] = []
    strategies: list[str] = []
    description: str = ""
    env: dict[str, str | int | float | bool] = {}
    args: list[str] = []
    install: str | None = None
    docs_url: str | None = None
    companion: KvOffloadCompanion | None = None


class Taxonomy(Schema):
    hardware_profiles: dict[str, HardwareProfile]
    tasks: list[Task] = []
    strategies: list[str] = []
    kv_offload_groups: dict[str, KvOffloadGroup] = {}
    kv_offload: dict[str, KvOffloadOption] = {}

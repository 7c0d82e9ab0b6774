"""Shared base for every schema model: strict, closed, immutable."""
from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

# Values an environment mapping may hold. YAML numbers and booleans are allowed because the
# reference API echoes them as-is (and prints them with String() in docker `-e` flags).
Scalar = str | int | float | bool
EnvMap = dict[str, Scalar]
ArgList = Annotated[list[str], Field(description="`vllm serve` arguments: one flag or one value per item")]

# Ranges for every number synthesis multiplies or loops over: a typo like `gpu_count: 1000000000000`
# must be a located error, not an out-of-memory kill; NaN and infinities are never sizes.
MAX_GPUS = 1024
GpuCount = Annotated[int, Field(ge=1, le=MAX_GPUS)]
"""A count of accelerators (per node, per tensor-parallel group): 1 to 1024."""
NodeCount = Annotated[int, Field(ge=1, le=1024)]
Gigabytes = Annotated[int | Annotated[float, Field(allow_inf_nan=False)], Field(ge=0, le=1_000_000)]
"""Memory in GB: a finite number from 0 to 1,000,000."""
Text = Annotated[str, Field(min_length=1)]
"""A required string that may not be empty."""


class Schema(BaseModel):
    """Recipes arrive by pull request: unknown keys are typos, and types are never coerced."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, use_attribute_docstrings=True)

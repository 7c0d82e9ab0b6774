"""Shared base for every schema model: strict, closed, immutable."""
from __future__ import annotations

from typing import Annotated, Union

from pydantic import BaseModel, ConfigDict, Field

# Values an environment mapping may hold. YAML numbers and booleans are allowed because the
# reference API echoes them as-is (and prints them with String() in docker `-e` flags).
Scalar = Union[str, int, float, bool]
EnvMap = dict[str, Scalar]
ArgList = Annotated[list[str], Field(description="`vllm serve` arguments: one flag or one value per item")]


class Schema(BaseModel):
    """Recipes arrive by pull request: unknown keys are typos, and types are never coerced."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, use_attribute_docstrings=True)

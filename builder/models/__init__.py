"""pydantic models: the single description of the recipe schema."""
from .platforms import Platform, Platforms
from .recipe import (
    Dependency, Feature, HardwareOverride, Meta, ModelInfo, PoolOverride, Recipe, StrategyOverride, Variant,
)
from .strategy import KvStore, PoolSpec, Strategy
from .taxonomy import HardwareProfile, KvOffloadOption, Taxonomy

__all__ = [
    "Dependency", "Feature", "HardwareOverride", "HardwareProfile", "KvOffloadOption", "KvStore", "Meta", "ModelInfo", "Platform", "Platforms",
    "PoolOverride", "PoolSpec", "Recipe", "Strategy", "StrategyOverride", "Taxonomy", "Variant",
]

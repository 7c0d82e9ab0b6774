"""pydantic models: the single description of the recipe schema."""
from builder.models.catalog import MISSING, Catalog, RecipeEntry, RecipeSource, StrategySource, Where
from builder.models.platforms import Platform, Platforms
from builder.models.recipe import (
    Dependency,
    Feature,
    HardwareOverride,
    Meta,
    ModelInfo,
    PoolOverride,
    Recipe,
    StrategyOverride,
    Variant,
)

from .strategy import KvStore, PoolSpec, Strategy
from .taxonomy import HardwareProfile, KvOffloadOption, Taxonomy

__all__ = [
    "MISSING",
    "Catalog",
    "Dependency",
    "Feature",
    "HardwareOverride",
    "HardwareProfile",
    "KvOffloadOption",
    "KvStore",
    "Meta",
    "ModelInfo",
    "Platform",
    "Platforms",
    "PoolOverride",
    "PoolSpec",
    "Recipe",
    "RecipeEntry",
    "RecipeSource",
    "Strategy",
    "StrategyOverride",
    "StrategySource",
    "Taxonomy",
    "Variant",
    "Where",
]

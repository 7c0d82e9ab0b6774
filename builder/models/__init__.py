"""pydantic models: the single description of the recipe schema."""
from builder.models.catalog import MISSING, Catalog, RecipeEntry, RecipeSource, StrategySource, Where
from builder.models.platforms import Platform, Platforms
from builder.models.recipe import (
    Dependency, Feature, HardwareOverride, Meta, ModelInfo, PoolOverride, Recipe, StrategyOverride, Variant,
)
from builder.models.strategy import PoolSpec, Strategy
from builder.models.taxonomy import HardwareProfile, Taxonomy

__all__ = [
    "MISSING", "Catalog", "RecipeEntry", "RecipeSource", "StrategySource", "Where",
    "Dependency", "Feature", "HardwareOverride", "HardwareProfile", "Meta", "ModelInfo", "Platform", "Platforms",
    "PoolOverride", "PoolSpec", "Recipe", "Strategy", "StrategyOverride", "Taxonomy", "Variant",
]

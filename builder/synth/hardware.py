"""Which hardware a variant can be served on, and what runs there (spec §5.2–5.4)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from builder.models import HardwareProfile, Recipe, Variant

from .edition import NEWEST, Edition

if TYPE_CHECKING:
    from builder.models import Catalog

BLACKWELL_ONLY = frozenset({"nvfp4", "fp4"})
_BRAND_RANK = {"NVIDIA": 0, "AMD": 1}



def precision_constraint(variant: Variant, edition: Edition = NEWEST) -> tuple[str | None, str | None]:
    """(brand, generation) the precision needs; `precision_hardware` replaces the FP4 rule (2026-08 §5.2)."""
    if edition.precision_hardware and variant.precision_hardware is not None:
        return variant.precision_hardware.brand, variant.precision_hardware.generation
    if variant.precision in BLACKWELL_ONLY:
        return "NVIDIA", "blackwell"
    return None, None


def precision_runs_on(variant: Variant, profile: HardwareProfile, edition: Edition = NEWEST) -> bool:
    """FP4 checkpoints need NVIDIA Blackwell (or what `precision_hardware` says); others run anywhere."""
    brand, generation = precision_constraint(variant, edition)
    if brand and profile.brand != brand:
        return False
    return not generation or generation in profile.gens()


def fits(variant: Variant, profile: HardwareProfile) -> bool:
    """Whether the weights fit one node (unknown sizes count as fitting)."""
    need, have = variant.vram_minimum_gb or 0, profile.vram_gb or 0
    return not (need > 0 and have > 0 and need > have)


def allowed_by_variant(variant: Variant, hw: str) -> bool:
    return not variant.supported_hardware or hw in variant.supported_hardware


def incompatibility(recipe: Recipe, variant: Variant, hw: str, profile: HardwareProfile,
                    edition: Edition = NEWEST) -> str | None:
    """Why `variant` cannot be served on `hw`, in words; None when it can."""
    if not precision_runs_on(variant, profile, edition):
        brand, generation = precision_constraint(variant, edition)
        where = " ".join(x for x in (brand, generation.capitalize() if generation else None) if x)
        return f"{variant.precision.upper()} checkpoints need {where} GPUs"
    if recipe.meta.hardware.get(hw) == "unsupported":
        return f"this model is marked unsupported on {profile.display_name or hw}"
    if not allowed_by_variant(variant, hw):
        return "this variant is only published for " + ", ".join(variant.supported_hardware)
    return None


def _collation_key(hw: str) -> tuple:
    # ICU root order for ids: punctuation < digits < letters, case-insensitive first.
    def cls(ch: str) -> int:
        return 2 if ch.isalpha() else 1 if ch.isdigit() else 0
    return tuple((cls(c), c.lower()) for c in hw), tuple(not c.islower() for c in hw)


def compatible_ids(catalog: Catalog, recipe: Recipe, variant: Variant, edition: Edition = NEWEST) -> list[str]:
    return [hw for hw, p in catalog.taxonomy.hardware_profiles.items()
            if incompatibility(recipe, variant, hw, p, edition) is None]


def default_hardware(catalog: Catalog, recipe: Recipe, variant: Variant, edition: Edition = NEWEST) -> str:
    """§5.3: the recipe's own choice (2026-08), Blackwell for FP4, h200, else by brand and name."""
    compatible = compatible_ids(catalog, recipe, variant, edition)
    if edition.default_hardware_rules:
        profiles = catalog.taxonomy.hardware_profiles
        compatible = [hw for hw in compatible if not profiles[hw].restricted or hw in recipe.meta.hardware]
        if recipe.meta.default_hardware and recipe.meta.default_hardware in compatible:
            return recipe.meta.default_hardware
    blackwell = precision_constraint(variant, edition)[1] == "blackwell"
    preferred = (["b200", "gb200"] if blackwell else []) + ["h200"]
    for hw in preferred:
        if hw in compatible:
            return hw
    if not compatible:
        return "h200"
    profiles = catalog.taxonomy.hardware_profiles
    return min(compatible, key=lambda hw: (_BRAND_RANK.get(profiles[hw].brand, 9), _collation_key(hw)))


def hardware_list(catalog: Catalog, recipe: Recipe, variant: Variant, edition: Edition = NEWEST) -> list[str]:
    """Default hardware first, then every listed profile in taxonomy order (§5.2)."""
    default = default_hardware(catalog, recipe, variant, edition)
    profiles = catalog.taxonomy.hardware_profiles
    listed = [hw for hw in compatible_ids(catalog, recipe, variant, edition)
              if not profiles[hw].restricted or hw in recipe.meta.hardware]
    return [default] + [hw for hw in listed if hw != default]


def best_fitting_variant(recipe: Recipe, hw: str, profile: HardwareProfile,
                         edition: Edition = NEWEST) -> str | None:
    """The largest variant that fits a node which cannot be clustered (§5.4 step 3)."""
    candidates = [key for key, v in recipe.variants.items()
                  if precision_runs_on(v, profile, edition) and allowed_by_variant(v, hw) and fits(v, profile)]
    if not candidates:
        return None
    return max(candidates, key=lambda k: (recipe.variants[k].vram_minimum_gb or 0, -candidates.index(k)))

"""Which hardware a variant can be served on, and what runs there (spec §5.2–5.4)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from builder.models import HardwareProfile, Recipe, Variant

if TYPE_CHECKING:
    from builder.models import Catalog

BLACKWELL_ONLY = frozenset({"nvfp4", "fp4"})
_BRAND_RANK = {"NVIDIA": 0, "AMD": 1}



def precision_runs_on(variant: Variant, profile: HardwareProfile) -> bool:
    """FP4 checkpoints need NVIDIA Blackwell; every other precision runs anywhere."""
    if variant.precision in BLACKWELL_ONLY:
        return profile.brand == "NVIDIA" and "blackwell" in profile.gens()
    return True


def fits(variant: Variant, profile: HardwareProfile) -> bool:
    """Whether the weights fit one node (unknown sizes count as fitting)."""
    need, have = variant.vram_minimum_gb or 0, profile.vram_gb or 0
    return not (need > 0 and have > 0 and need > have)


def allowed_by_variant(variant: Variant, hw: str) -> bool:
    return not variant.supported_hardware or hw in variant.supported_hardware


def incompatibility(recipe: Recipe, variant: Variant, hw: str, profile: HardwareProfile) -> Optional[str]:
    """Why `variant` cannot be served on `hw`, in words; None when it can."""
    if not precision_runs_on(variant, profile):
        return f"{variant.precision.upper()} checkpoints need NVIDIA Blackwell GPUs"
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


def compatible_ids(catalog: "Catalog", recipe: Recipe, variant: Variant) -> list[str]:
    return [hw for hw, p in catalog.taxonomy.hardware_profiles.items()
            if incompatibility(recipe, variant, hw, p) is None]


def default_hardware(catalog: "Catalog", recipe: Recipe, variant: Variant) -> str:
    compatible = compatible_ids(catalog, recipe, variant)
    preferred = (["b200", "gb200"] if variant.precision in BLACKWELL_ONLY else []) + ["h200"]
    for hw in preferred:
        if hw in compatible:
            return hw
    if not compatible:
        return "h200"
    profiles = catalog.taxonomy.hardware_profiles
    return min(compatible, key=lambda hw: (_BRAND_RANK.get(profiles[hw].brand, 9), _collation_key(hw)))


def hardware_list(catalog: "Catalog", recipe: Recipe, variant: Variant) -> list[str]:
    """Default hardware first, then every listed profile in taxonomy order (§5.2)."""
    default = default_hardware(catalog, recipe, variant)
    profiles = catalog.taxonomy.hardware_profiles
    listed = [hw for hw in compatible_ids(catalog, recipe, variant)
              if not profiles[hw].restricted or hw in recipe.meta.hardware]
    return [default] + [hw for hw in listed if hw != default]


def best_fitting_variant(recipe: Recipe, hw: str, profile: HardwareProfile) -> Optional[str]:
    """The largest variant that fits a node which cannot be clustered (§5.4 step 3)."""
    candidates = [key for key, v in recipe.variants.items()
                  if precision_runs_on(v, profile) and allowed_by_variant(v, hw) and fits(v, profile)]
    if not candidates:
        return None
    return max(candidates, key=lambda k: (recipe.variants[k].vram_minimum_gb or 0, -candidates.index(k)))

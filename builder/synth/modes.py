"""Features with modes, forced modes, the feature `strategies` gate and companions
(spec 2026-08 §6.7), plus the mode checks that abort a build (§7.1)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from builder.models import Feature, HardwareProfile, Recipe

from .edition import Edition
from .strategy_rules import hw_lookup


def enabled_features(recipe: Recipe, hw: str, key: str, edition: Edition) -> tuple[str, ...]:
    """Every feature in recipe order, minus the opt-in ones, plus those the variant forces (§6.7.1)."""
    off = set(recipe.opt_in_features) | set(recipe.hardware_opt_in_features.get(hw, ()))
    variant = recipe.variants.get(key)
    forced = set(variant.default_modes) if edition.feature_modes and variant is not None else set()
    return tuple(name for name in recipe.features if name in forced or name not in off)


def allowed_modes(feature: Feature, key: str, hw: str, profile: HardwareProfile) -> list[str]:
    """Modes offered for variant `key` on `hw`: `variants` lists and `unsupported` hardware gate them."""
    out = []
    for name, mode in (feature.modes or {}).items():
        if mode.variants and key not in mode.variants:
            continue
        if "unsupported" in (mode.hardware.get(profile.gen), mode.hardware.get(hw)):
            continue
        out.append(name)
    return out


def effective_mode(recipe: Recipe, name: str, key: str, hw: str, profile: HardwareProfile,
                   chosen: str | None = None) -> str | None:
    """The user's choice, else the variant's `default_modes`, else `default_mode`, else the first allowed."""
    feature = recipe.features.get(name)
    if feature is None or not feature.modes:
        return None
    allowed = allowed_modes(feature, key, hw, profile)
    variant = recipe.variants.get(key)
    for candidate in (chosen, variant.default_modes.get(name) if variant else None, feature.default_mode):
        if candidate and candidate in allowed:
            return candidate
    return allowed[0] if allowed else None


def _gated_out(feature: Feature, strategy: str) -> bool:
    return bool(feature.strategies) and strategy not in feature.strategies


def strategy_allows(feature: Feature, strategy: str) -> bool:
    """The feature's `strategies` gate (§6.7.2 step 2): an empty list allows every strategy."""
    return not _gated_out(feature, strategy)


def offered_modes(feature: Feature, key: str) -> list[str]:
    """Modes a variant offers at all (its `variants` lists), whether or not the hardware runs them."""
    return [name for name, mode in (feature.modes or {}).items() if not mode.variants or key in mode.variants]


@dataclass(frozen=True)
class FeatureScope:
    """Where the feature arguments go: which variant, hardware and (serving) strategy."""

    key: str
    hw: str
    profile: HardwareProfile
    strategy: str
    in_kv: bool = False
    chosen_modes: Mapping[str, str] = ()  # type: ignore[assignment]


def feature_tokens(recipe: Recipe, features: tuple[str, ...], scope: FeatureScope, edition: Edition) -> list[str]:
    """Stage 8 of §6.2: each enabled feature's args (its effective mode's under 2026-08)."""
    gen, nvidia = scope.profile.gen, scope.profile.brand == "NVIDIA"
    out: list[str] = []
    for name in features:
        feature = recipe.features.get(name)
        if feature is None:
            continue
        if edition.feature_modes:
            if _gated_out(feature, scope.strategy):
                continue
            if scope.in_kv and feature.companion is not None and feature.companion.command:
                continue
            if feature.modes:
                mode_name = effective_mode(recipe, name, scope.key, scope.hw, scope.profile,
                                           dict(scope.chosen_modes).get(name))
                if mode_name is None:
                    continue
                mode = feature.modes[mode_name]
                override = hw_lookup(mode.hardware_overrides, scope.hw, scope.profile)
                out += override.args if override is not None and override.args is not None else mode.args
                continue
        fh = feature.hardware_overrides.get(gen) if gen else None
        if fh is None and nvidia:
            fh = feature.hardware_overrides.get("nvidia")
        out += fh.args if fh is not None and fh.args is not None else feature.args
    return out


def companions(recipe: Recipe, features: tuple[str, ...], strategy: str) -> list[dict[str, Any]]:
    """§6.7.4: processes to start beside a single-node server, in feature order."""
    out = []
    for name in features:
        feature = recipe.features.get(name)
        if feature is None or feature.companion is None or not feature.companion.command:
            continue
        if _gated_out(feature, strategy):
            continue
        c = feature.companion
        out.append({"feature": name, "label": c.label or name, "description": c.description or "",
                    "command": str(c.command).rstrip()})
    return out

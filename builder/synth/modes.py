"""Features with modes, forced modes, the feature `strategies` gate and companions
(spec 2026-08 §6.7), plus the mode checks that abort a build (§7.1)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Optional

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
                   chosen: Optional[str] = None) -> Optional[str]:
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


def _raw_feature(raw: Any, name: str) -> dict:
    features = raw.get("features") if isinstance(raw, dict) else None
    value = features.get(name) if isinstance(features, dict) else None
    return value if isinstance(value, dict) else {}


def mode_problems(recipe: Recipe, raw: Any = None) -> list[tuple[tuple[Any, ...], str]]:
    """§7.1: (key path, reason) for every inconsistent mode declaration; any one aborts a build.

    `raw` (the parsed YAML) tells a `null` written in the file from a key left out."""
    found: list[tuple[tuple[Any, ...], str]] = []
    variants = list(recipe.variants)
    for name, feature in recipe.features.items():
        if feature is None:
            continue
        path = ("features", name)
        raw_feature = _raw_feature(raw, name)
        if feature.modes is None:
            if "modes" in raw_feature:
                found.append((path + ("modes",), "modes must list at least one mode"))
            continue
        if not feature.modes:
            found.append((path + ("modes",), "modes must list at least one mode"))
            continue
        if feature.args:
            found.append((path + ("args",), "a feature with modes takes its args from the modes; remove args"))
        if feature.default_mode and feature.default_mode not in feature.modes:
            found.append((path + ("default_mode",), f'"{feature.default_mode}" is not one of the modes '
                                                      f'({", ".join(feature.modes)})'))
        raw_modes = raw_feature.get("modes") if isinstance(raw_feature.get("modes"), dict) else {}
        for mode_name, mode in feature.modes.items():
            raw_mode = raw_modes.get(mode_name)
            if isinstance(raw_mode, dict) and "variants" in raw_mode and raw_mode["variants"] is None:
                found.append((path + ("modes", mode_name, "variants"), "variants must be a list of variant keys"))
            for i, v in enumerate(mode.variants or []):
                if v not in recipe.variants:
                    found.append((path + ("modes", mode_name, "variants", i), f'no variant "{v}" in this recipe'))
        for v in variants:
            if not any(not m.variants or v in m.variants for m in feature.modes.values()):
                found.append((path + ("modes",), f'no mode is available for variant "{v}"'))
    for key, variant in recipe.variants.items():
        for fname, mode_name in variant.default_modes.items():
            path = ("variants", key, "default_modes", fname)
            feature = recipe.features.get(fname)
            if fname not in recipe.features:
                found.append((path, f'no feature "{fname}" in this recipe'))
            elif feature is None or not feature.modes:
                found.append((path, f'feature "{fname}" has no modes'))
            elif mode_name not in feature.modes:
                found.append((path, f'"{mode_name}" is not a mode of {fname} ({", ".join(feature.modes)})'))
            elif feature.modes[mode_name].variants and key not in (feature.modes[mode_name].variants or []):
                found.append((path, f'mode "{mode_name}" is not offered for variant "{key}"'))
    return found

"""Feature modes that cannot be served as written (spec 2026-08 §7.1): any one aborts a build."""
from __future__ import annotations

from typing import Any

from builder.models import Recipe


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
        path: tuple[Any, ...] = ("features", name)
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
        listed = raw_feature.get("modes")
        raw_modes: dict[str, Any] = listed if isinstance(listed, dict) else {}
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

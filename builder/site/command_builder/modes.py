"""Feature modes, strategy-gated features and advanced options in the command-builder data.

Which mode a command uses, which modes a variant offers, why a mode or a feature is refused: all
of it comes from :mod:`builder.synth.select` (over :mod:`builder.synth.modes`). This module only
lays those answers out for the page (the format is in :mod:`builder.site.command_builder.recipe`):

* ``fm`` — ``[feature index, row label, [[mode, label, description, tuning note], ...]]`` per
  feature with modes, every mode of the recipe in recipe order;
* ``c[pair]["m"]`` — per ``fm`` row ``[default, e_0, e_1, ...]``: the mode a command uses by
  default, and for each mode *j* the mode used when *j* is chosen (*j* itself when it runs there,
  another when the hardware refuses it: the pill is then disabled and says ``mw``), -1 when the
  variant does not offer *j* (no pill), -2 when nothing runs (the feature adds nothing);
* ``fg`` — ``[feature index, [strategy indexes where it adds nothing], reason]`` per gated feature;
* ``ad`` — ``[id, label, description, [strategy indexes it does not apply to]]`` per advanced option.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from builder.site.command_builder.features import Toggles
from builder.synth.advanced import advanced_options, applies
from builder.synth.select import default_mode, feature_refusal, mode_choices

if TYPE_CHECKING:
    from builder.models import Catalog, RecipeEntry

NO_MODE = -2


def modal(entry: RecipeEntry, features: tuple[str, ...]) -> list[int]:
    """Indexes of the features that have modes."""
    recipe = entry.recipe
    return [i for i, name in enumerate(features) if (f := recipe.features.get(name)) is not None and f.modes]


def _modes(entry: RecipeEntry, name: str) -> list[str]:
    return list(entry.recipe.features[name].modes or {})  # type: ignore[union-attr]


def row_label(entry: RecipeEntry, name: str) -> str:
    """"Spec method" for speculative decoding, else "<Feature> method" (site spec §2.4.7)."""
    feature = entry.recipe.features[name]
    if name == "spec_decoding":
        return "Spec method"
    label = (feature.label if feature is not None else None) or name.replace("_", " ").title()
    return f"{label} method"


def mode_rows(entry: RecipeEntry, features: tuple[str, ...]) -> list[list[Any]]:
    """The ``fm`` table."""
    out = []
    for i in modal(entry, features):
        modes = entry.recipe.features[features[i]].modes or {}  # type: ignore[union-attr]
        out.append([i, row_label(entry, features[i]),
                    [[k, m.label or k, m.description, m.note or ""] for k, m in modes.items()]])
    return out


def pair_modes(catalog: Catalog, entry: RecipeEntry, features: tuple[str, ...], variant: str,
               hw: str) -> list[list[int]]:
    """The pair's ``m`` table (see the module docstring)."""
    profile, out = catalog.profile(hw), []
    for i in modal(entry, features):
        name, names = features[i], _modes(entry, features[i])
        row = [-1] * len(names)
        for choice in mode_choices(entry.recipe, name, variant, hw, profile):
            row[names.index(choice.name)] = names.index(choice.effective) if choice.effective else NO_MODE
        found = default_mode(entry.recipe, name, variant, hw, profile)
        out.append([names.index(found) if found else -1, *row])
    return out


def toggles(catalog: Catalog, entry: RecipeEntry, features: tuple[str, ...], advanced: tuple[str, ...],
            variant: str, hw: str) -> Toggles:
    """What the pair lets the reader switch, for composing its commands."""
    rows = dict(zip(modal(entry, features), pair_modes(catalog, entry, features, variant, hw), strict=True))
    modes, usable, defaults = [], [], []
    for i, name in enumerate(features):
        row = rows.get(i)
        modes.append(tuple(_modes(entry, name)) if row is not None else ())
        usable.append(tuple(j for j, e in enumerate(row[1:]) if e == j) if row is not None else ())
        defaults.append(row[0] if row is not None else -1)
    return Toggles(features, tuple(modes), tuple(usable), tuple(defaults), advanced)


def mode_refusal_text(catalog: Catalog, entry: RecipeEntry, features: tuple[str, ...]) -> str:
    """The reason a hardware-refused mode pill gives (one text for the page: `mw`)."""
    for name in (features[i] for i in modal(entry, features)):
        for variant in entry.recipe.variants:
            for hw in catalog.taxonomy.hardware_profiles:
                for choice in mode_choices(entry.recipe, name, variant, hw, catalog.profile(hw)):
                    if choice.reason:
                        return choice.reason
    return ""


def gate_rows(entry: RecipeEntry, features: tuple[str, ...], strategies: list[str]) -> list[list[Any]]:
    """The ``fg`` table: features that add nothing under some of the page's strategies."""
    out = []
    for i, name in enumerate(features):
        refused = [(k, why) for k, s in enumerate(strategies) if (why := feature_refusal(entry.recipe, name, s))]
        if refused:
            out.append([i, [k for k, _ in refused], refused[0][1]])
    return out


def advanced_rows(entry: RecipeEntry, ids: tuple[str, ...], strategies: list[str]) -> list[list[Any]]:
    """The ``ad`` table."""
    out = []
    for option in advanced_options(entry.recipe):
        if option.id in ids:
            off = [k for k, s in enumerate(strategies) if not applies(option, s)]
            out.append([option.id, option.label, option.description + " Adds " + " ".join(option.args) + ".", off])
    return out

"""Cross-reference checks over a loaded Catalog: names that must point at something real.

The schema checks one file at a time; these checks read the whole folder: strategy, feature,
hardware and recipe names, promotion collisions, dates, and ids that become output paths or
are printed unquoted into shell commands.

Severity: an *error* makes the output wrong or unsafe (a typo that silently drops an override,
an id that would write outside the output folder) and stops the build. A *warning* is a likely
mistake that still builds correctly; the reference recipes contain some (``meta.hardware: a100``,
related recipes that differ in case), so those must not stop a build.
"""
from __future__ import annotations

import contextlib
import dataclasses
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from builder.check.claims import claim_problems
from builder.check.features import shared_flag_problems
from builder.check.modes import mode_problems
from builder.check.shell import shell_problems
from builder.check.wording import bad_model_id as _bad_model_id
from builder.check.wording import closest as _closest
from builder.check.wording import real_date as _real_date
from builder.check.wording import safe_model_id, safe_segment
from builder.check.wording import suggest as _suggest
from builder.check.wording import unknown_feature as _unknown_feature
from builder.check.wording import unknown_strategy as _unknown_strategy
from builder.errors import Problem, RecipeError
from builder.models import Catalog, RecipeEntry
from builder.models.recipe import effective_strategies

KeyPath = tuple[Any, ...]
_SEGMENT = re.compile(r"[A-Za-z0-9._-]+")
_DATE_TEXT = re.compile(r"date_updated\s*:\s*([\"']?)([^\"'#\s]*)\1")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
# Keys of generation-keyed override tables that are not generations.
_BRAND_KEYS = ("nvidia",)


class CatalogError(RecipeError):
    """Errors that stop the build; ``warnings`` are the other findings of the same run."""

    def __init__(self, errors: list[Problem], warnings: list[Problem]):
        super().__init__(errors)
        self.warnings = list(warnings)


def checked(catalog: Catalog, load_problems: list[Problem], taxonomy_ok: bool = True) -> Catalog:
    """Run every check; raise CatalogError with all errors (loading ones too), else keep warnings."""
    found = sorted(set(load_problems) | set(check_catalog(catalog, hardware=taxonomy_ok)))
    errors = [p for p in found if p.severity == "error"]
    warnings = [p for p in found if p.severity != "error"]
    if errors:
        raise CatalogError(errors, warnings)
    if not taxonomy_ok:  # the loader reports why; this guards against a silent gap
        raise CatalogError([Problem(_display(catalog.root, catalog.root / "taxonomy.yaml"),
                                    message="invalid taxonomy")], warnings)
    return dataclasses.replace(catalog, warnings=tuple(warnings))


def check_catalog(catalog: Catalog, hardware: bool = True) -> list[Problem]:
    """Every cross-reference problem of the catalog (errors and warnings), sorted by place.

    ``hardware=False`` skips checks that need the taxonomy (used when it failed to load).
    """
    checker = _Checker(catalog, hardware)
    checker.run()
    return sorted(set(checker.problems))


def _display(root: Path, file: Path) -> str:
    """The path as the loader names it in messages (relative to the folder's parent)."""
    try:
        return file.relative_to(root.parent).as_posix()
    except ValueError:
        return file.as_posix()


def _one_line(text: str) -> str:
    """Escape control characters from recipe text: each problem is printed as one line."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def _keypath(path: KeyPath) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class _Checker:
    def __init__(self, catalog: Catalog, hardware: bool):
        self.catalog = catalog
        self.hardware = hardware
        self.problems: list[Problem] = []
        profiles = catalog.taxonomy.hardware_profiles if hardware else {}
        self.hw_ids: set[str] = set(profiles)
        # Override lookups use a profile's first generation only (spec §6.6).
        self.generations: set[str] = {p.gen for p in profiles.values() if p.gen}
        self.strategies: set[str] = set(catalog.strategies)
        # Names of strategy files that failed to load: a recipe naming one is not wrong itself.
        self.broken_strategies: set[str] = {
            s.name for s in catalog.strategy_sources if s.name not in self.strategies
        }
        self.tasks: set[str] = {t.id for t in catalog.taxonomy.tasks} if hardware else set()
        # Every recipe file counts, even one that failed the schema check.
        self.files: dict[str, list[str]] = {}
        for source in catalog.recipe_sources:
            self.files.setdefault(source.hf_id, []).append(source.display)

    # -- reporting ----------------------------------------------------------------------------

    def add(self, display: str, where: Any, path: KeyPath, message: str, severity: str = "error") -> None:
        line, column = (0, 0)
        if where is not None:
            with contextlib.suppress(LookupError, TypeError, ValueError):
                line, column = where(path)
        self.problems.append(Problem(display, line, column, _one_line(_keypath(path)), _one_line(message), severity))

    # -- the walk -----------------------------------------------------------------------------

    def run(self) -> None:
        if self.hardware:
            self.taxonomy()
        self.strategy_files()
        promoted: dict[str, list[tuple[RecipeEntry, str]]] = {}
        for entry in self.catalog.recipes:
            self.recipe(entry, promoted)
        self.shared_outputs(promoted)
        self.problems += claim_problems(self.catalog)  # every output path once, case-insensitively
        for entry in self.catalog.recipes:
            self.problems += shared_flag_problems(entry)
        for entry in self.catalog.recipes:
            self.problems += shell_problems(entry.raw, entry.where, entry.display, is_strategy=False)

    def taxonomy(self) -> None:
        display = _display(self.catalog.root, self.catalog.root / "taxonomy.yaml")
        where = self.catalog.where.get(display)
        for hw in self.catalog.taxonomy.hardware_profiles:
            if not safe_segment(hw):
                self.add(display, where, ("hardware_profiles", hw),
                         f'hardware id "{hw}" is not safe in file names: use letters, digits, ".", "_" and "-"')
        for i, name in enumerate(self.catalog.taxonomy.strategies):
            if name not in self.strategies:
                self.add(display, where, ("strategies", i),
                         f'strategy "{name}" has no file in strategies/{_suggest(name, self.strategies)}', "warning")

    def strategy_files(self) -> None:
        seen: dict[str, str] = {}
        for source in self.catalog.strategy_sources:
            name, data, display, where = source.name, source.data, source.display, source.where
            if where is None or not source.valid or name not in self.strategies:
                continue  # did not load or validate: the loader reported why
            if not safe_segment(name):
                self.add(display, where, ("name",),
                         f'strategy name "{name}" is not safe in file names: use letters, digits, ".", "_" and "-"')
            elif name in seen:
                self.add(display, where, ("name",),
                         f'strategy "{name}" is already defined in {seen[name]}; one of them would be lost')
            elif name != source.file_name[: -len(".yaml")]:
                self.add(display, where, ("name",),
                         f'strategy "{name}" is in a file named {source.file_name}; recipes refer to the name',
                         "warning")
            seen.setdefault(name, display)
            self.problems += shell_problems(data, where, display, is_strategy=True)

    def recipe(self, entry: RecipeEntry, promoted: dict[str, list[tuple[RecipeEntry, str]]]) -> None:
        r, d, w = entry.recipe, entry.display, entry.where
        org, _, name = entry.hf_id.partition("/")
        if not (safe_segment(org) and safe_segment(name)):
            self.add(d, None, (), f'the file path gives the recipe id "{entry.hf_id}", which is not safe in '
                                  'file names and URLs: use letters, digits, ".", "_" and "-"')
        if len(self.files.get(entry.hf_id, [])) > 1:
            others = ", ".join(f for f in self.files[entry.hf_id] if f != d)
            self.add(d, None, (), f'recipe id "{entry.hf_id}" is also given by {others}; one would overwrite the other')
        if not safe_model_id(r.model.model_id):
            self.add(d, w, ("model", "model_id"), _bad_model_id(r.model.model_id))
        self.date(entry)
        self.strategy_refs(entry)
        self.feature_refs(entry)
        # Inconsistent feature modes abort the reference build (2026-08 §7.1).
        for path, message in mode_problems(r, entry.raw):
            self.add(d, w, path, message)
        self.related(entry)
        for i, task in enumerate(r.meta.tasks):
            if self.tasks and task not in self.tasks:
                self.add(d, w, ("meta", "tasks", i), f'unknown task "{task}"{_suggest(task, self.tasks)}', "warning")
        for key, variant in r.variants.items():
            mid = variant.model_id
            if mid is not None and not safe_model_id(mid):
                self.add(d, w, ("variants", key, "model_id"), _bad_model_id(mid))
            elif mid is not None and key != "default":
                if mid in self.files and mid != entry.hf_id:
                    # The reference generator only warns and skips the promotion (spec 2026-08 §7.2).
                    self.add(d, w, ("variants", key, "model_id"),
                             f'"{mid}" is the id of the recipe {self.files[mid][0]}; this variant would not get '
                             "its own page (give it a different model_id or remove that recipe)", "warning")
                elif mid == entry.hf_id:
                    self.add(d, w, ("variants", key, "model_id"),
                             f'"{mid}" is this recipe\'s own id, so the variant gets no page of its own', "warning")
                else:
                    promoted.setdefault(mid, []).append((entry, key))
        if self.hardware:
            self.hardware_refs(entry)

    def date(self, entry: RecipeEntry) -> None:
        # The YAML loader already turned 2026-02-30 into 2026-03-02 (JavaScript Date rules), so the
        # file's own text is what tells whether the author wrote a real date.
        value = entry.recipe.meta.date_updated
        line, _ = entry.where(("meta", "date_updated"))
        try:
            match = _DATE_TEXT.search(entry.source.splitlines()[line - 1])
        except IndexError:
            match = None
        written = match.group(2) if match and match.group(2) and not match.group(2).startswith(("*", "&")) else value
        if not _real_date(written):
            self.add(entry.display, entry.where, ("meta", "date_updated"),
                     f'"{written}" is not a real date written as YYYY-MM-DD (e.g. 2026-01-31)')

    def strategy_refs(self, entry: RecipeEntry) -> None:
        r, d, w = entry.recipe, entry.display, entry.where
        kv_names = set(self.catalog.kv_stores)
        for i, name in enumerate(r.compatible_strategies):
            if name in kv_names:
                # 2026-08 §7.3: every KV-store deployment is offered on its own; listing one breaks it.
                self.add(d, w, ("compatible_strategies", i), f'"{name}" is a KV-store deployment, which every '
                         "recipe offers where it can run; remove it from compatible_strategies")
            elif name not in self.strategies and name not in self.broken_strategies:
                self.add(d, w, ("compatible_strategies", i), _unknown_strategy(name, self.strategies))
        for name in r.strategy_hardware:
            if name not in self.strategies and name not in self.broken_strategies:
                self.add(d, w, ("strategy_hardware", name), _unknown_strategy(name, self.strategies))
        for name in r.kv_cache_strategy_hardware:
            if name not in kv_names:
                self.add(d, w, ("kv_cache_strategy_hardware", name),
                         f'no KV-store deployment "{name}" in kv_store/{_suggest(name, kv_names)}', "warning")
        default = r.default_strategy
        if default is not None:
            if default in self.broken_strategies:
                pass
            elif default not in self.strategies:
                self.add(d, w, ("default_strategy",), _unknown_strategy(default, self.strategies))
            elif default not in effective_strategies(r):
                self.add(d, w, ("default_strategy",),
                         f'"{default}" is not in compatible_strategies, so it would be ignored; add it there')
        for name in r.strategy_overrides:
            if name in self.broken_strategies:
                continue
            if name not in self.strategies:
                self.add(d, w, ("strategy_overrides", name), _unknown_strategy(name, self.strategies))
            elif name not in effective_strategies(r):  # listed, or granted by strategy_hardware
                self.add(d, w, ("strategy_overrides", name),
                         f'"{name}" is not in compatible_strategies, so these overrides are never used', "warning")

    def feature_refs(self, entry: RecipeEntry) -> None:
        r, d, w = entry.recipe, entry.display, entry.where
        features = list(r.features)
        for i, name in enumerate(r.opt_in_features):
            if name not in r.features:
                self.add(d, w, ("opt_in_features", i), _unknown_feature(name, features))
        for hw, names in r.hardware_opt_in_features.items():
            for i, name in enumerate(names):
                if name not in r.features:
                    self.add(d, w, ("hardware_opt_in_features", hw, i), _unknown_feature(name, features))

    def related(self, entry: RecipeEntry) -> None:
        for i, ref in enumerate(entry.recipe.meta.related_recipes):
            if ref in self.files:
                continue
            close = _closest(ref, self.files)
            if close is not None and close.lower() == ref.lower():
                hint = f'; the recipe is "{close}" (ids are case-sensitive)'
            else:
                hint = f'; did you mean "{close}"?' if close else ""
            self.add(entry.display, entry.where, ("meta", "related_recipes", i),
                     f'no recipe "{ref}" in this folder, so the link leads nowhere{hint}', "warning")

    def hardware_refs(self, entry: RecipeEntry) -> None:
        r, d, w = entry.recipe, entry.display, entry.where
        for key, variant in r.variants.items():
            for i, hw in enumerate(variant.supported_hardware):
                self.hw_id(d, w, ("variants", key, "supported_hardware", i), hw)
            for hw in variant.hardware_overrides:
                # Generation and `nvidia` keys are a layer of their own since 2026-08 (§6.6).
                if hw not in self.generations and hw not in _BRAND_KEYS:
                    self.hw_id(d, w, ("variants", key, "hardware_overrides", hw), hw, key_too=True)
        for hw in r.hardware_opt_in_features:
            self.hw_id(d, w, ("hardware_opt_in_features", hw), hw, key_too=True)
        default_hw = r.meta.default_hardware
        if default_hw is not None and default_hw not in self.hw_ids:
            self.add(d, w, ("meta", "default_hardware"), f'"{default_hw}" is not a hardware profile in taxonomy.yaml, '
                     f"so the usual default is used{_suggest(default_hw, self.hw_ids)}", "warning")
        for hw in r.meta.hardware:
            if hw not in self.hw_ids:
                self.add(d, w, ("meta", "hardware", hw),
                         f'"{hw}" is not a hardware profile in taxonomy.yaml, so this entry has no effect'
                         f"{_suggest(hw, self.hw_ids)}", "warning")
        self.generation_keys(d, w, ("hardware_overrides",), r.hardware_overrides)
        for name, so in r.strategy_overrides.items():
            if so is not None:
                # Exact hardware ids add to the generation layer since 2026-08 (§6.5).
                table = {k: v for k, v in so.hardware_overrides.items() if k not in self.hw_ids}
                self.generation_keys(d, w, ("strategy_overrides", name, "hardware_overrides"), table)
        for name, feature in r.features.items():
            if feature is not None:
                self.generation_keys(d, w, ("features", name, "hardware_overrides"), feature.hardware_overrides)
        self.hardware_keyed_maps(entry)

    def hardware_keyed_maps(self, entry: RecipeEntry) -> None:
        """Maps looked up by hardware id, generation, lower-case brand or `default` (2026-08 §5.7.1):
        a key that is none of these is never used, which usually means a typo."""
        r, d, w = entry.recipe, entry.display, entry.where
        known = self.hw_ids | self.generations | {"default"} | {
            p.brand.lower() for p in self.catalog.taxonomy.hardware_profiles.values() if p.brand}
        tables: list[tuple[KeyPath, Any]] = [(("strategy_hardware", n), t) for n, t in r.strategy_hardware.items()]
        tables += [(("variants", k, "tp"), v.tp) for k, v in r.variants.items()]
        tables += [(("strategy_overrides", n, "tp"), so.tp) for n, so in r.strategy_overrides.items() if so is not None]
        for name, feature in r.features.items():
            for mode_name, mode in ((feature.modes or {}) if feature is not None else {}).items():
                base = ("features", name, "modes", mode_name)
                tables += [(base + ("hardware_overrides",), mode.hardware_overrides),
                           (base + ("hardware",), mode.hardware)]
        for path, table in tables:
            for key in table if isinstance(table, Mapping) else ():
                if key not in known:
                    self.add(d, w, path + (key,), f'"{key}" is not a hardware id, generation, brand or "default", '
                             f"so this entry is never used{_suggest(key, known)}", "warning")

    def hw_id(self, d: str, w: Any, path: KeyPath, hw: str, key_too: bool = False) -> None:
        if hw in self.hw_ids:
            return
        if hw in self.generations or hw in _BRAND_KEYS:
            hint = f' ("{hw}" is a generation; this list is keyed by hardware id such as "h200")'
        else:
            hint = _suggest(hw, self.hw_ids)
        self.add(d, w, path, f'unknown hardware "{hw}": not a profile in taxonomy.yaml{hint}')

    def generation_keys(self, d: str, w: Any, path: KeyPath, table: Mapping[str, Any]) -> None:
        known = self.generations | set(_BRAND_KEYS)
        for key in table:
            if key in known:
                continue
            if key in self.hw_ids:
                gen = self.catalog.taxonomy.hardware_profiles[key].gen
                message = (f'"{key}" is a hardware id, but this table is keyed by generation '
                           f'(e.g. "{gen or "hopper"}") or "nvidia", so the block is never used')
            else:
                message = (f'no hardware profile has the generation "{key}", so the block is never used '
                           f"(known: {', '.join(sorted(known))}){_suggest(key, known)}")
            self.add(d, w, path + (key,), message)

    def shared_outputs(self, promoted: dict[str, list[tuple[RecipeEntry, str]]]) -> None:
        """Two recipes promoting variants to the same id would overwrite each other's pages."""
        for mid, users in promoted.items():
            recipes = {e.hf_id for e, _ in users}
            if len(recipes) > 1:
                for entry, key in users:
                    others = ", ".join(sorted(e.display for e, _ in users if e.hf_id != entry.hf_id))
                    self.add(entry.display, entry.where, ("variants", key, "model_id"),
                             f'"{mid}" is also the model_id of a variant in {others}; their pages would '
                             "overwrite each other")
            elif len(users) > 1:
                first = users[0][1]
                for entry, key in users[1:]:
                    self.add(entry.display, entry.where, ("variants", key, "model_id"),
                             f'variant "{first}" has the same model_id "{mid}"; only this later variant '
                             "keeps the page", "warning")

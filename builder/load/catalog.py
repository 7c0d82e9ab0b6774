"""Load and validate a recipe folder into a Catalog (spec §1.2): the one place that reads inputs.

Every problem in every file is collected before failing, so one run shows them all.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

from pydantic import BaseModel, ValidationError

from builder.errors import Problem, RecipeError
from builder.models import HardwareProfile, Platforms, Recipe, Strategy, Taxonomy
from builder.load.files import link_problem, regular_problem, walk
from builder.load.messages import problems_from_validation
from builder.load.yamlload import Loaded, load_yaml_file

MISSING: Any = object()
Where = Callable[[tuple], tuple[int, int]]


@dataclass(frozen=True)
class RecipeEntry:
    """One recipe file: where it is, what it says (raw, for echoing) and its validated model."""

    hf_id: str
    path: Path
    display: str
    raw: dict
    recipe: Recipe
    where: Where

    @property
    def org(self) -> str:
        return self.hf_id.split("/", 1)[0]


@dataclass(frozen=True)
class Catalog:
    root: Path
    taxonomy: Taxonomy
    taxonomy_raw: dict
    strategies: dict[str, Strategy]
    strategies_raw: dict[str, dict]
    strategy_files: tuple[tuple[str, Any], ...]
    """(name, document) per strategy file, in file order — one API file each."""
    platforms_raw: Any
    """The parsed platforms.yaml, or MISSING when the file does not exist."""
    recipes: tuple[RecipeEntry, ...]
    where: dict[str, Where]
    """Positions per display path, for located messages about any input file."""
    warnings: tuple[Problem, ...] = ()
    """Cross-reference findings that do not stop a build (builder.check.crossrefs)."""

    def profile(self, hw: str) -> HardwareProfile:
        from builder.synth.hardware import UNKNOWN_PROFILE

        return self.taxonomy.hardware_profiles.get(hw, UNKNOWN_PROFILE)

    def entry(self, hf_id: str) -> Optional[RecipeEntry]:
        return next((e for e in self.recipes if e.hf_id == hf_id), None)


def recipe_files(root: Path) -> list[Path]:
    return recipe_walk(root)[0]


def recipe_walk(root: Path) -> tuple[list[Path], list[Problem]]:
    """Recipe files and the entries refused by the symlink/non-regular policy (builder.load.files)."""
    models = root / "models"
    return walk(root, models) if models.is_dir() else ([], [])


def hf_id_for(root: Path, file: Path) -> Optional[str]:
    """`<org>/<file name without .yaml>`; intermediate folders are ignored (spec §1.2)."""
    parts = file.relative_to(root / "models").parts
    if len(parts) < 2:
        return None
    name = parts[-1]
    stem = name[: -len(".yaml")] if name.endswith(".yaml") else name[: -len(".yml")]
    return f"{parts[0]}/{stem}"


class _Loader:
    """Loads files and validates them, collecting problems instead of stopping at the first."""

    def __init__(self, root: Path):
        self.root = root
        self.problems: list[Problem] = []
        self.where: dict[str, Where] = {}

    def display(self, file: Path) -> str:
        try:
            return file.relative_to(self.root.parent).as_posix()
        except ValueError:
            return file.as_posix()

    def load(self, file: Path, allow_null: bool = False) -> tuple[Any, Optional[Loaded]]:
        display = self.display(file)
        try:
            loaded = load_yaml_file(file, display)
        except RecipeError as err:
            self.problems += err.problems
            return MISSING, None
        except OSError as err:
            self.problems.append(Problem(display, message=f"cannot read the file: {err.strerror or err}"))
            return MISSING, None
        self.where[display] = loaded.where
        if loaded.data is None and not allow_null:
            self.problems.append(Problem(display, 1, 1, message="the file has no content (only comments)"))
            return MISSING, None
        return loaded.data, loaded

    def validate(self, model: type[BaseModel], data: Any, file: Path, loaded: Loaded) -> Any:
        try:
            return model.model_validate(data)
        except ValidationError as err:
            self.problems += problems_from_validation(err, model, data, loaded.where, self.display(file))
            return None


def load_catalog(root: Path) -> Catalog:
    """Read and validate a whole recipe folder; raise RecipeError listing every problem."""
    root = Path(root)
    ld = _Loader(root)
    if not root.is_dir():
        raise RecipeError(Problem(root.as_posix(), message="recipe folder not found"))

    taxonomy_file = root / "taxonomy.yaml"
    taxonomy = taxonomy_raw = None
    taxonomy_bad = taxonomy_file.is_symlink() and link_problem(root, taxonomy_file)
    if taxonomy_bad:
        ld.problems.append(taxonomy_bad)
    elif taxonomy_file.exists() and not taxonomy_file.is_dir() and regular_problem(root, taxonomy_file):
        ld.problems.append(regular_problem(root, taxonomy_file))  # type: ignore[arg-type]
    elif not taxonomy_file.is_file():
        ld.problems.append(Problem(ld.display(taxonomy_file), message="taxonomy.yaml is missing: every recipe folder needs one"))
    else:
        taxonomy_raw, loaded = ld.load(taxonomy_file)
        if loaded is not None and taxonomy_raw is not MISSING:
            taxonomy = ld.validate(Taxonomy, taxonomy_raw, taxonomy_file, loaded)

    platforms_raw: Any = MISSING
    platforms_file = root / "platforms.yaml"
    platforms_bad = (platforms_file.is_symlink() and link_problem(root, platforms_file)) or (
        platforms_file.exists() and not platforms_file.is_dir() and regular_problem(root, platforms_file))
    if platforms_bad:
        ld.problems.append(platforms_bad)
    elif platforms_file.is_file():
        platforms_raw, loaded = ld.load(platforms_file, allow_null=True)
        if loaded is not None and platforms_raw is not None:
            ld.validate(Platforms, platforms_raw, platforms_file, loaded)

    strategies: dict[str, Strategy] = {}
    strategies_raw: dict[str, dict] = {}
    strategy_files: list[tuple[str, Any]] = []
    strategy_dir = root / "strategies"
    names = sorted((p for p in strategy_dir.iterdir() if p.name.endswith(".yaml") and not p.is_dir()),
                   key=lambda p: p.name.encode("utf-8", "surrogateescape")) if strategy_dir.is_dir() else []
    for file in names:
        bad = (link_problem(root, file) if file.is_symlink() else None) or regular_problem(root, file)
        if bad is not None:
            ld.problems.append(bad)
            continue
        raw, loaded = ld.load(file)
        if loaded is None or raw is MISSING:
            continue
        strategy = ld.validate(Strategy, raw, file, loaded)
        if strategy is not None:
            strategies[strategy.name] = strategy
            strategies_raw[strategy.name] = raw
            strategy_files.append((strategy.name, raw))

    entries: list[RecipeEntry] = []
    files, refused = recipe_walk(root)
    ld.problems += refused
    for file in files:
        display = ld.display(file)
        hf_id = hf_id_for(root, file)
        if hf_id is None:
            ld.problems.append(Problem(display, message="recipes belong in models/<org>/<repo>.yaml, not directly in models/"))
            continue
        raw, loaded = ld.load(file)
        if loaded is None or raw is MISSING:
            continue
        recipe = ld.validate(Recipe, raw, file, loaded)
        if recipe is not None:
            entries.append(RecipeEntry(hf_id, file, display, raw, recipe, loaded.where))

    # Cross-reference checks see the valid part even when some files failed: one run, every problem.
    from builder.check.crossrefs import checked
    return checked(Catalog(root, taxonomy or Taxonomy(hardware_profiles={}), taxonomy_raw, strategies, strategies_raw,
                           tuple(strategy_files), platforms_raw, tuple(entries), ld.where), ld.problems, taxonomy is not None)

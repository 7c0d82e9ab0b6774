"""Read a recipe folder into a Catalog (spec §1.2): the one place that reads inputs.

Each file is read and parsed once; each is validated against its schema model. Problems are
collected, not raised, so that the checks (``builder.check``) can add theirs and one run shows
every problem. Cross-file checks are not this module's job.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from builder.errors import Problem, RecipeError
from builder.load.files import link_problem, regular_problem, walk
from builder.load.messages import problems_from_validation
from builder.load.yamlload import Loaded, load_yaml_file
from builder.models import (
    MISSING,
    Catalog,
    KvStore,
    Platforms,
    Recipe,
    RecipeEntry,
    RecipeSource,
    Strategy,
    StrategySource,
    Taxonomy,
    Where,
)


def _inputs(ld: _Loader, root: Path, directory: Path) -> list[Path]:
    """The `*.yaml` files of a vocabulary folder that the file policy admits (the rest are problems)."""
    found = []
    for file in _yaml_files(directory):
        bad = (link_problem(root, file) if file.is_symlink() else None) or regular_problem(root, file)
        if bad is not None:
            ld.problems.append(bad)
        else:
            found.append(file)
    return found


def _yaml_files(directory: Path) -> list[Path]:
    """`*.yaml` directly in a folder (not `.yml`, not recursive), in byte-wise name order."""
    if not directory.is_dir():
        return []
    return sorted((p for p in directory.iterdir() if p.name.endswith(".yaml") and not p.is_dir()),
                  key=lambda p: p.name.encode("utf-8", "surrogateescape"))


def recipe_files(root: Path) -> list[Path]:
    return recipe_walk(root)[0]


def recipe_walk(root: Path) -> tuple[list[Path], list[Problem]]:
    """Recipe files and the entries refused by the symlink/non-regular policy (builder.load.files)."""
    models = root / "models"
    return walk(root, models) if models.is_dir() else ([], [])


def hf_id_for(root: Path, file: Path) -> str | None:
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

    def load(self, file: Path, allow_null: bool = False) -> tuple[Any, Loaded | None]:
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


@dataclass(frozen=True)
class Loading:
    """What reading a folder gave: the valid part as a Catalog, and every problem met."""

    catalog: Catalog
    problems: list[Problem]
    taxonomy_ok: bool


def read_catalog(root: Path) -> Loading:
    """Read and validate every file of a recipe folder, collecting (not raising) file problems."""
    root = Path(root)
    ld = _Loader(root)
    if not root.is_dir():
        raise RecipeError(Problem(root.as_posix(), message="recipe folder not found"))
    sources: list[StrategySource] = []

    taxonomy_file = root / "taxonomy.yaml"
    taxonomy = taxonomy_raw = None
    taxonomy_bad = taxonomy_file.is_symlink() and link_problem(root, taxonomy_file)
    if taxonomy_bad:
        ld.problems.append(taxonomy_bad)
    elif taxonomy_file.exists() and not taxonomy_file.is_dir() and regular_problem(root, taxonomy_file):
        ld.problems.append(regular_problem(root, taxonomy_file))  # type: ignore[arg-type]
    elif not taxonomy_file.is_file():
        ld.problems.append(Problem(ld.display(taxonomy_file),
                                   message="taxonomy.yaml is missing: every recipe folder needs one"))
    else:
        taxonomy_raw, loaded = ld.load(taxonomy_file)
        if loaded is not None and taxonomy_raw is not MISSING:
            taxonomy = ld.validate(Taxonomy, taxonomy_raw, taxonomy_file, loaded)

    platforms_raw: Any = MISSING
    platforms: Platforms | None = None
    platforms_file = root / "platforms.yaml"
    platforms_bad = (platforms_file.is_symlink() and link_problem(root, platforms_file)) or (
        platforms_file.exists() and not platforms_file.is_dir() and regular_problem(root, platforms_file))
    if platforms_bad:
        ld.problems.append(platforms_bad)
    elif platforms_file.is_file():
        platforms_raw, loaded = ld.load(platforms_file, allow_null=True)
        if loaded is not None and platforms_raw is not None:
            platforms = ld.validate(Platforms, platforms_raw, platforms_file, loaded)

    strategies: dict[str, Strategy] = {}
    strategies_raw: dict[str, dict] = {}
    strategy_files: list[tuple[str, Any]] = []
    strategy_dir = root / "strategies"
    for file in _inputs(ld, root, strategy_dir):
        raw, loaded = ld.load(file)
        if loaded is None or raw is MISSING:
            # Still listed, by file name, so a recipe naming it is not reported a second time.
            sources.append(StrategySource(file.name, ld.display(file), file.stem, None, None, False))
            continue
        strategy = ld.validate(Strategy, raw, file, loaded)
        name = raw.get("name") if isinstance(raw, dict) else None
        sources.append(StrategySource(file.name, ld.display(file), name if isinstance(name, str) else file.stem,
                                      raw, loaded.where, strategy is not None))
        if strategy is not None:
            strategies[strategy.name] = strategy
            strategies_raw[strategy.name] = raw
            strategy_files.append((strategy.name, raw))

    kv_stores: dict[str, KvStore] = {}
    kv_files: list[tuple[str, Any]] | None = None
    kv_dir = root / "kv_store"
    if kv_dir.is_dir():  # required by the 2026-08 API edition only (checked where the API is built)
        kv_files = []
        for file in _inputs(ld, root, kv_dir):
            raw, loaded = ld.load(file)
            if loaded is None or raw is MISSING:
                continue
            kv = ld.validate(KvStore, raw, file, loaded)
            if kv is not None:
                kv_stores[kv.name] = kv
                kv_files.append((kv.name, raw))

    entries: list[RecipeEntry] = []
    ids: list[RecipeSource] = []
    files, refused = recipe_walk(root)
    ld.problems += refused
    for file in files:
        display = ld.display(file)
        hf_id = hf_id_for(root, file)
        if hf_id is None:
            ld.problems.append(Problem(
                display, message="recipes belong in models/<org>/<repo>.yaml, not directly in models/"))
            continue
        raw, loaded = ld.load(file)
        if loaded is None or raw is MISSING:
            ids.append(RecipeSource(hf_id, display, None, None))
            continue
        ids.append(RecipeSource(hf_id, display, raw, loaded.where))
        recipe = ld.validate(Recipe, raw, file, loaded)
        if recipe is not None:
            entries.append(RecipeEntry(hf_id, file, display, raw, recipe, loaded.where, loaded.source))

    raw_taxonomy = taxonomy_raw if isinstance(taxonomy_raw, dict) else {}
    catalog = Catalog(root, taxonomy or Taxonomy(hardware_profiles={}), raw_taxonomy, strategies, strategies_raw,
                      tuple(strategy_files), platforms_raw, tuple(entries), ld.where,
                      strategy_sources=tuple(sources), recipe_sources=tuple(ids), platforms=platforms,
                      kv_stores=kv_stores, kv_store_files=tuple(kv_files) if kv_files is not None else None)
    return Loading(catalog, ld.problems, taxonomy is not None)

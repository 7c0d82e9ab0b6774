"""Build the API with one process per core when recipes cannot touch each other's files.

Recipes write below their own bases (`{hf_id}/…` and promoted checkpoint ids). When no base of
one recipe equals, contains or sits inside a base of another, the reference's build order only
matters within a recipe, so recipes can be split over forked workers writing into the same
staging folder. Otherwise (or with one core, or without fork) the build stays sequential.
"""
from __future__ import annotations

import os
import pickle
import signal
from dataclasses import replace
from pathlib import Path
from typing import Any, NamedTuple

from builder.api.build import RecipeOutcome, emit_index, emit_recipe, emit_vocabulary
from builder.api.renderings import Renderings
from builder.api.sinks import DiskSink
from builder.api.variants import with_variant_endpoints
from builder.errors import Problem, RecipeError
from builder.models import Catalog, RecipeEntry
from builder.synth import NEWEST, Edition


def output_bases(entry: RecipeEntry, edition: Edition = NEWEST, known_ids: frozenset[str] = frozenset()) -> set[str]:
    """Where a recipe writes: its id and its promoted checkpoints (an id that is a recipe of its own
    is never promoted, so it is not a base)."""
    bases = {entry.hf_id}
    for key, variant in entry.recipe.variants.items():
        if variant.model_id in known_ids:
            continue
        if (key != "default" or edition.promote_default) and isinstance(variant.model_id, str) and "/" in variant.model_id:
            bases.add(variant.model_id)
    return bases


def independent(catalog: Catalog, edition: Edition = NEWEST) -> bool:
    """True when no two recipes' bases are equal or nested (so their files cannot collide)."""
    owner: dict[str, int] = {}
    known_ids = frozenset(e.hf_id for e in catalog.recipes)
    for index, entry in enumerate(catalog.recipes):
        for base in output_bases(entry, edition, known_ids):
            if owner.setdefault(base, index) != index:
                return False
    for base, index in owner.items():
        parts = base.split("/")
        for cut in range(1, len(parts)):
            ancestor = "/".join(parts[:cut])
            for candidate in (ancestor, ancestor[:-5] if ancestor.endswith(".json") else None):
                if candidate is not None and owner.get(candidate, index) != index:
                    return False
    return True


class Share(NamedTuple):
    """What one process emitted: outcomes by recipe index, the paths written, selections synthesized."""

    outcomes: dict[int, RecipeOutcome]
    paths: set[str]
    deploys: int


def emit_some(catalog: Catalog, staging: Path, indexes: list[int], extensions: bool,
              edition: Edition = NEWEST) -> Share:
    """Emit some recipes (and their variant endpoints) into the staging folder; each outcome
    lists the files its recipe wrote (so nobody walks the folder to count or reuse them)."""
    known_ids = {e.hf_id for e in catalog.recipes}
    sink = DiskSink(staging)
    renderings = Renderings(catalog, edition)
    outcomes: dict[int, RecipeOutcome] = {}
    try:
        for index in indexes:
            entry = catalog.recipes[index]
            sink.added = []
            outcome = emit_recipe(catalog, entry, sink, known_ids, edition, renderings)
            own = dict.fromkeys(p for p in sink.added if p in sink.paths)
            if extensions and not entry.recipe.is_omni:
                taken = dict.fromkeys(own, b"")
                extra = with_variant_endpoints(replace(catalog, recipes=(entry,)), taken, outcome.warnings, edition,
                                               renderings)
                for path, data in extra.items():
                    if path not in taken:
                        sink.put_bytes(path, data)
                        own[path] = None
            outcome.files = list(own)
            renderings.forget()  # selections never repeat across recipes; keep memory flat
            outcomes[index] = outcome
    finally:
        sink.close()
    return Share(outcomes, sink.paths, renderings.deploys)


def emit_shared(catalog: Catalog, staging: Path, outcomes: list[RecipeOutcome], warnings: list[str],
                edition: Edition = NEWEST) -> set[str]:
    """The vocabulary files and `models.json` (once every recipe's outcome is known); their paths."""
    sink = DiskSink(staging)
    try:
        emit_vocabulary(catalog, sink, edition)
        emit_index(sink, outcomes, warnings)
    finally:
        sink.close()
    return sink.paths


def _die_with_parent() -> None:
    """A killed build must not leave workers writing (Linux prctl PR_SET_PDEATHSIG)."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


def _fork_share(catalog: Catalog, staging: Path, indexes: list[int], extensions: bool,
                edition: Edition = NEWEST) -> tuple[int, int]:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # worker
        os.close(read_end)
        _die_with_parent()
        status = 0
        try:
            payload: Any = ("ok", emit_some(catalog, staging, indexes, extensions, edition))
        except RecipeError as err:
            payload, status = ("problems", err.problems), 1
        except OSError as err:  # disk full, read-only: the parent reports it like its own
            payload, status = ("oserror", (err.errno, err.strerror, err.filename)), 1
        except BaseException as err:  # reported by the parent, which owns the terminal
            payload, status = ("error", f"{type(err).__name__}: {err}"), 1
        with os.fdopen(write_end, "wb") as out:
            out.write(pickle.dumps(payload))
        os._exit(status)
    os.close(write_end)
    return pid, read_end


def _collect(pid: int, read_end: int) -> Share:
    with os.fdopen(read_end, "rb") as src:
        data = src.read()
    os.waitpid(pid, 0)
    if not data:
        raise RuntimeError("a build worker stopped without a result")
    kind, value = pickle.loads(data)
    if kind == "problems":
        raise RecipeError(list[Problem](value))
    if kind == "oserror":
        raise OSError(*value)
    if kind == "error":
        raise RuntimeError(f"a build worker failed: {value}")
    return Share(*value)


def worker_count(requested: int | None) -> int:
    """The requested number of workers, else one per core this process may run on."""
    if requested:
        return requested
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def emit_parallel(catalog: Catalog, staging: Path, warnings: list[str], extensions: bool,
                  workers: int | None = None, edition: Edition = NEWEST) -> Share | None:
    """Emit every document into `staging` using worker processes; None if it must be sequential."""
    workers = min(worker_count(workers), len(catalog.recipes))
    if workers < 2 or not hasattr(os, "fork") or not independent(catalog, edition):
        return None
    shares = [list(range(w, len(catalog.recipes), workers)) for w in range(workers)]
    children = [_fork_share(catalog, staging, share, extensions, edition) for share in shares[1:]]
    results: list[Any] = []
    try:
        results.append(emit_some(catalog, staging, shares[0], extensions, edition))
    finally:
        for pid, read_end in children:
            try:
                results.append(_collect(pid, read_end))
            except BaseException as err:  # keep reaping the other workers first
                results.append(err)
    total = Share({}, set(), 0)
    for result in results:
        if isinstance(result, BaseException):
            raise result
        total.outcomes.update(result.outcomes)
        total.paths.update(result.paths)
        total = total._replace(deploys=total.deploys + result.deploys)
    outcomes = [total.outcomes[i] for i in range(len(catalog.recipes))]
    total.paths.update(emit_shared(catalog, staging, outcomes, warnings, edition))
    return total

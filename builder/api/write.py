"""Write the whole API into a folder, atomically: build in a staging folder beside it, then swap.

The documents come from ``builder.api.build`` (sequential, in the reference's order) or
``builder.api.parallel`` (one process per core when recipes cannot collide). Given the record of
the last build (``builder.write.cache``), only recipes whose inputs changed are rendered; the
other recipes' files are hard-linked from the current output into staging.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from builder.api.build import RecipeOutcome, check_inputs, emit_documents
from builder.api.parallel import emit_parallel, emit_shared, emit_some, independent
from builder.api.renderings import Renderings
from builder.api.sinks import DiskSink
from builder.api.variants import with_variant_endpoints
from builder.models import Catalog
from builder.synth.edition import NEWEST, Edition
from builder.write.cache import BuildCache, Previous, link_files
from builder.write.publish import publish_folder, staging_folder


@dataclass
class ApiReport:
    """What one `write_api` did: files in the output, recipes rendered (by id) or reused, and
    selections synthesized in this process (forked workers count their own)."""

    files: int = 0
    rendered: list[str] = field(default_factory=list)
    reused: int = 0
    deploys: int = 0


def write_api(catalog: Catalog, target: Path, warnings: list[str] | None = None,
              extensions: bool = True, workers: int | None = None, edition: Edition = NEWEST) -> int:
    """Build the API straight into a staging folder beside `target`, then swap it in atomically.

    `extensions=False` writes only the documents the reference API defines. Independent recipes
    are spread over one process per core (`workers=1` forces a single process).
    """
    return write_api_report(catalog, target, warnings, extensions, workers, edition).files


def write_api_report(catalog: Catalog, target: Path, warnings: list[str] | None = None, extensions: bool = True,
                     workers: int | None = None, edition: Edition = NEWEST,
                     cache: BuildCache | None = None) -> ApiReport:
    """`write_api`, reusing the files of recipes unchanged since the build `cache` recorded."""
    warnings = warnings if warnings is not None else []
    previous = cache.previous() if cache is not None else None
    rels = [entry.path.relative_to(catalog.root / "models").as_posix() for entry in catalog.recipes]
    report = ApiReport()
    with staging_folder(target) as staging:
        check_inputs(catalog, edition)
        outcomes: list[RecipeOutcome] | None = None
        if previous is not None and cache is not None and independent(catalog, edition):
            outcomes = _emit_changed(catalog, staging, Path(target), rels, previous, cache, warnings,
                                     extensions, edition, report)
        if outcomes is None:
            outcomes = _emit_all(catalog, staging, warnings, extensions, workers, edition, report)
        publish_folder(staging, target)
    if cache is not None:
        kept = None if outcomes is None else {rel: asdict(o) for rel, o in zip(rels, outcomes, strict=True)}
        cache.record(kept)
    return report


def _emit_all(catalog: Catalog, staging: Path, warnings: list[str], extensions: bool, workers: int | None,
              edition: Edition, report: ApiReport) -> list[RecipeOutcome] | None:
    """Render every recipe; the outcomes when each recipe's files are known (parallel-safe catalogs)."""
    report.rendered = [entry.hf_id for entry in catalog.recipes]
    share = emit_parallel(catalog, staging, warnings, extensions, workers, edition)
    if share is None:
        paths, report.deploys = _emit_sequential(catalog, staging, warnings, extensions, edition)
        report.files = len(paths)
        return None
    report.files, report.deploys = len(share.paths), share.deploys  # the sinks know; no walk to count
    return [share.outcomes[i] for i in range(len(catalog.recipes))]


def _emit_changed(catalog: Catalog, staging: Path, target: Path, rels: list[str], previous: Previous,
                  cache: BuildCache, warnings: list[str], extensions: bool, edition: Edition,
                  report: ApiReport) -> list[RecipeOutcome] | None:
    """Render the recipes whose key changed and link the others' files; None if nothing can be reused."""
    keys = cache.inputs.recipe_keys
    stale = [i for i, rel in enumerate(rels)
             if rel not in previous.recipes or keys.get(rel) is None or previous.recipe_keys.get(rel) != keys[rel]]
    if len(stale) == len(rels):
        return None
    share = emit_some(catalog, staging, stale, extensions, edition)
    made: set[str] = set()
    outcomes: list[RecipeOutcome] = []
    for index, rel in enumerate(rels):
        if index in share.outcomes:
            outcomes.append(share.outcomes[index])
            continue
        outcome = _outcome(previous.recipes[rel])
        try:
            link_files(target, staging, outcome.files, made)
        except FileNotFoundError:  # someone changed the output under us: render everything instead
            return None
        outcomes.append(outcome)
    shared = emit_shared(catalog, staging, outcomes, warnings, edition)
    report.rendered = [catalog.recipes[i].hf_id for i in stale]
    report.reused = len(rels) - len(stale)
    report.deploys = share.deploys
    report.files = len(shared.union(*(o.files for o in outcomes)))
    return outcomes


def _outcome(data: dict[str, Any]) -> RecipeOutcome:
    return RecipeOutcome(data["listing"], data["promoted"], data["warnings"], data["files"])


def _emit_sequential(catalog: Catalog, staging: Path, warnings: list[str], extensions: bool,
                     edition: Edition) -> tuple[set[str], int]:
    """Every document in the reference's order, then the variant endpoints; the paths written."""
    sink = DiskSink(staging)
    renderings = Renderings(catalog, edition)
    try:
        emit_documents(catalog, sink, warnings, edition, renderings)
        if extensions:
            written = dict.fromkeys(sink.paths, b"")
            for path, data in with_variant_endpoints(catalog, written, warnings, edition, renderings).items():
                if path not in written:
                    sink.put_bytes(path, data)
    finally:
        sink.close()
    return sink.paths, renderings.deploys

"""Write the whole API into a folder, atomically: build in a staging folder beside it, then swap.

The documents come from ``builder.api.build`` (sequential, in the reference's order) or
``builder.api.parallel`` (one process per core when recipes cannot collide).
"""
from __future__ import annotations

import os
from pathlib import Path

from builder.api.build import DiskSink, check_inputs, emit_documents
from builder.api.parallel import emit_parallel
from builder.api.variants import with_variant_endpoints
from builder.models import Catalog
from builder.synth.edition import NEWEST, Edition
from builder.write.publish import publish_folder, staging_folder


def write_api(catalog: Catalog, target: Path, warnings: list[str] | None = None,
              extensions: bool = True, workers: int | None = None, edition: Edition = NEWEST) -> int:
    """Build the API straight into a staging folder beside `target`, then swap it in atomically.

    `extensions=False` writes only the documents the reference API defines. Independent recipes
    are spread over one process per core (`workers=1` forces a single process).
    """
    warnings = warnings if warnings is not None else []
    with staging_folder(target) as staging:
        check_inputs(catalog, edition)
        if not emit_parallel(catalog, staging, warnings, extensions, workers, edition):
            sink = DiskSink(staging)
            try:
                emit_documents(catalog, sink, warnings, edition)
                if extensions:
                    written = dict.fromkeys(sink.paths, b"")
                    for path, data in with_variant_endpoints(catalog, written, warnings, edition).items():
                        if path not in written:
                            sink.put_bytes(path, data)
            finally:
                sink.close()
        count = sum(len(files) for _, _, files in os.walk(staging))
        publish_folder(staging, target)
    return count

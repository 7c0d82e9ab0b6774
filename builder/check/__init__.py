"""Checks over a loaded Catalog, across files: references, shell safety, vLLM options.

Nothing here reads files: the loader (``builder.load``) hands over everything a check needs,
including each file's text and positions. :func:`load_catalog` is the one call most callers
want: read a folder, check it, and get a Catalog or every problem at once.
"""
from __future__ import annotations

from pathlib import Path

from builder.check.crossrefs import CatalogError, check_catalog, checked
from builder.load.catalog import read_catalog
from builder.models import Catalog

__all__ = ["CatalogError", "check_catalog", "checked", "load_catalog"]


def load_catalog(root: Path) -> Catalog:
    """Read and check a recipe folder; raise CatalogError listing every problem of every file."""
    loading = read_catalog(Path(root))
    return checked(loading.catalog, loading.problems, loading.taxonomy_ok)

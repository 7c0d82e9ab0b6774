"""Each selection synthesized once per build: a memo of rendering objects (§4.7) by selection.

The variant endpoints render the default variant's selections again (the same recommended and
alternative selections as `{hf_id}/hw/…`); asking here instead of calling `deploy` twice halves
synthesis. Synthesis itself stays pure: the memo lives in the render step, one per build (or
per recipe in a worker), and counts the `deploy` calls it makes, so tests can count work.
"""
from __future__ import annotations

from typing import Any

from builder.api.documents import rendering
from builder.models import Catalog, RecipeEntry
from builder.synth import NEWEST, Edition, Selection, SynthesisError, deploy
from builder.synth.safety import ensure_safe


class Renderings:
    """Rendering objects by (recipe id, selection); a failed synthesis is remembered as its error."""

    def __init__(self, catalog: Catalog, edition: Edition = NEWEST) -> None:
        self.catalog = catalog
        self.edition = edition
        self.deploys = 0
        """How many selections were synthesized (not served from the memo)."""
        self._memo: dict[tuple[str, Selection], dict[str, Any] | SynthesisError] = {}

    def get(self, entry: RecipeEntry, sel: Selection) -> dict[str, Any]:
        """The rendering of `sel`; raises the SynthesisError `deploy` raised (again, if asked again)."""
        key = (entry.hf_id, sel)
        found = self._memo.get(key)
        if found is None:
            self.deploys += 1
            try:
                dep = deploy(self.catalog, entry.recipe, sel, self.edition)
            except SynthesisError as err:
                found = err
            else:
                ensure_safe(self.catalog, entry, dep)  # every printed command, read as bash reads it
                found = rendering(dep, self.edition)
            self._memo[key] = found
        if isinstance(found, SynthesisError):
            raise found
        return found

    def forget(self) -> None:
        """Drop the memo (between recipes in a worker: no selection is shared across recipes)."""
        self._memo.clear()

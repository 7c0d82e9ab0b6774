"""Hardware notes (recipe ``hardware_notes.<hw_id>``): the callout shown above the command when
that hardware is selected (site §2.6.2)."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from builder.models import RecipeEntry

DEFAULT_TITLE = "Hardware note"
_SAFE_LINKS = ("#", "https://", "http://", "/")
"""Link targets the page follows; anything else (`javascript:`…) is shown without its link."""


def hardware_notes(entry: RecipeEntry, hardware: list[str]) -> dict[str, list[str]]:
    """``hn``: hardware index → ``[title, body]`` plus ``[label, href]`` when the note links somewhere."""
    out = {}
    for i, hw in enumerate(hardware):
        note = entry.recipe.hardware_notes.get(hw)
        if note is None:
            continue
        row = [note.title or DEFAULT_TITLE, note.body]
        if note.link is not None and note.link.href.startswith(_SAFE_LINKS):
            row += [note.link.label, note.link.href]
        out[str(i)] = row
    return out

"""The Strategy and Nodes rows' per-hardware facts: strategies shown disabled (with the reason) and
the GPU floors that raise a multi-node strategy's smallest node count (site §2.4.3, §2.4.5).

Both come from :mod:`builder.synth.select`; this module only puts them in the page's data.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from builder.synth import NEWEST, Edition
from builder.synth.select import node_floor, strategy_kind, strategy_offers

if TYPE_CHECKING:
    from builder.models import Catalog, RecipeEntry
    from builder.site.command_builder.space import Combo


def smallest_nodes(catalog: Catalog, entry: RecipeEntry, strategy: str, hardware: str,
                   edition: Edition = NEWEST) -> int:
    """The smallest node count offered for a multi-node strategy (its GPU floor, at least 2)."""
    return node_floor(catalog, entry, strategy, hardware, edition)[0]


def strategy_facts(catalog: Catalog, entry: RecipeEntry, c: Combo, index: Callable[[str], int],
                   offered: list[int], edition: Edition = NEWEST) -> dict[str, Any]:
    """``xs``: ``[strategy, reason]`` per disabled pill; ``fl``: ``[strategy, reason]`` per offered
    multi-node strategy whose floor hides node counts (the Nodes row says why)."""
    out: dict[str, Any] = {}
    off = [[index(o.name), o.reason] for o in strategy_offers(catalog, entry, c.hardware, edition)
           if o.reason is not None]
    if off:
        out["xs"] = off
    floors = []
    for s in offered:
        name = _name_of(index, s, c)
        if name is not None and strategy_kind(catalog, name) == "multi_node":
            reason = node_floor(catalog, entry, name, c.hardware, edition)[1]
            if reason is not None:
                floors.append([s, reason])
    if floors:
        out["fl"] = floors
    return out


def _name_of(index: Callable[[str], int], s: int, c: Combo) -> str | None:
    return next((n for n in c.strategies if index(n) == s), None)

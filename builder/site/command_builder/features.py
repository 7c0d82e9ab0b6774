"""Feature toggles without a rendering per subset: each feature becomes a *piece* of lines.

A piece is what turning one feature on does to a launch's command lines: lines appended at the
end, plus base lines dropped (a feature that repeats a base flag moves it to the end, because the
last occurrence of a flag wins). The browser applies the pieces of the enabled features; it never
re-derives them. Pieces are measured from ``deploy`` with one feature on, then reused for the
other selections of the same variant and hardware (feature arguments depend on the hardware only)
and every rendering is checked with all features on at once — pieces of different features never
touch the same flag, so if they compose for the full set they compose for every subset. Whatever
does not fit this model is stored subset by subset.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from builder.site.command_builder.data import SEP, CompositionError, Tables, check, encode_launch, flag, groups, split
from builder.site.command_builder.space import SynthesisError, run
from builder.synth import NEWEST, Deployment, Edition, Launch, Selection

if TYPE_CHECKING:
    from builder.models import Catalog, RecipeEntry

EXHAUSTIVE_LIMIT = 8
ADVANCED_EXHAUSTIVE_LIMIT = 4
"""Interacting features beyond this many are not enumerated subset by subset (2^8 deployments)."""


@dataclass(frozen=True)
class Piece:
    added: tuple[str, ...]
    dropped: tuple[str, ...]
    """Base lines the feature replaces, by content (their positions differ between launches)."""


Pieces = dict[str, list[Piece]]
"""Per launch role (the router, say, takes no feature flags)."""


class FeatureCache:
    """Pieces measured once per (variant, hardware) and reused for its other selections."""

    def __init__(self) -> None:
        self.pieces: Pieces | None = None


def _measure(own: list[str], lines: list[str]) -> Piece | None:
    """`lines` as `own` minus some lines plus appended ones; None if the first line changed."""
    dropped, j = [], 0
    for i, line in enumerate(own):
        if j < len(lines) and lines[j] == line:
            j += 1
        elif i == 0:
            return None
        else:
            dropped.append(line)
    return Piece(tuple(lines[j:]), tuple(dropped))


def _same_frame(a: Launch, b: Launch) -> bool:
    """Everything but the command lines agrees (role, env, docker wrapper)."""
    return (a.role, a.rank, a.env) == (b.role, b.rank, b.env) and split(a)[1] == split(b)[1]


def measure(base: Deployment, singles: list[Deployment]) -> Pieces | None:
    """Pieces from the first launch of each role; None when features would interact."""
    out: Pieces = {}
    for i, launch in enumerate(base.launches):
        if launch.role in out:
            continue
        own, flags, pieces = launch.command.split(SEP), set[str](), []
        for single in singles:
            if len(single.launches) != len(base.launches) or not _same_frame(launch, single.launches[i]):
                return None
            piece = _measure(own, single.launches[i].command.split(SEP))
            if piece is None:
                return None
            mine = {f for line in piece.added if (f := flag(line)) is not None}
            if mine & flags:
                return None  # two features set the same flag: which one wins depends on the subset
            flags |= mine
            pieces.append(piece)
        out[launch.role] = pieces
    return out


def _positions(own: list[str], piece: Piece) -> list[int] | None:
    found = []
    for line in piece.dropped:
        hits = [i for i, x in enumerate(own) if x == line]
        if len(hits) != 1 or hits[0] == 0:
            return None
        found.append(hits[0])
    return found


def _vector(tables: Tables, launch: Launch, pieces: list[Piece]) -> int | None:
    own = launch.command.split(SEP)
    entries: list[object] = []
    for piece in pieces:
        drops = _positions(own, piece)
        if drops is None:
            return None
        tid = tables.text(piece.added, "feature")
        entries.append([tid, *drops] if drops else tid)
    return tables.vector(entries)


def _with(sel: Selection, features: tuple[str, ...]) -> Selection:
    return replace(sel, features=features)


def _compose(tables: Tables, base: Deployment, full: Deployment, pieces: Pieces, mask: int) -> list[int] | None:
    """Rendering ids per part, or None when the pieces do not reproduce the full-feature deployment."""
    if len(full.launches) != len(base.launches):
        return None
    out = []
    for part in groups(base.launches):
        ids = []
        for i in part:
            role = base.launches[i].role
            vector = _vector(tables, base.launches[i], pieces[role]) if role in pieces else None
            if vector is None or not _same_frame(base.launches[i], full.launches[i]):
                return None
            ids.append(encode_launch(tables, base.launches[i], vector))
        rid = tables.rendering(ids)
        try:
            check(tables, rid, mask, [full.launches[i] for i in part])
        except CompositionError:
            return None
        out.append(rid)
    return out


def encode_selection(tables: Tables, catalog: Catalog, entry: RecipeEntry, sel: Selection,
                     features: tuple[str, ...], cache: FeatureCache, edition: Edition = NEWEST) -> list[int]:
    """Rendering ids (one per part, see :func:`groups`) covering every subset of `features`."""
    base = run(catalog, entry, _with(sel, ()), edition)
    if not features:
        return [tables.rendering([encode_launch(tables, base.launches[i]) for i in part])
                for part in groups(base.launches)]
    full = run(catalog, entry, _with(sel, features), edition)
    everything = (1 << len(features)) - 1
    if cache.pieces is not None:
        found = _compose(tables, base, full, cache.pieces, everything)
        if found is not None:
            return found
    pieces = measure(base, [run(catalog, entry, _with(sel, (f,)), edition) for f in features])
    if pieces is not None:
        found = _compose(tables, base, full, pieces, everything)
        if found is not None:
            cache.pieces = pieces
            return found
    return encode_each_subset(tables, catalog, entry, sel, features, edition)


def encode_each_subset(tables: Tables, catalog: Catalog, entry: RecipeEntry, sel: Selection,
                       features: tuple[str, ...], edition: Edition = NEWEST) -> list[int]:
    """Fallback for features that interact: one stored launch list per subset that differs."""
    # Advanced options multiply the subsets to store; where they interact with the recipe's
    # features the recipe is built without them (recipe_document retries) rather than slowly.
    limit = ADVANCED_EXHAUSTIVE_LIMIT if any(f.startswith("adv:") for f in features) else EXHAUSTIVE_LIMIT
    if len(features) > limit:
        raise CompositionError(f"{entry.hf_id}: too many interacting features to enumerate")
    by_mask = [run(catalog, entry, _with(sel, tuple(f for i, f in enumerate(features) if mask >> i & 1)), edition)
               for mask in range(1 << len(features))]
    out = []
    for part in groups(by_mask[0].launches):
        per_mask = [[encode_launch(tables, d.launches[i]) for i in part] for d in by_mask]
        rid = tables.rendering({"l": per_mask[0],
                                "x": {str(m): ids for m, ids in enumerate(per_mask) if m and ids != per_mask[0]}})
        for mask, d in enumerate(by_mask):
            check(tables, rid, mask, [d.launches[i] for i in part])
        out.append(rid)
    return out


def encode_plain(tables: Tables, launches: Sequence[Launch]) -> int:
    """A rendering that does not depend on features (e.g. the router)."""
    return tables.rendering([encode_launch(tables, launch) for launch in launches])


def try_encode(tables: Tables, catalog: Catalog, entry: RecipeEntry, sel: Selection,
               features: tuple[str, ...], cache: FeatureCache, edition: Edition = NEWEST) -> list[int] | None:
    """Like :func:`encode_selection`, but None for a selection ``deploy`` refuses."""
    try:
        return encode_selection(tables, catalog, entry, sel, features, cache, edition)
    except SynthesisError:
        return None

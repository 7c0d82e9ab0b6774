"""Feature toggles without a rendering per subset: each feature becomes a *piece* of lines.

A piece is what turning one feature on does to a launch's command lines: lines appended at the
end, plus base lines dropped (a feature that repeats a base flag moves it to the end, because the
last occurrence of a flag wins). The browser applies the pieces of the enabled features; it never
re-derives them. Pieces are measured from ``deploy`` with one feature on, then reused for the
other selections of the same variant and hardware (feature arguments depend on the hardware, and
on the strategy only through a `strategies` gate, which a failed check re-measures) and every
rendering is checked with all features on at once — pieces of different features never touch the
same flag, so if they compose for the full set they compose for every subset. Whatever does not
fit this model is stored subset by subset.

A feature with modes has one piece per mode (only the chosen mode's applies), checked with every
mode in the full set. Advanced options are pieces too, placed before the feature pieces (their
arguments come before the features', site spec §2.5.1): a launch shows its base lines minus what
any enabled piece drops, then the advanced lines, then the feature lines.
"""
from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from builder.site.command_builder.data import SEP, CompositionError, Tables, check, encode_launch, flag, groups, split
from builder.site.command_builder.space import Deployments, SynthesisError, run
from builder.synth import NEWEST, Deployment, Edition, Launch, Selection
from builder.synth.advanced import PRESETS

if TYPE_CHECKING:
    from builder.models import Catalog, RecipeEntry

EXHAUSTIVE_LIMIT = 8
"""Interacting features beyond this many are not enumerated subset by subset (2^8 deployments)."""


@dataclass(frozen=True)
class Piece:
    added: tuple[str, ...]
    dropped: tuple[str, ...]
    """Base lines the feature replaces, by content (their positions differ between launches)."""


Entry = Piece | dict[int, Piece]
"""A feature's piece, or a modal feature's piece per mode index."""
Pieces = dict[str, list[Entry]]
"""Per launch role (the router, say, takes no feature flags): the features' entries, then the
advanced options' pieces."""


@dataclass(frozen=True)
class Toggles:
    """What a (variant, hardware) pair lets the reader switch: features, their modes, advanced options."""

    features: tuple[str, ...] = ()
    modes: tuple[tuple[str, ...], ...] = ()
    """Per feature: every mode of a modal feature in data order (indexes in the page), else ()."""
    usable: tuple[tuple[int, ...], ...] = ()
    """Per feature: indexes of the modes a command can use on this pair (the effective ones)."""
    defaults: tuple[int, ...] = ()
    """Per feature: index of the mode used by default (-1: not modal, or no usable mode)."""
    advanced: tuple[str, ...] = ()

    def modal(self, i: int) -> bool:
        return bool(self.modes) and bool(self.modes[i])

    def choices(self, i: int, mode: int) -> tuple[tuple[str, str], ...]:
        return ((self.features[i], self.modes[i][mode]),) if mode >= 0 else ()


def _mode_list(toggles: Toggles, chosen: dict[int, int]) -> tuple[int, ...]:
    """Mode index per feature (-1 where not modal) for a state: `chosen`, else the default."""
    return tuple(chosen.get(i, toggles.defaults[i]) if toggles.modal(i) else -1 for i in range(len(toggles.features)))


@dataclass
class FeatureCache:
    """Pieces measured once per (variant, hardware) and reused for its other selections, and the
    pair's deployments (None: deployed anew each time)."""

    toggles: Toggles = field(default_factory=Toggles)
    pieces: Pieces | None = None
    deployments: Deployments | None = None

    def run(self, catalog: Catalog, entry: RecipeEntry, sel: Selection, edition: Edition, read: bool = True) -> Deployment:
        return self.deployments(sel, read) if self.deployments is not None else run(catalog, entry, sel, edition, read)


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


Single = Deployment | dict[int, Deployment]


def _setting(own: list[str], lines: list[str], flags: frozenset[str]) -> Piece | None:
    """The piece of an option that sets `flags`: it drops every base line of those flags and adds
    its own, even where its line equals the base's last one (which `_measure` would call no change,
    although the option's line moves behind another option's)."""
    added = tuple(line for line in lines if flag(line) in flags)
    kept = [line for line in own if flag(line) not in flags]
    if kept + list(added) != lines:
        return None
    return Piece(added, tuple(line for line in own if flag(line) in flags))


def _piece(base: Deployment, i: int, own: list[str], single: Deployment, flags: frozenset[str] | None) -> Piece | None:
    if len(single.launches) != len(base.launches) or not _same_frame(base.launches[i], single.launches[i]):
        return None
    lines = single.launches[i].command.split(SEP)
    return _measure(own, lines) if flags is None else _setting(own, lines, flags)


def measure(base: Deployment, singles: Sequence[Single], sets: Sequence[frozenset[str] | None] = ()) -> Pieces | None:
    """Pieces from the first launch of each role; None when features would interact. `sets` names,
    per single, the flags it sets where they are known (advanced options), else None."""
    out: Pieces = {}
    for i, launch in enumerate(base.launches):
        if launch.role in out:
            continue
        own, flags, entries = launch.command.split(SEP), set[str](), list[Entry]()
        for single in singles:
            per_mode = single if isinstance(single, dict) else {-1: single}
            flags_set = sets[len(entries)] if len(entries) < len(sets) else None
            pieces = {m: _piece(base, i, own, d, flags_set) for m, d in per_mode.items()}
            found = [p for p in pieces.values() if p is not None]
            if len(found) != len(pieces):
                return None
            mine = {f for p in found for line in p.added if (f := flag(line)) is not None}
            if mine & flags:
                return None  # two features set the same flag: which one wins depends on the subset
            flags |= mine
            entries.append(found[0] if not isinstance(single, dict) else {m: p for m, p in pieces.items() if p})
        out[launch.role] = entries
    return out


def _positions(own: list[str], piece: Piece) -> list[int] | None:
    found = []
    for line in piece.dropped:
        hits = [i for i, x in enumerate(own) if x == line]
        if len(hits) != 1 or hits[0] == 0:
            return None
        found.append(hits[0])
    return found


def _chunk(tables: Tables, own: list[str], piece: Piece) -> Any:
    drops = _positions(own, piece)
    if drops is None:
        return None
    tid = tables.text(piece.added, "feature")
    return [tid, *drops] if drops else tid


def _vector(tables: Tables, launch: Launch, entries: list[Entry], toggles: Toggles) -> int | None:
    """`fv` entry: per feature -1, a text id, `[text, *dropped positions]` or `{"m": [one per mode]}`;
    then `{"a": [one per advanced option]}` when an option changes this launch."""
    own = launch.command.split(SEP)
    chunks: list[Any] = []
    for k, entry in enumerate(entries):
        if k == len(toggles.features):
            chunks.append({"a": []})
        if k >= len(toggles.features):
            assert isinstance(entry, Piece)
            chunk = _chunk(tables, own, entry)
            if chunk is None:
                return None
            chunks[-1]["a"].append(chunk)
            continue
        if isinstance(entry, dict):
            per_mode = [-1] * len(toggles.modes[k])
            for m, piece in entry.items():
                per_mode[m] = _chunk(tables, own, piece)
                if per_mode[m] is None:
                    return None
            chunks.append({"m": per_mode} if any(x != -1 for x in per_mode) else -1)
        else:
            chunk = _chunk(tables, own, entry)
            if chunk is None:
                return None
            chunks.append(chunk)
    if chunks and isinstance(chunks[-1], dict) and "a" in chunks[-1] and all(x == -1 for x in chunks[-1]["a"]):
        chunks.pop()
    return tables.vector(chunks)


def _with(sel: Selection, features: tuple[str, ...], modes: tuple[tuple[str, str], ...] = (),
          advanced: tuple[str, ...] = ()) -> Selection:
    return replace(sel, features=features, modes=modes, advanced=advanced)


@dataclass(frozen=True)
class Full:
    """One all-on selection a rendering is checked against: its mask, modes, advanced mask and deployment."""

    mask: int
    modes: tuple[int, ...]
    adv: int
    dep: Deployment


def _fulls(catalog: Catalog, entry: RecipeEntry, sel: Selection, toggles: Toggles, edition: Edition,
           cache: FeatureCache) -> list[Full]:
    """Everything on, once per usable mode of each modal feature (the others at their default)."""
    t, n = toggles, len(toggles.features)
    variants = [dict[int, int]()] + [{i: m} for i in range(n) if t.modal(i) for m in t.usable[i] if m != t.defaults[i]]
    out = []
    for chosen in variants:
        modes = _mode_list(t, chosen)
        choice = tuple(c for i in range(n) for c in t.choices(i, modes[i]))
        dep = cache.run(catalog, entry, _with(sel, t.features, choice, t.advanced), edition)
        out.append(Full((1 << n) - 1, modes, (1 << len(t.advanced)) - 1, dep))
    return out


def _compose(tables: Tables, base: Deployment, fulls: list[Full], pieces: Pieces, toggles: Toggles) -> list[int] | None:
    """Rendering ids per part, or None when the pieces do not reproduce every all-on deployment."""
    if any(len(f.dep.launches) != len(base.launches) for f in fulls):
        return None
    out = []
    for part in groups(base.launches):
        ids = []
        for i in part:
            role = base.launches[i].role
            vector = _vector(tables, base.launches[i], pieces[role], toggles) if role in pieces else None
            if vector is None or not all(_same_frame(base.launches[i], f.dep.launches[i]) for f in fulls):
                return None
            ids.append(encode_launch(tables, base.launches[i], vector))
        rid = tables.rendering(ids)
        try:
            for f in fulls:
                check(tables, rid, f.mask, [f.dep.launches[i] for i in part], f.modes, f.adv)
        except CompositionError:
            return None
        out.append(rid)
    return out


def _singles(catalog: Catalog, entry: RecipeEntry, sel: Selection, toggles: Toggles, edition: Edition,
             cache: FeatureCache) -> list[Single]:
    t, out, run_ = toggles, list[Single](), cache.run
    for i, name in enumerate(t.features):
        if t.modal(i):
            out.append({m: run_(catalog, entry, _with(sel, (name,), t.choices(i, m)), edition) for m in t.usable[i]})
        else:
            out.append(run_(catalog, entry, _with(sel, (name,)), edition))
    return out + [run_(catalog, entry, _with(sel, (), (), (a,)), edition) for a in t.advanced]


def _option_flags(option: str) -> frozenset[str]:
    return frozenset(a for o in PRESETS if o.id == option for a in o.args if a.startswith("-"))


def encode_selection(tables: Tables, catalog: Catalog, entry: RecipeEntry, sel: Selection,
                     features: tuple[str, ...], cache: FeatureCache, edition: Edition = NEWEST) -> list[int]:
    """Rendering ids (one per part, see :func:`groups`) covering every subset of `features`, every
    mode of the modal ones and every subset of the advanced options (`cache.toggles`)."""
    toggles = cache.toggles
    if toggles.features != features or not toggles.modes:  # plain toggles: no modes known for these features
        n = len(features)
        toggles = Toggles(features, ((),) * n, ((),) * n, (-1,) * n, toggles.advanced)
    base = cache.run(catalog, entry, _with(sel, ()), edition)
    if not features and not toggles.advanced:
        return [tables.rendering([encode_launch(tables, base.launches[i]) for i in part])
                for part in groups(base.launches)]
    fulls = _fulls(catalog, entry, sel, toggles, edition, cache)
    if cache.pieces is not None:
        found = _compose(tables, base, fulls, cache.pieces, toggles)
        if found is not None:
            return found
    sets = [None] * len(features) + [_option_flags(a) for a in toggles.advanced]
    pieces = measure(base, _singles(catalog, entry, sel, toggles, edition, cache), sets)
    if pieces is not None:
        found = _compose(tables, base, fulls, pieces, toggles)
        if found is not None:
            cache.pieces = pieces
            return found
    if toggles.advanced:
        # Whole launches per subset leave no place to insert the advanced lines before the
        # features' own: the recipe is built without advanced options (recipe_document retries).
        raise CompositionError(f"{entry.hf_id}: interacting features leave no room for advanced options")
    return encode_each_subset(tables, catalog, entry, sel, toggles, edition, cache)


def subset_key(mask: int, modes: Sequence[int]) -> str:
    """Key of a stored subset: the decimal mask, then `.mode` for each enabled modal feature."""
    return str(mask) + "".join(f".{m}" for i, m in enumerate(modes) if mask >> i & 1 and m >= 0)


def encode_each_subset(tables: Tables, catalog: Catalog, entry: RecipeEntry, sel: Selection,
                       toggles: Toggles, edition: Edition, cache: FeatureCache) -> list[int]:
    """Fallback for features that interact: one stored launch list per subset (and modes) that differs."""
    features = toggles.features
    if len(features) > EXHAUSTIVE_LIMIT:
        raise CompositionError(f"{entry.hf_id}: too many interacting features to enumerate")
    states: list[tuple[int, tuple[int, ...], Deployment]] = []
    for mask in range(1 << len(features)):
        on = [i for i in range(len(features)) if mask >> i & 1 and toggles.modal(i)]
        for combo in itertools.product(*[toggles.usable[i] or (-1,) for i in on]):
            modes = _mode_list(toggles, dict(zip(on, combo, strict=True)))
            choice = tuple(c for i in on for c in toggles.choices(i, modes[i]))
            chosen = tuple(f for i, f in enumerate(features) if mask >> i & 1)
            states.append((mask, modes, cache.run(catalog, entry, _with(sel, chosen, choice), edition)))
    out = []
    for part in groups(states[0][2].launches):
        per_state = [[encode_launch(tables, d.launches[i]) for i in part] for _, _, d in states]
        rid = tables.rendering({"l": per_state[0], "x": {subset_key(m, modes): ids for (m, modes, _), ids
                                                         in zip(states, per_state, strict=True) if ids != per_state[0]}})
        for mask, modes, d in states:
            check(tables, rid, mask, [d.launches[i] for i in part], modes)
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

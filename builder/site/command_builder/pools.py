"""Prefill/decode pools of 1–16 nodes per role, composed instead of stored layout by layout.

A PD selection shows three parts: the prefill pool (one launch per node), the decode pool and
the router. A role's launches depend on its own pool only (nodes and mode), so they are stored
once per (size × mode); the router is stored as pieces — its head, the endpoint lines each pool
adds (``--prefill http://…`` per node for DEP, one otherwise) and its tail per mode pair — that
the page concatenates. 257 size pairs × 9 mode pairs would be 2,313 routers per hardware; this is
17 × 3 parts per role plus 9 tails.

Pools of three nodes or more are stored as the two-node pool of the same mode with some lines
swapped for others: ``z`` maps lines of the two-node launches to the larger pool's (``--nnodes``,
the parallel size), ``y[r - 2]`` maps lines of the first follower to follower ``r``'s
(``--node-rank``, the DP start rank, its address). Both maps are read off ``deploy``'s launches
of every pool size, so they reproduce them by construction; the decoder is checked against
``deploy`` on the smallest and largest derived pools with no feature, and on the largest with all
features on, so the page still only joins stored lines. The router pieces are checked in a set
of layouts that puts every stored piece and every mode pair next to several others (``_cover``);
tests/test_builder_strategies.py checks every layout of some recipes against ``deploy`` one by one.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from builder.site.command_builder.data import SEP, CompositionError, Tables, env_lines, shown, split
from builder.site.command_builder.decode import Decoder, pd_launches
from builder.site.command_builder.features import FeatureCache, try_encode
from builder.site.command_builder.space import PoolLayout, SynthesisError, pd_selection
from builder.synth import NEWEST, Edition, Launch

if TYPE_CHECKING:
    from builder.models import Catalog, RecipeEntry
    from builder.site.command_builder.space import Combo

POOL_MAX = 16
"""Nodes per prefill or decode pool the page offers (site §2.4.5: 1–16)."""
ROLES = ("prefill", "decode")
_DERIVE_FROM = 2
"""Pools larger than this are stored as swaps of this size's launches."""


def pool_sizes(split: bool) -> list[int]:
    """Pool sizes per role in data order: 0 (both roles share one node) where the node can be split."""
    return ([0] if split else []) + list(range(1, POOL_MAX + 1))


def pool_index(prefill: int, decode: int) -> int:
    """Index of a size pair in the page's pair list (``d.pools``: [0, 0], then prefill-major 1..16)."""
    return 0 if prefill == 0 else 1 + (prefill - 1) * POOL_MAX + (decode - 1)


def pool_pairs() -> list[tuple[int, int]]:
    return [(0, 0)] + [(p, q) for p in range(1, POOL_MAX + 1) for q in range(1, POOL_MAX + 1)]


def _lines(launch: Launch) -> tuple[int, int, list[str]]:
    """Every line a launch shows, in one list (env, command, docker head), how many are env and
    how many are the command's."""
    own, head = split(launch)
    env = env_lines(launch.env)
    return len(env), len(own), env + own + (head or ["(no docker form)"])


def _swaps(tables: Tables, before: Sequence[tuple[int, int, list[str]]],
           after: Sequence[tuple[int, int, list[str]]]) -> list[int] | None:
    """``[old, new, …]`` string ids turning each launch of `before` into its pair in `after` (both
    as :func:`_lines`); None when the launches differ in shape or a line would have to become two
    different lines."""
    found: dict[str, str] = {}
    kept: set[str] = set()
    for (ea, ca, la), (eb, cb, lb) in zip(before, after, strict=True):
        if len(la) != len(lb) or ea != eb or ca != cb:
            return None
        for x, y in zip(la, lb, strict=True):
            if x == y:
                kept.add(x)
            elif found.setdefault(x, y) != y:
                return None
    if kept & found.keys():
        return None
    return [i for x, y in found.items() for i in (tables.string(x), tables.string(y))]


def _role(launches: Sequence[Launch], role: str) -> list[Launch]:
    return [x for x in launches if x.role == role]


class PoolEncoder:
    """The ``pd_cluster`` entry of one (variant, hardware) pair: parts, router pieces, checks."""

    def __init__(self, tables: Tables, catalog: Catalog, entry: RecipeEntry, features: tuple[str, ...],
                 modes: tuple[str, ...], edition: Edition = NEWEST, offered: tuple[str, ...] | None = None):
        self.tables, self.catalog, self.entry, self.features = tables, catalog, entry, features
        self.modes, self.edition = modes, edition
        self.offered = modes if offered is None else offered
        """Modes synthesis offers (`pool_modes` narrowing); the others get no parts, so no pills."""
        self.diag: dict[PoolLayout, list[Launch]] = {}
        """Deployed launches (no features) of each same-size, same-mode layout stored."""
        self.two: dict[int, list[Launch]] = {}
        """Two-node launches (no features) per mode: what larger pools are stored as swaps of."""

    def encode(self, c: Combo, name: str, cache: FeatureCache) -> dict[str, Any]:
        self.two, self.diag = {}, {}
        m = len(self.modes)
        split_ok = self.catalog.profile(c.hardware).gpu_count >= 2
        sizes = pool_sizes(True)
        parts: dict[str, list[Any]] = {"p": [-1] * (len(sizes) * m), "d": [-1] * (len(sizes) * m)}
        ends: list[list[int]] = [[-1] * (len(sizes) * m), [-1] * (len(sizes) * m)]
        dl: list[list[int]] = [[0] * m, [0] * m]
        head: list[int] = []
        for size in pool_sizes(split_ok):
            for mi, mode in enumerate(self.modes):
                if mode not in self.offered:
                    continue
                lay = PoolLayout(size, size, mode, mode)
                got = self.part(c, name, lay, parts, size, mi, cache)
                if got is None:
                    continue
                k = size * m + mi
                self.diag[lay] = got
                router = got[-1]
                lines = router.command.split(SEP)
                pieces = _router_pieces(lines)
                if pieces is None:
                    raise CompositionError(f"{self.entry.hf_id}: router lines are not head + endpoints + tail")
                h, ep, ed, _ = pieces
                head.append(self.tables.text(h, "cmd"))
                ends[0][k], ends[1][k] = self.tables.text(ep, "cmd"), self.tables.text(ed, "cmd")
                for ri, role in enumerate(ROLES):
                    pool = _role(got, role)[0].pool
                    if pool is not None and size:
                        dl[ri][mi] = pool.dp_local
        if not head:
            return {**parts, "e": ends, "h": -1, "tl": [-1] * (m * m), "dl": dl}
        if len(set(head)) != 1:
            raise CompositionError(f"{self.entry.hf_id}: the router head differs between pool layouts")
        out = {**parts, "e": ends, "h": head[0], "tl": self.tails(c, name, cache), "dl": dl}
        self.verify(c, name, out, split_ok, cache)
        return out

    def part(self, c: Combo, name: str, lay: PoolLayout, parts: dict[str, list[Any]], size: int, mi: int,
             cache: FeatureCache) -> list[Launch] | None:
        """Store both roles' parts of a same-size, same-mode layout; the deployed launches (no features)."""
        m = len(self.modes)
        k = size * m + mi
        sel = pd_selection(c, name, lay)
        if size > _DERIVE_FROM:
            base_k = _DERIVE_FROM * m + mi
            if isinstance(parts["p"][base_k], int) and parts["p"][base_k] >= 0 and parts["d"][base_k] >= 0:
                try:
                    base = cache.run(self.catalog, self.entry, sel, self.edition).launches
                    # Features are checked on the largest pool; the others are the same launch rows
                    # (same feature pieces) with lines swapped that no feature piece contains.
                    full = cache.run(self.catalog, self.entry, replace(sel, features=self.features), self.edition).launches \
                        if self.features and size == POOL_MAX else None
                except SynthesisError:
                    return None
                derived = [self.derive(parts[key][base_k], _role(self.two[mi], role), _role(base, role),
                                       _role(full, role) if full is not None else None)
                           for key, role in (("p", "prefill"), ("d", "decode"))]
                if full is not None and base[-1].command != full[-1].command:
                    raise CompositionError(f"{self.entry.hf_id}: the router depends on features")
                if derived[0] is not None and derived[1] is not None:
                    parts["p"][k], parts["d"][k] = derived[0], derived[1]
                    return list(base)
        ids = try_encode(self.tables, self.catalog, self.entry, sel, self.features, cache, self.edition)
        if ids is None:
            return None
        if not _plain(self.tables, ids[2]):
            raise CompositionError(f"{self.entry.hf_id}: the router depends on features")
        parts["p"][k], parts["d"][k] = ids[0], ids[1]
        launches = list(cache.run(self.catalog, self.entry, sel, self.edition, read=False).launches)  # (read by try_encode)
        if size == _DERIVE_FROM:
            self.two[mi] = launches
        return launches

    def derive(self, base_rid: int, two: list[Launch], base: list[Launch], full: list[Launch] | None) -> list[int] | None:
        """A rendering of `base` (≥ 3 launches) as swaps of the two-node rendering `base_rid`,
        whose launches (no features) are `two`."""
        stored = self.tables.renderings[base_rid]
        if not isinstance(stored, list) or len(stored) != 2 or len(two) != 2 or len(base) < 3:
            return None
        shown_two, shown_base = [_lines(x) for x in two], [_lines(x) for x in base]
        z = _swaps(self.tables, shown_two, shown_base[:2])
        if z is None:
            return None
        y = []
        for follower in shown_base[2:]:
            swap = _swaps(self.tables, shown_base[1:2], [follower])
            if swap is None:
                return None
            y.append(swap)
        swapped = set(z[::2]) | {i for swap in y for i in swap[::2]}
        if swapped & _feature_strings(self.tables, stored):
            return None
        size = len(base)
        elem = [base_rid, self.size_swaps(z, size - 3), self.rank_swaps(y)]
        dec = Decoder(self.tables.as_json(), self.tables.plain)
        # Without features the decoded pool equals `base` by construction: `z` and `y` were read
        # off these very lines, one consistent map over env, command and docker lines, never
        # touching a kept line. So the decoder is checked on the smallest and largest derived
        # pools only, and with every feature on (pieces and swaps together) on the largest.
        checks = [(0, base)] if size in (_DERIVE_FROM + 1, POOL_MAX) else []
        checks += [((1 << len(self.features)) - 1, full)] if full is not None else []
        for mask, want in checks:
            if dec.part(elem, size, mask) != shown(want):
                return None
        return elem

    def size_swaps(self, z: list[int], at: int) -> int:
        """Index of a ``zs`` list with `z` at position `at` (a pool of `at` + 3 nodes reads only there)."""
        table = self.tables.series["zs"]
        for i, known in enumerate(table):
            if len(known) > at and known[at] == z:
                return i
        for i, known in enumerate(table):
            if len(known) == at:
                known.append(z)
                return i
        table.append([[] for _ in range(at)] + [z])
        return len(table) - 1

    def rank_swaps(self, y: list[list[int]]) -> int:
        """Index of a ``ys`` list that starts with `y` (a pool of N nodes reads its first N − 2)."""
        table = self.tables.series["ys"]
        for i, known in enumerate(table):
            if known[:len(y)] == y:
                return i
        for i, known in enumerate(table):
            if y[:len(known)] == known:
                known.extend(y[len(known):])
                return i
        table.append(list(y))
        return len(table) - 1

    def tails(self, c: Combo, name: str, cache: FeatureCache) -> list[int]:
        """The router's last lines per (prefill mode, decode mode), from the smallest dedicated layout."""
        out = []
        for pm in self.modes:
            for dm in self.modes:
                tid = -1
                if pm not in self.offered or dm not in self.offered:
                    out.append(tid)
                    continue
                try:
                    launches = cache.run(self.catalog, self.entry, pd_selection(c, name, PoolLayout(1, 1, pm, dm)),
                                         self.edition, read=False).launches
                    pieces = _router_pieces(launches[-1].command.split(SEP))
                    if pieces is not None:
                        tid = self.tables.text(pieces[3], "cmd")
                except SynthesisError:
                    pass
                out.append(tid)
        return out

    def verify(self, c: Combo, name: str, entry: dict[str, Any], split_ok: bool, cache: FeatureCache) -> None:
        """Compare composed layouts with ``deploy``: every part, endpoint and tail in context."""
        dec = Decoder(self.tables.as_json(), self.tables.plain)
        layouts = list(self.diag) + _cover(tuple(x for x in self.modes if x in self.offered), split_ok)
        for lay in layouts:
            if lay in self.diag:  # its parts were checked when stored: the router is what is left
                pm, m = self.modes.index(lay.prefill_mode), len(self.modes)
                ids = [*dec.text(entry["h"]), *dec.text(entry["e"][0][lay.prefill_nodes * m + pm]),
                       *dec.text(entry["e"][1][lay.decode_nodes * m + pm]), *dec.text(entry["tl"][pm * m + pm])]
                if SEP.join(dec.data["s"][i] for i in ids) != self.diag[lay][-1].command:
                    raise CompositionError(f"{self.entry.hf_id}: composed router of {lay} differs from deploy()")
                continue
            try:
                want = cache.run(self.catalog, self.entry, pd_selection(c, name, lay), self.edition, read=False).launches
            except SynthesisError:
                continue
            got = pd_launches(dec, entry, self.modes, lay.prefill_nodes, lay.decode_nodes,
                              self.modes.index(lay.prefill_mode), self.modes.index(lay.decode_mode), 0)
            if got is None:
                continue
            if got != shown(want):
                raise CompositionError(f"{self.entry.hf_id}: composed PD layout {lay} differs from deploy()")


def _feature_strings(tables: Tables, lids: list[int]) -> set[int]:
    """String ids the feature pieces of these launches add."""
    out: set[int] = set()
    for lid in lids:
        fv = tables.launches[lid][5]
        for piece in tables.vectors[fv] if fv >= 0 else []:
            for tid in _piece_texts(piece):
                out.update(tables.plain[tid])
    return out


def _piece_texts(piece: Any) -> list[int]:
    """Text ids of a feature piece: a text, ``[text, *dropped]``, or per mode / per advanced option."""
    if isinstance(piece, dict):
        return [t for value in piece.values() for p in value for t in _piece_texts(p)]
    if isinstance(piece, list):
        return [piece[0]] if piece and piece[0] >= 0 else []
    return [piece] if isinstance(piece, int) and piece >= 0 else []


def _plain(tables: Tables, rid: int) -> bool:
    """A rendering whose launches ignore features entirely."""
    entry = tables.renderings[rid]
    if isinstance(entry, dict):
        return not entry.get("x")
    return all(tables.launches[lid][5] < 0 for lid in entry)


def _router_pieces(lines: list[str]) -> tuple[list[str], list[str], list[str], list[str]] | None:
    """Router lines as head, ``--prefill`` endpoints, ``--decode`` endpoints, tail (None if not so)."""
    kinds = ["p" if x.strip().startswith("--prefill ") else "d" if x.strip().startswith("--decode ") else "o"
             for x in lines]
    try:
        first_p, first_d = kinds.index("p"), kinds.index("d")
    except ValueError:
        return None
    last_d = len(kinds) - 1 - kinds[::-1].index("d")
    head, ep, ed, tail = lines[:first_p], lines[first_p:first_d], lines[first_d:last_d + 1], lines[last_d + 1:]
    if set(kinds[first_p:first_d]) != {"p"} or set(kinds[first_d:last_d + 1]) != {"d"} or "p" in kinds[last_d:]:
        return None
    return head, ep, ed, tail


def _cover(modes: tuple[str, ...], split_ok: bool) -> list[PoolLayout]:
    """Layouts beside the same-size, same-mode ones (each checked as its parts are stored): every
    mode pair, and pools of different sizes side by side, where the pieces meet in the router."""
    out = [PoolLayout(0, 0, a, b) for a in modes for b in modes if a != b] if split_ok else []
    for p, q in ((1, 1), (2, 2), (1, 2), (2, 1), (1, 3), (3, 1)):
        out += [PoolLayout(p, q, a, b) for a in modes for b in modes if a != b or p != q]
    return out

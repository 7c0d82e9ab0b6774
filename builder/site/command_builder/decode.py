"""Reading the command-builder data back: the Python twin of the decoder in ``command-builder.js``.

The data format (written by :mod:`builder.site.command_builder.recipe`):

* ``s`` — string table: every command line, env ``export`` line and docker line, once.
* ``t`` — text table: a text is a list of string ids. Entry ``[a, b, …]`` (all ≥ 0) is literal;
  ``[-back, keep_head, keep_tail, *middle]`` is text ``id - back`` with its lines between the first
  ``keep_head`` and the last ``keep_tail`` replaced by ``middle`` (neighbouring texts differ in a
  line or two, e.g. ``--node-rank``).
* ``fv`` — feature vectors: per feature (recipe order) -1 (no effect), the text id of the lines it
  appends, or ``[text_id, *positions]`` when it also drops lines of the base command (a feature
  that repeats a base flag moves it to the end).
* ``l`` — launches: ``[role, rank, env_text, command_text, docker_head_text, feature_vector]``
  (-1 = none). ``command = join(base lines minus the enabled features' dropped positions + their
  added lines)``; ``docker = join(docker_head + command_lines[1:])`` — the docker form wraps the
  same argument lines.
* ``r`` — renderings: a list of launch ids, or ``{"l": [...], "x": {mask: [...]}}`` when some
  feature subsets (bit *i* = feature *i*) could not be composed and are stored whole.

On the wire two columns are stored as differences, which shrinks them to mostly small repeated
numbers (see :func:`unpack`): the command text of a launch (from the previous launch's) and the
launch ids of list renderings (from the previous id in any list rendering).

Both decoders only concatenate stored pieces; neither knows any synthesis rule.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

ROLES = ("serve", "head", "worker", "prefill", "decode", "router")


@dataclass(frozen=True)
class Shown:
    """One launch as the page shows it."""

    role: str
    rank: int
    env: tuple[str, ...]
    """`export K=V` lines (pip mode)."""
    command: str
    docker: str | None


def pack(data: dict[str, Any]) -> dict[str, Any]:
    """The wire form of decoded tables (inverse of :func:`unpack`)."""
    out = dict(data)
    prev, rows = 0, []
    for row in data["l"]:
        rows.append(row[:3] + [row[3] - prev] + row[4:])
        prev = row[3]
    out["l"] = rows
    prev, renderings = 0, []
    for entry in data["r"]:
        if isinstance(entry, list):
            packed = []
            for lid in entry:
                packed.append(lid - prev)
                prev = lid
            entry = packed
        renderings.append(entry)
    out["r"] = renderings
    return out


def unpack(data: dict[str, Any]) -> dict[str, Any]:
    """Absolute ids from the wire form; the browser does the same once per page."""
    out = dict(data)
    top = data.get("pmax", 0)  # PD size pairs: co-located, then prefill-major 1..pmax (pools.pool_index)
    out["pools"] = [[0, 0]] + [[p, q] for p in range(1, top + 1) for q in range(1, top + 1)]
    prev, rows = 0, []
    for row in data["l"]:
        prev += row[3]
        rows.append(row[:3] + [prev] + row[4:])
    out["l"] = rows
    prev, renderings = 0, []
    for entry in data["r"]:
        if isinstance(entry, list):
            absolute = []
            for delta in entry:
                prev += delta
                absolute.append(prev)
            entry = absolute
        renderings.append(entry)
    out["r"] = renderings
    return out


class Decoder:
    """Resolves launches of unpacked data; `plain` may supply already-resolved texts (encoder checks)."""

    def __init__(self, data: dict[str, Any], plain: list[tuple[int, ...]] | None = None):
        self.data = data
        self._memo: dict[int, tuple[int, ...]] = {}
        self._plain = plain

    def text(self, tid: int) -> tuple[int, ...]:
        if tid < 0:
            return ()
        if self._plain is not None:
            return self._plain[tid]
        if tid not in self._memo:
            entry = self.data["t"][tid]
            if not entry or entry[0] >= 0:
                self._memo[tid] = tuple(entry)
            else:
                base = self.text(tid + entry[0])
                head, tail = entry[1], entry[2]
                self._memo[tid] = base[:head] + tuple(entry[3:]) + base[len(base) - tail:]
        return self._memo[tid]

    def _strings(self, ids: Sequence[int]) -> list[str]:
        table = self.data["s"]
        return [table[i] for i in ids]

    def lines(self, cmd_t: int, fv: int, mask: int) -> list[int]:
        """Command line ids with the enabled features' pieces: base minus dropped lines, plus added ones."""
        base = self.text(cmd_t)
        if fv < 0 or not mask:
            return list(base)
        drop: set[int] = set()
        added: list[int] = []
        for bit, piece in enumerate(self.data["fv"][fv]):
            if not mask >> bit & 1:
                continue
            if isinstance(piece, list):
                drop.update(piece[1:])
                piece = piece[0]
            added += self.text(piece)
        return [line for i, line in enumerate(base) if i not in drop] + added

    def launch(self, lid: int, mask: int, swaps: Sequence[Sequence[int]] = (), rank: int | None = None) -> Shown:
        """A stored launch; `swaps` (``[old, new, …]`` string ids, applied in turn) and `rank`
        turn it into another node of a larger pool (:mod:`builder.site.command_builder.pools`)."""
        role, own_rank, env_t, cmd_t, dock_t, fv = self.data["l"][lid]
        lines = self.lines(cmd_t, fv, mask)
        env, dock = list(self.text(env_t)), list(self.text(dock_t))
        for swap in swaps:
            table = dict(zip(swap[::2], swap[1::2], strict=True))
            env, lines, dock = ([table.get(i, i) for i in ids] for ids in (env, lines, dock))
        sep = self.data["sep"]
        docker = sep.join(self._strings(dock + lines[1:])) if dock_t >= 0 else None
        return Shown(ROLES[role], own_rank if rank is None else rank, tuple(self._strings(env)),
                     sep.join(self._strings(lines)), docker)

    def rendering(self, rid: int, mask: int) -> list[Shown]:
        entry = self.data["r"][rid]
        ids = entry["x"].get(str(mask), entry["l"]) if isinstance(entry, dict) else entry
        return [self.launch(lid, mask) for lid in ids]

    def part(self, elem: int | list[int], size: int, mask: int) -> list[Shown]:
        """A prefill or decode pool: a rendering id, or ``[two-node rendering, zs, ys]`` for a pool
        of `size` ≥ 3 nodes made by swapping lines of the two-node one (pools.py)."""
        if isinstance(elem, int):
            return self.rendering(elem, mask)
        first, follower = self.data["r"][elem[0]]
        z = self.data["zs"][elem[1]][size - 3]
        ys = self.data["ys"][elem[2]][:size - 2]
        return ([self.launch(first, mask, [z]), self.launch(follower, mask, [z])]
                + [self.launch(follower, mask, [z, y], r + 2) for r, y in enumerate(ys)])


def pd_launches(dec: Decoder, r: dict[str, Any], modes: Sequence[str], pn: int, dn: int, pm: int, dm: int,
                mask: int) -> list[Shown] | None:
    """Prefill pool + decode pool + the router joined from its pieces; None where not offered."""
    m = len(modes)
    kp, kd = pn * m + pm, dn * m + dm
    if (pn == 0) != (dn == 0) or r["p"][kp] == -1 or r["d"][kd] == -1 or r["h"] < 0 or r["tl"][pm * m + dm] < 0:
        return None
    ids = [*dec.text(r["h"]), *dec.text(r["e"][0][kp]), *dec.text(r["e"][1][kd]), *dec.text(r["tl"][pm * m + dm])]
    router = Shown("router", 0, (), dec.data["sep"].join(dec.data["s"][i] for i in ids), None)
    return dec.part(r["p"][kp], pn, mask) + dec.part(r["d"][kd], dn, mask) + [router]


@dataclass(frozen=True)
class State:
    """One selection of the page, in data indexes (what the script keeps, minus tab and install)."""

    v: int
    h: int
    s: int
    n: int = 1
    pool: int = 0
    pm: int = 0
    dm: int = 0
    f: int = 0

    def selection(self, d: dict[str, Any]) -> Any:
        """The `builder.synth.Selection` this state shows."""
        from builder.synth import Selection

        feats = tuple(x[0] for i, x in enumerate(d["ft"]) if self.f >> i & 1)
        variant, hw, strategy = d["var"][self.v][0], d["hw"][self.h][0], d["st"][self.s][0]
        if d["st"][self.s][4] == 2:
            p, q = d["pools"][self.pool]
            return Selection(variant, hw, strategy, 1, feats, p, q, d["modes"][self.pm], d["modes"][self.dm])
        return Selection(variant, hw, strategy, self.n, feats)

    def launches(self, d: dict[str, Any], dec: Decoder | None = None) -> list[Shown]:
        """What the page shows for this state (the script's `launches`); `d` unpacked."""
        dec = dec or Decoder(d)
        c = d["c"][f"{self.v}.{self.h}"]
        r, kind = c["r"][c["st"].index(self.s)], d["st"][self.s][4]
        if kind == 0:
            return dec.rendering(r, self.f)
        if kind == 1:
            return dec.rendering(r[d["nodes"].index(self.n)], self.f)
        pn, dn = d["pools"][self.pool]
        shown = pd_launches(dec, r, d["modes"], pn, dn, self.pm, self.dm, self.f)
        assert shown is not None, (pn, dn, self.pm, self.dm)
        return shown


SAMPLE_POOLS = (0, 1, 2, 3, 16)
"""Pool sizes :func:`offered_states` pairs up by default: co-located, the stored ones (1, 2), the
first and the last made by swapping lines (3, 16); ``pools=None`` yields all 257 pairs
(tests/test_builder_strategies.py checks every one of them on a few recipes)."""


def offered_states(d: dict[str, Any], masks: Sequence[int] | None = None,
                   pools: Sequence[int] | None = SAMPLE_POOLS) -> Iterator[State]:
    """Every state the page offers (feature subsets without an exclusive pair, or `masks`), with
    prefill/decode pools of the sizes in `pools` (all with None); `d` unpacked."""
    plain = [i for i, f in enumerate(d["ft"]) if len(f) < 4]
    adv = [i for i, f in enumerate(d["ft"]) if len(f) >= 4]
    if masks is None:  # every feature subset; advanced options alone, each and all, on none or all features
        base = [sum(1 << plain[j] for j in range(len(plain)) if m >> j & 1) for m in range(1 << len(plain))]
        every = sum(1 << i for i in adv)
        extra = [1 << i for i in adv] + ([every] if len(adv) > 1 else [])
        masks = base + [b | e for b in (0, base[-1]) for e in extra] if adv else base
    all_masks = list(masks)
    # Mutually exclusive features are never on together: the page turns one off.
    all_masks = [f for f in all_masks if not any(f >> a & 1 and f >> b & 1 for a, b in d.get("ex", []))]
    m = len(d["modes"])
    for key, c in d["c"].items():
        if "rec" not in c:
            continue
        v, h = (int(x) for x in key.split("."))
        for s, r in zip(c["st"], c["r"], strict=True):
            kind = d["st"][s][4]
            if kind == 0:
                shapes = [State(v, h, s)]
            elif kind == 1:
                shapes = [State(v, h, s, n) for n, rid in zip(d["nodes"], r, strict=True) if rid >= 0]
            else:
                dec = Decoder(d)
                shapes = [State(v, h, s, 1, i, pm, dm) for i, (pn, dn) in enumerate(d["pools"])
                          if pools is None or (pn in pools and dn in pools)
                          for pm in range(m) for dm in range(m)
                          if pd_launches(dec, r, d["modes"], pn, dn, pm, dm, 0) is not None]
            for shape in shapes:
                for f in all_masks:
                    yield replace(shape, f=f)

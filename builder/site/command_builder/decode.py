"""Reading the command-builder data back: the Python twin of the decoder in ``command-builder.js``.

The data format (written by :mod:`builder.site.command_builder.recipe`):

* ``s`` — string table: every command line, env ``export`` line and docker line, once.
* ``t`` — text table: a text is a list of string ids. Entry ``[a, b, …]`` (all ≥ 0) is literal;
  ``[-back, keep_head, keep_tail, *middle]`` is text ``id - back`` with its lines between the first
  ``keep_head`` and the last ``keep_tail`` replaced by ``middle`` (neighbouring texts differ in a
  line or two, e.g. ``--node-rank``).
* ``fv`` — feature vectors: per feature (recipe order) -1 (no effect), the text id of the lines it
  appends, or ``[text_id, *positions]`` when it also drops lines of the base command (a feature
  that repeats a base flag moves it to the end); a feature with modes has ``{"m": [one of those
  per mode]}`` (the chosen mode's applies). A last ``{"a": [...]}`` holds the advanced options'
  pieces, whose lines go before the features' (bit *k* of the advanced mask = option *k*).
* ``l`` — launches: ``[role, rank, env_text, command_text, docker_head_text, feature_vector]``
  (-1 = none). ``command = join(base lines minus the enabled features' dropped positions + their
  added lines)``; ``docker = join(docker_head + command_lines[1:])`` — the docker form wraps the
  same argument lines.
* ``r`` — renderings: a list of launch ids, or ``{"l": [...], "x": {key: [...]}}`` when some
  feature subsets (bit *i* = feature *i*) could not be composed and are stored whole; the key is
  the decimal mask, then ``.mode`` for each enabled feature with modes (features.subset_key).

On the wire two columns are stored as differences, which shrinks them to mostly small repeated
numbers (see :func:`unpack`): the command text of a launch (from the previous launch's) and the
launch ids of list renderings (from the previous id in any list rendering).

Both decoders only concatenate stored pieces; neither knows any synthesis rule.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

ROLES = ("serve", "head", "worker", "prefill", "decode", "router")


class Shown(NamedTuple):
    """One launch as the page shows it (a named tuple: the encoder builds and compares hundreds of
    thousands of these)."""

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

    def lines(self, cmd_t: int, fv: int, mask: int, modes: Sequence[int] = (), adv: int = 0) -> list[int]:
        """Command line ids with the enabled pieces: base minus dropped lines, plus the advanced
        options' lines, then the features' (a modal feature's piece is its chosen mode's)."""
        base = self.text(cmd_t)
        if fv < 0 or not (mask or adv):
            return list(base)
        drop: set[int] = set()
        added: list[int] = []
        options: list[int] = []

        def apply(piece: Any, into: list[int]) -> None:
            if isinstance(piece, list):
                drop.update(piece[1:])
                piece = piece[0]
            into += self.text(piece)

        for bit, piece in enumerate(self.data["fv"][fv]):
            if isinstance(piece, dict) and "a" in piece:
                for k, p in enumerate(piece["a"]):
                    if adv >> k & 1:
                        apply(p, options)
                continue
            if not mask >> bit & 1:
                continue
            if isinstance(piece, dict):
                piece = piece["m"][modes[bit]] if bit < len(modes) and modes[bit] >= 0 else -1
            apply(piece, added)
        return [line for i, line in enumerate(base) if i not in drop] + options + added

    def launch(self, lid: int, mask: int, modes: Sequence[int] = (), adv: int = 0,
               swaps: Sequence[Sequence[int]] = (), rank: int | None = None) -> Shown:
        """A stored launch; `swaps` (``[old, new, …]`` string ids, applied in turn) and `rank`
        turn it into another node of a larger pool (:mod:`builder.site.command_builder.pools`)."""
        role, own_rank, env_t, cmd_t, dock_t, fv = self.data["l"][lid]
        lines = self.lines(cmd_t, fv, mask, modes, adv)
        env, dock = list(self.text(env_t)), list(self.text(dock_t))
        for swap in swaps:
            table = dict(zip(swap[::2], swap[1::2], strict=True))
            env, lines, dock = ([table.get(i, i) for i in ids] for ids in (env, lines, dock))
        sep = self.data["sep"]
        docker = sep.join(self._strings(dock + lines[1:])) if dock_t >= 0 else None
        return Shown(ROLES[role], own_rank if rank is None else rank, tuple(self._strings(env)),
                     sep.join(self._strings(lines)), docker)

    def rendering(self, rid: int, mask: int, modes: Sequence[int] = (), adv: int = 0) -> list[Shown]:
        entry = self.data["r"][rid]
        key = str(mask) + "".join(f".{m}" for i, m in enumerate(modes) if mask >> i & 1 and m >= 0)
        ids = entry["x"].get(key, entry["l"]) if isinstance(entry, dict) else entry
        return [self.launch(lid, mask, modes, adv) for lid in ids]

    def part(self, elem: int | list[int], size: int, mask: int, modes: Sequence[int] = (), adv: int = 0) -> list[Shown]:
        """A prefill or decode pool: a rendering id, or ``[two-node rendering, zs, ys]`` for a pool
        of `size` ≥ 3 nodes made by swapping lines of the two-node one (pools.py)."""
        if isinstance(elem, int):
            return self.rendering(elem, mask, modes, adv)
        first, follower = self.data["r"][elem[0]]
        z = self.data["zs"][elem[1]][size - 3]
        ys = self.data["ys"][elem[2]][:size - 2]
        return ([self.launch(first, mask, modes, adv, [z]), self.launch(follower, mask, modes, adv, [z])]
                + [self.launch(follower, mask, modes, adv, [z, y], r + 2) for r, y in enumerate(ys)])


def pd_launches(dec: Decoder, r: dict[str, Any], pool_modes: Sequence[str], pn: int, dn: int, pm: int, dm: int,
                mask: int, modes: Sequence[int] = (), adv: int = 0) -> list[Shown] | None:
    """Prefill pool + decode pool + the router joined from its pieces; None where not offered."""
    m = len(pool_modes)
    kp, kd = pn * m + pm, dn * m + dm
    if (pn == 0) != (dn == 0) or r["p"][kp] == -1 or r["d"][kd] == -1 or r["h"] < 0 or r["tl"][pm * m + dm] < 0:
        return None
    ids = [*dec.text(r["h"]), *dec.text(r["e"][0][kp]), *dec.text(r["e"][1][kd]), *dec.text(r["tl"][pm * m + dm])]
    router = Shown("router", 0, (), dec.data["sep"].join(dec.data["s"][i] for i in ids), None)
    return dec.part(r["p"][kp], pn, mask, modes, adv) + dec.part(r["d"][kd], dn, mask, modes, adv) + [router]


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
    m: tuple[int, ...] = ()
    """Mode index per feature (-1: no modes); () = every modal feature at the pair's default."""
    a: int = 0
    """Advanced options, bit *k* = ``ad[k]``."""

    def modes(self, d: dict[str, Any]) -> tuple[int, ...]:
        if self.m:
            return self.m
        out = [-1] * len(d["ft"])
        for k, row in enumerate(d.get("fm", [])):
            out[row[0]] = d["c"][f"{self.v}.{self.h}"]["m"][k][0]
        return tuple(out)

    def selection(self, d: dict[str, Any]) -> Any:
        """The `builder.synth.Selection` this state shows."""
        from builder.synth import Selection

        feats = tuple(x[0] for i, x in enumerate(d["ft"]) if self.f >> i & 1)
        modes, chosen = self.modes(d), []
        for row in d.get("fm", []):
            if self.f >> row[0] & 1 and modes[row[0]] >= 0:
                chosen.append((d["ft"][row[0]][0], row[2][modes[row[0]]][0]))
        adv = tuple(x[0] for k, x in enumerate(d.get("ad", [])) if self.a >> k & 1)
        variant, hw, strategy = d["var"][self.v][0], d["hw"][self.h][0], d["st"][self.s][0]
        if d["st"][self.s][4] == 2:
            p, q = d["pools"][self.pool]
            return Selection(variant, hw, strategy, 1, feats, p, q, d["modes"][self.pm], d["modes"][self.dm],
                             modes=tuple(chosen), advanced=adv)
        return Selection(variant, hw, strategy, self.n, feats, modes=tuple(chosen), advanced=adv)

    def launches(self, d: dict[str, Any], dec: Decoder | None = None) -> list[Shown]:
        """What the page shows for this state (the script's `launches`); `d` unpacked."""
        dec = dec or Decoder(d)
        c = d["c"][f"{self.v}.{self.h}"]
        r, kind = c["r"][c["st"].index(self.s)], d["st"][self.s][4]
        f, modes, a = self.f, self.modes(d), self.a
        if kind == 0:
            return dec.rendering(r, f, modes, a)
        if kind == 1:
            return dec.rendering(r[d["nodes"].index(self.n)], f, modes, a)
        pn, dn = d["pools"][self.pool]
        shown = pd_launches(dec, r, d["modes"], pn, dn, self.pm, self.dm, f, modes, a)
        assert shown is not None, (pn, dn, self.pm, self.dm)
        return shown


def _variations(d: dict[str, Any], c: dict[str, Any], f: int) -> Iterator[tuple[tuple[int, ...], int]]:
    """(modes, advanced mask) to try with feature mask `f`: defaults, then each other usable mode of
    each enabled modal feature, then each advanced option alone and all of them."""
    base = [-1] * len(d["ft"])
    for k, row in enumerate(d.get("fm", [])):
        base[row[0]] = c["m"][k][0]
    yield tuple(base), 0
    for k, row in enumerate(d.get("fm", [])):
        if not f >> row[0] & 1:
            continue
        for j, e in enumerate(c["m"][k][1:]):
            if e == j and j != base[row[0]]:
                other = list(base)
                other[row[0]] = j
                yield tuple(other), 0
    n = len(d.get("ad", []))
    for a in [1 << k for k in range(n)] + ([(1 << n) - 1] if n > 1 else []):
        yield tuple(base), a


SAMPLE_POOLS = (0, 1, 2, 3, 16)
"""Pool sizes :func:`offered_states` pairs up by default: co-located, the stored ones (1, 2), the
first and the last made by swapping lines (3, 16); ``pools=None`` yields all 257 pairs
(tests/test_builder_strategies.py checks every one of them on a few recipes)."""


def offered_states(d: dict[str, Any], masks: Sequence[int] | None = None,
                   pools: Sequence[int] | None = SAMPLE_POOLS) -> Iterator[State]:
    """Every state the page offers (feature subsets without an exclusive pair, or `masks`), with each
    usable mode and each advanced option (alone and all) on top, and prefill/decode pools of the
    sizes in `pools` (all with None); `d` unpacked."""
    nf = len(d["ft"])
    all_masks = list(masks) if masks is not None else list(range(1 << nf))
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
                    for j, (modes, a) in enumerate(_variations(d, c, f)):
                        if a and f not in (0, all_masks[-1]):
                            continue  # advanced options: on no features and on all of them
                        yield replace(shape, f=f, m=modes if j else (), a=a)

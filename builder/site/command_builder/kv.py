"""The KV Offload row's data: options, why they are off, and how they compose with a rendering.

Nothing here enumerates selections × options. A KV option changes a rendering the same way
wherever it applies, so it is stored once and composed in the page (site spec §2.4.4, §2.6.5):

* an offload connector or a Mooncake store appends its argument lines last (after the advanced
  options and the features) and maps each launch's env text and docker head to the ones with its
  variables (``kp``);
* a Mooncake instance of a multi-instance deployment meets at `$VLLM_INSTANCE_n` instead of
  `$HEAD_IP`: each rendezvous line maps to its line per instance (``kr``);
* the master, store, config script and router are per deployment; the router is its head line,
  one backend line per instance and its tail (``km``).

Every composition is checked against ``deploy`` (through ``space.run``) for every rendering it is
offered on, with all features on (pieces of different features never touch the same flag, see
:mod:`features`), and raises :class:`CompositionError` when the page would differ.

Keys: ``kg`` groups ``[key, label, sub_row_label, description, docs, tooltip]``; ``ko`` options
``[key, label, kind (0 offload, 1 store), group index or -1, description, docs, default instances,
{brand: install step}, companion index or -1]``; ``kw`` rows of reasons (one per option, 0 when
usable) and per usable pair ``c[..]["kv"]`` a ``kw`` index per offered strategy; ``kp`` per option
``[args text, {env text: env text}, {docker head text: docker head text}]``, where a key
``"#<launch id>"`` maps that launch alone (it wins over its text's key); ``kr`` ``{line id:
[line id per instance 1…16]}``; ``km`` per option ``{cfg, ms, st, rh, rb, rt, ri, rp}`` (stores
only, else 0); ``kc`` companions ``[label, description, command]``; ``ks`` client examples for the Mooncake router and per
usable pair ``c[..]["kk"]`` its index.
"""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from builder.site.command_builder.data import SEP, CompositionError, Tables, env_lines, split
from builder.site.command_builder.decode import ROLES, Decoder, Shown
from builder.site.command_builder.space import PD, SynthesisError, run, strategy_kind
from builder.synth import Selection
from builder.synth.kvstore import config_script, instance_launch
from builder.synth.select import kv_groups, kv_options, kv_refusal
from builder.synth.snippets import snippets

if TYPE_CHECKING:
    from builder.models import Catalog, RecipeEntry
    from builder.synth import Deployment, Edition, Launch

MAX_INSTANCES = 16
CHECKED_INSTANCES = (1, 2, 3)
"""Instance counts each rendering is checked at: launches differ between 1 and 2 only (the
rendezvous), and the router (checked at every count once) is the only part that grows."""
ROUTER_SEP = " \\\n"


class KvData:
    """Collects the KV pieces of one recipe while :class:`recipe._Builder` encodes its pairs."""

    def __init__(self, catalog: Catalog, entry: RecipeEntry, tables: Tables, features: tuple[str, ...],
                 edition: Edition):
        self.catalog, self.entry, self.tables, self.features, self.edition = catalog, entry, tables, features, edition
        self.options = kv_options(catalog)
        self.groups = kv_groups(catalog)
        self.rows: list[list[Any]] = []
        self.pieces: list[list[Any]] = [[-1, {}, {}] for _ in self.options]
        self.rdv: dict[int, list[int]] = {}
        self.stores: list[Any] = [0] * len(self.options)
        self.companions: list[list[str]] = []
        self.option_companion = [-1] * len(self.options)
        self.used = False
        self.snippets: list[list[str]] = []
        self.full = features
        # Modal features (a piece per mode) are checked by their own encoder; KV lines follow
        # whatever pieces are on, so every plain feature on is the case checked here.
        self.mask = sum(1 << i for i, f in enumerate(features)
                        if not getattr(entry.recipe.features.get(f), "modes", None))
        self.memo: dict[tuple[int, int], tuple[list[int], list[int], list[int]]] = {}
        self.decoder = Decoder(tables.as_json(), tables.plain)
        self.seen: set[tuple[str, str, str, int]] = set()
        self.safe: set[tuple[str | None, str | None, str, str]] = set()
        self.config_inputs: dict[int, tuple[Any, Any, str]] = {}
        self.learned: dict[tuple[int, str, int], int] = {}
        """(option, "env" or "docker", text id) → the text it first became, identity included."""

    # -- per pair --------------------------------------------------------------------------------

    def pair(self, variant: str, hardware: str, strategies: list[str], entries: list[Any],
             nodes: list[int]) -> tuple[list[int], int]:
        """A ``kw`` row per strategy (checking every option on every rendering it is offered for),
        and the ``ks`` index of the client examples for Mooncake instances behind the router (-1)."""
        out, client = [], -1
        for name, entry in zip(strategies, entries, strict=True):
            reasons: list[Any] = []
            for o in self.options:
                why = kv_refusal(self.catalog, self.entry.recipe, o.key, hardware, name, self.edition)
                reasons.append(why + ("" if why.endswith(".") else ".") if why else 0)
            kind = strategy_kind(self.catalog, name)
            if kind != PD:
                shapes = [(1, entry)] if kind == "single_node" else \
                    [(n, rid) for n, rid in zip(nodes, entry, strict=True) if rid >= 0]
                for oi, why in enumerate(reasons):
                    if why == 0:
                        for count, rid in shapes:
                            self.check(oi, Selection(variant, hardware, name, count), rid)
                        if client < 0 and self.options[oi].kind == "store":
                            client = self.client(Selection(variant, hardware, name, shapes[0][0]), oi)
            if any(r == 0 for r in reasons):
                self.used = True
            if reasons not in self.rows:
                self.rows.append(reasons)
            out.append(self.rows.index(reasons))
        return out, client

    def client(self, sel: Selection, oi: int) -> int:
        """cURL, Bench and Python examples for clients of the router (the same for every count ≥ 2)."""
        dep = self.deploy(replace(sel, kv_store=self.options[oi].key, instances=2))
        sn = snippets(dep)
        row = [sn.curl, sn.bench, sn.python]
        if row not in self.snippets:
            self.snippets.append(row)
        return self.snippets.index(row)

    def check(self, oi: int, sel: Selection, rid: int) -> None:
        """Check option `oi` on one rendering against ``deploy``.

        The first rendering of each pair and strategy is checked in full: every feature and
        advanced option on, instances 1, 2 and 3 (each shown instance). The others (node counts)
        with the features on at two instances, the first shown: one instance differs from it only
        in the rendezvous lines, whose per-instance lines come from synthesis and were checked on
        the first; what depends on the node count is the base rendering, checked by its encoder.
        """
        option = self.options[oi]
        key = (sel.variant, sel.hardware, sel.strategy, oi)
        first = key not in self.seen
        self.seen.add(key)
        mask = self.mask
        sel = replace(sel, features=tuple(f for i, f in enumerate(self.full) if mask >> i & 1))
        if option.kind == "offload":
            self.compare(oi, rid, self.deploy(replace(sel, kv_offload=option.key)), 0, mask)
            return
        for count in CHECKED_INSTANCES if first else CHECKED_INSTANCES[1:2]:
            dep = self.deploy(replace(sel, kv_store=option.key, instances=count))
            self.store_parts(oi, dep)
            for shown in range(1, count + 1) if first else (1,):
                self.compare(oi, rid, dep, shown if count > 1 else 0, mask)

    def deploy(self, sel: Selection) -> Deployment:
        """`run` for the first selection of each option and strategy kind reads every command as
        bash would; after that it need not, since a KV option adds the same lines everywhere."""
        key = (sel.kv_offload, sel.kv_store, sel.hardware, strategy_kind(self.catalog, sel.strategy))
        try:
            read = key not in self.safe
            self.safe.add(key)
            return run(self.catalog, self.entry, sel, self.edition, read)
        except SynthesisError as err:
            raise CompositionError(f"{self.entry.hf_id}: {sel} is offered but deploy refuses it: {err}") from err

    # -- composing (the twin of kv.js) -----------------------------------------------------------

    def compare(self, oi: int, rid: int, dep: Deployment, instance: int, mask: int) -> None:
        """Require the composition to equal `dep`, learning the option's maps where it does not yet."""
        entry = self.tables.renderings[rid]
        ids = entry["x"].get(str(mask), entry["l"]) if isinstance(entry, dict) else entry
        launches = [instance_launch(x, instance) if instance else x for x in dep.launches]
        if len(ids) != len(launches):
            raise CompositionError(f"{self.entry.hf_id}: {self.options[oi].key} changes the launches of {dep.selection}")
        self.learn_companions(oi, dep)
        dec = self.decoder
        for lid, want in zip(ids, launches, strict=True):
            shown = _shown(want)
            if self.compose(dec, lid, mask, oi, instance) == shown:
                continue
            self.learn(oi, lid, want, dec, mask, instance)
            if self.compose(dec, lid, mask, oi, instance) != shown:
                raise CompositionError(f"{self.entry.hf_id}: {self.options[oi].key} does not compose on {dep.selection}")

    def learn(self, oi: int, lid: int, want: Launch, dec: Decoder, mask: int, instance: int) -> None:
        t = self.tables
        _, _, env_t, _, dock_t, _ = t.launches[lid]
        piece = self.pieces[oi]
        lines, head = split(want)
        kept, early, late = self.parts(dec, lid, mask)
        base = kept + early
        if piece[0] < 0:
            piece[0] = t.text(lines[len(base):len(lines) - len(late)], "feature")
        for key, value, table, kind in ((env_t, env_lines(want.env), piece[1], "env"), (dock_t, head, piece[2], "docker")):
            new = t.text(value, kind) if value else -1
            first = self.learned.setdefault((oi, kind, key), new)
            if first == new:
                if new != key:
                    table[key] = new
            else:
                # The same env or docker text can take the option's lines at different places (an
                # override re-setting a variable keeps its place, one adding it goes after the KV
                # lines), so a launch whose result differs gets a map of its own, keyed "#<launch>".
                table.setdefault(f"#{lid}", new)
        if instance == 1:
            for j, sid in enumerate(base):
                if j < len(lines) and t.strings.get(lines[j]) != sid and sid not in self.rdv:
                    self.rdv[sid] = [t.string(self.instance_line(want, j, n)) for n in range(1, MAX_INSTANCES + 1)]

    @staticmethod
    def instance_line(want: Launch, j: int, n: int) -> str:
        return instance_launch(want, n).command.split(SEP)[j]

    def parts(self, dec: Decoder, lid: int, mask: int) -> tuple[list[int], list[int], list[int]]:
        """The launch's lines with the features of `mask` on (the decoder's composition), before the
        KV lines; nothing comes after them (advanced options go before the features)."""
        if (lid, mask) not in self.memo:
            _, _, _, cmd_t, _, fv = self.tables.launches[lid]
            self.memo[lid, mask] = dec.lines(cmd_t, fv, mask), [], []
        return self.memo[lid, mask]

    def compose(self, dec: Decoder, lid: int, mask: int, oi: int, instance: int) -> Shown:
        role, rank, env_t, _, dock_t, _ = self.tables.launches[lid]
        piece, strings = self.pieces[oi], dec.data["s"]
        kept, early, late = self.parts(dec, lid, mask)
        lines = kept + early
        if instance:
            lines = [self.rdv[s][instance - 1] if s in self.rdv else s for s in lines]
        lines = lines + list(dec.text(piece[0])) + late
        env = dec.text(piece[1].get(f"#{lid}", piece[1].get(env_t, env_t)))
        head = piece[2].get(f"#{lid}", piece[2].get(dock_t, dock_t))
        docker = SEP.join(strings[i] for i in list(dec.text(head)) + lines[1:]) if head >= 0 else None
        return Shown(ROLES[role], rank, tuple(strings[i] for i in env), SEP.join(strings[i] for i in lines), docker)

    # -- the rest of a deployment ------------------------------------------------------------------

    def learn_companions(self, oi: int, dep: Deployment) -> None:
        found = [[c["label"], c["description"], c["command"]] for c in dep.companions
                 if c["feature"] == f"kv_offload:{self.options[oi].key}"]
        if len(found) != len(dep.companions):
            raise CompositionError(f"{self.entry.hf_id}: feature companions are not composed by the page yet")
        if found:
            if found[0] not in self.companions:
                self.companions.append(found[0])
            self.option_companion[oi] = self.companions.index(found[0])

    def store_parts(self, oi: int, dep: Deployment) -> None:
        kv = dep.kv
        parts = self.stores[oi]
        if parts == 0:
            parts = self.stores[oi] = self.new_store(oi, dep)
        # config_script is a pure function of these (and costly: JSON with indents), so equal
        # inputs need no second rendering.
        inputs = (kv.store, kv.mooncake_config, kv.mooncake_config_note)
        same_config = self.config_inputs.setdefault(oi, inputs) == inputs
        expected = {"cfg": parts["cfg"] if same_config else config_script(kv), "ms": kv.master["command"],
                    "st": (kv.store or {}).get("command") or 0}
        if any(parts[k] != v for k, v in expected.items()) or router_text(parts, kv.instances) != (
                kv.router["command"] if kv.router else None):
            raise CompositionError(f"{self.entry.hf_id}: {kv.name} parts differ on {dep.selection}")

    def new_store(self, oi: int, dep: Deployment) -> dict[str, Any]:
        """The deployment's own parts, and the router's lines from its largest form (checked at every count)."""
        kv = dep.kv
        big = self.deploy(replace(dep.selection, instances=MAX_INSTANCES)).kv.router
        lines = big["command"].split(ROUTER_SEP)
        parts = {"cfg": config_script(kv), "ms": kv.master["command"], "st": (kv.store or {}).get("command") or 0,
                 "rh": lines[:1], "rb": lines[1:1 + MAX_INSTANCES], "rt": lines[1 + MAX_INSTANCES:],
                 "ri": big["install"], "rp": big["port"]}
        for count in range(1, MAX_INSTANCES + 1):
            router = self.deploy(replace(dep.selection, instances=count)).kv.router
            if router_text(parts, count) != (router["command"] if router else None):
                raise CompositionError(f"{self.entry.hf_id}: the {kv.name} router is not one line per instance")
        return parts

    def document(self) -> dict[str, Any]:
        """The recipe-wide keys; empty when no option is usable anywhere on the page."""
        if not self.used:
            return {}
        groups = [g.key for g in self.groups]
        return {
            "kg": [[g.key, g.label, g.sub_row_label, g.description, g.docs_url, g.tooltip] for g in self.groups],
            "ko": [[o.key, o.label, 0 if o.kind == "offload" else 1, groups.index(o.group) if o.group in groups else -1,
                    o.description, o.docs_url, o.default_instances, o.install, self.option_companion[i]]
                   for i, o in enumerate(self.options)],
            "kw": self.rows,
            "kp": [[p[0], {str(k): v for k, v in p[1].items()}, {str(k): v for k, v in p[2].items()}] for p in self.pieces],
            "kr": {str(k): v for k, v in self.rdv.items()},
            "km": self.stores,
            "kc": self.companions,
            "ks": self.snippets,
        }


def router_text(parts: dict[str, Any], instances: int) -> str | None:
    """The router of `instances` instances from its stored lines (what kv.js joins); None for one."""
    if instances < 2:
        return None
    return ROUTER_SEP.join(parts["rh"] + parts["rb"][:instances] + parts["rt"])


def _shown(launch: Launch) -> Shown:
    return Shown(launch.role, launch.rank, tuple(env_lines(launch.env)), launch.command, launch.docker_command)


OFF_TIP = "The KV cache stays in GPU memory."


def default_row(d: dict[str, Any], c: dict[str, Any], s: int) -> dict[str, Any] | None:
    """The KV Offload row with Off chosen, as ``view`` renders rows (the script draws the same markup)."""
    if "ko" not in d or "kv" not in c:
        return None
    reasons = d["kw"][c["kv"][c["st"].index(s)]]

    def pill(a: str, i: int, text: str, tip: str, why: str) -> dict[str, Any]:
        return {"a": a, "i": i, "text": text, "on": a == "kv" and i < 0, "tip": why or tip, "hint": "", "why": why,
                "ok": False, "rec": False}

    pills, seen = [pill("kv", -1, "Off", OFF_TIP, "")], set()
    for j, o in enumerate(d["ko"]):
        if o[3] < 0:
            pills.append(pill("kv", j, o[1], _sentence(o[4]), reasons[j] or ""))
        elif o[3] not in seen:
            seen.add(o[3])
            group = d["kg"][o[3]]
            members = [k for k, x in enumerate(d["ko"]) if x[3] == o[3]]
            why = "" if any(not reasons[k] for k in members) else reasons[members[0]]
            pills.append(pill("kvg", o[3], group[1], _sentence(group[5] or group[3]), why))
    return {"label": "KV Offload", "groups": [{"title": "", "pills": pills}], "note": "Off: " + OFF_TIP[0].lower() + OFF_TIP[1:]}


def _sentence(text: str) -> str:
    text = (text or "").strip()
    return text if not text or text[-1] in ".!?:;…)" else text + "."

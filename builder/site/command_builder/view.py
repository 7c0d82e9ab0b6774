"""The command builder as the server renders it: the recommended selection, before any script runs.

``assets/command-builder/`` redraws the same markup (``partials/command-builder.html``) from the same
data once it loads, so the page does not jump; readers without JavaScript and crawlers get the
options and the recommended command as plain HTML. Only the default state is rendered here.
"""
from __future__ import annotations

import math
from typing import Any

from builder.site.command_builder.decode import Shown, State, unpack
from builder.site.command_builder.kv import default_row

KIND_TITLES = ("Single node", "Multi-node", "Prefill / decode")
ORIENTATION = {"latency": "Latency oriented", "balanced": "Balanced", "throughput": "Throughput oriented",
               "production": "Production deployment"}
_BRAND_RANK = {"NVIDIA": 0, "AMD": 1}


def _pill(a: str, i: int, text: str, on: bool, tip: str = "", hint: str = "", why: str = "",
          ok: bool = False, rec: bool = False) -> dict[str, Any]:
    # A disabled pill always explains itself (hover and keyboard focus), as in the script.
    return {"a": a, "i": i, "text": text, "on": on, "tip": tip or why, "hint": hint, "why": why, "ok": ok, "rec": rec}


def js_num(x: float) -> str:
    """A number as JavaScript prints it (4.0 → "4")."""
    return str(int(x)) if float(x).is_integer() else str(x)


def sentence(text: str) -> str:
    """Text that ends with punctuation, so joined texts never run on (the script's `sentence`)."""
    text = (text or "").strip()
    return text if not text or text[-1] in ".!?:;…)" else text + "."


def _gb(x: float) -> str:
    return f"{round(x)} GB"


def _hardware(d: dict[str, Any], v: int, h: int, s: int) -> dict[str, Any]:
    brands = sorted(dict.fromkeys(x[2] for x in d["hw"]), key=lambda b: (_BRAND_RANK.get(b, 2), b))
    groups = []
    for brand in brands:
        pills = []
        for i, x in enumerate(d["hw"]):
            if x[2] != brand:
                continue
            c = d["c"].get(f"{v}.{i}")
            why, tip = "", sentence(x[6])
            if c is None:
                why = "Not offered for " + d["var"][v][1]
            elif "sub" in c:
                tip += f" Picking it serves {d['var'][c['sub']][1]}: {d['var'][v][1]} does not fit this node."
            elif "alt" in c:
                tip = f"{x[1]}: {sentence(c['x'])} Picking it switches Variant to {d['var'][c['alt']][1]}."
            elif "x" in c:
                why = c["x"]
            if why:
                tip = f"{x[1]}: {sentence(why)}"
            if x[5]:
                tip += " Verified: tested end-to-end by the recipe author."
            pills.append(_pill("hw", i, x[1], i == h, tip, f"{x[3]}×{round(x[4] / x[3])}G", why, ok=bool(x[5])))
        groups.append({"title": brand, "pills": pills})
    row: dict[str, Any] = {"label": "Hardware", "groups": groups}
    c, hw = d["c"][f"{v}.{h}"], d["hw"][h]
    if "g" in c and c["g"][0] == s:
        used = c["g"][1]
        row["note"] = (f"This command runs on {used} of the {hw[3]} GPUs of one {hw[1]}: the weights fit {used}. "
                       f"Run {hw[3] // used} copies behind a load balancer to use them all, "
                       "or pick an expert/data-parallel strategy.")
    return row


def _variant(d: dict[str, Any], v: int, h: int) -> dict[str, Any]:
    x, hw = d["var"][v], d["hw"][h]
    need = math.ceil(x[3] / hw[4]) if hw[4] else 1
    note = (f"{x[1]} needs at least {_gb(x[3])} for weights; one {hw[1]} node has {_gb(hw[4])}"
            + (": fits on one node." if need <= 1 else f": needs {need} nodes (multi-node or prefill/decode)."))
    pills = []
    for i, y in enumerate(d["var"]):
        c = d["c"].get(f"{i}.{h}")
        tip = (sentence(y[4]) + " " if y[4] else "") + f"Minimum {_gb(y[3])} to load; KV cache needs more."
        why = f"No listed hardware can serve {y[1]}" if y[6] < 0 else ""
        if not why and (c is None or "rec" not in c):
            tip += f" Not on {hw[1]}" + (f": {sentence(c['x'])}" if c and "x" in c else ".") + \
                f" Picking it switches to {d['hw'][y[6]][1]}."
        pills.append(_pill("var", i, y[1], i == v, tip, _gb(y[3]), why))
    return {"label": "Variant", "groups": [{"title": "", "pills": pills}], "note": note,
            "desc": sentence(x[4]) + " " if x[4] else "", "ckpt": x[5]}


def _strategy(d: dict[str, Any], c: dict[str, Any], s: int) -> dict[str, Any]:
    groups, off = [], dict(c.get("xs", []))  # switched off here (select.strategy_offers)
    for kind, title in enumerate(KIND_TITLES):
        pills = [_pill("st", x, d["st"][x][1], x == s, "" if x in off else d["st"][x][2], why=off.get(x, ""),
                       rec=x == c["rec"][0])
                 for x in sorted([*c["st"], *off]) if d["st"][x][4] == kind]
        if pills:
            groups.append({"title": title, "pills": pills})
    row = d["st"][s]
    return {"label": "Strategy", "groups": groups, "note": row[2], "badge": ORIENTATION.get(row[3], ""),
            "orientation": row[3]}


def _nodes(d: dict[str, Any], c: dict[str, Any], h: int, s: int, n: int, pool: int, pm: int, dm: int) -> dict[str, Any]:
    hw, kind = d["hw"][h], d["st"][s][4]
    r = c["r"][c["st"].index(s)]
    if kind == 0:
        return {"label": "Nodes", "groups": [], "fixed": f"1 node · {hw[3]} × {hw[1]} GPUs"}
    if kind == 1:
        pills = [_pill("n", k, str(k), k == n, f"{k} nodes × {hw[3]} GPUs = {k * hw[3]} GPUs", f"{k * hw[3]}×GPU")
                 for i, k in enumerate(d["nodes"]) if r[i] >= 0]
        floor = next((why for x, why in c.get("fl", []) if x == s), "")
        return {"label": "Nodes", "groups": [{"title": "", "pills": pills}],
                "note": f"{n} nodes × {hw[3]} GPUs = {n * hw[3]} GPUs; one command per node below." + (f" {floor}" if floor else "")}
    return _pools(d, r, hw, d["pools"][pool], pm, dm)


def _pools(d: dict[str, Any], r: dict[str, Any], hw: list[Any], pair: list[int], pm: int, dm: int) -> dict[str, Any]:
    """The PD Nodes row as the script draws it (assets/command-builder/pools.js `poolsRow`)."""
    m, g, groups = len(d["modes"]), hw[3], []
    for role, (title, a, ma, mode) in enumerate((("Prefill", "pn", "pm", pm), ("Decode", "dn", "dm", dm))):
        parts, size = r["d" if role else "p"], pair[role]
        have = [z for z in range(len(parts) // m) if parts[z * m + mode] != -1]
        dedicated = [z for z in have if z > 0]
        modes = [i for i in range(m) if any(parts[z * m + i] != -1 for z in range(len(parts) // m))]
        pills = [_pill(a, 0, "shared", size == 0, "Prefill and decode share one node, half of its GPUs each")] if 0 in have else []
        groups.append({"title": title, "pills": pills,
                       "input": {"a": a, "value": size or "", "min": dedicated[0] if dedicated else 1,
                                 "max": dedicated[-1] if dedicated else 16, "label": f"{title} node count"},
                       "hint": f"× {g} = {size * g} GPUs" if size else f"½ node = {js_num(g / 2)} GPUs",
                       "more": [_pill(ma, i, d["modes"][i].upper(), i == mode) for i in modes] if len(modes) > 1 else []})
    nodes = pair[0] + pair[1] if pair[0] else 1
    return {"label": "Nodes", "groups": groups,
            "note": f"total {nodes * g if pair[0] else g} GPUs · {nodes} node{'s' if nodes > 1 else ''}, plus the router."}


def _install(d: dict[str, Any], c: dict[str, Any], inst: str, hw_name: str) -> dict[str, Any]:
    b = d["inst"][c["i"]]
    suffix = "" if b["label"] == "CUDA" else f" ({b['label']})"
    pills = [_pill("inst", i, ("pip / uv" if m == "pip" else "Docker") + suffix, m == inst,
                   why="" if m in b else (f"No pip install on {hw_name}" if m == "pip" else "This recipe has no docker install"))
             for i, m in enumerate(("pip", "docker"))]
    groups: list[dict[str, Any]] = [{"title": "", "pills": pills, "copyinst": inst in b}]
    if "cu" in b and b["cu"][0 if inst == "pip" else 1]:
        groups.append({"title": "CUDA", "pills": [_pill("cu", 0, "default (13)", True, "CUDA 13 builds"),
                                                 _pill("cu", 1, "cu129", False, "CUDA 12.9 builds, for hosts whose driver is on 12.9")]})
    steps = []
    if inst in b:
        command, note = b[inst]
        steps.append({"note": f"# {note}" if note else "", "command": command})
    if inst == "pip":
        steps += [{"note": note, "chip": "Optional" if opt else "Also", "command": command}
                  for command, note, opt in b.get("extras", [])]
    return {"label": "Install", "groups": groups, "steps": steps}


def _output(d: dict[str, Any], v: int, h: int, s: int, n: int, shown: list[Shown], inst: str) -> dict[str, Any]:
    hw, var, kind = d["hw"][h], d["var"][v], d["st"][s][4]
    tabs: list[str] = []
    nodes: list[str] = []
    first: Shown = shown[0]
    if kind == 2:  # the node selector of a pool of several nodes is drawn by the script
        tabs = ["Prefill", "Decode", "Router"]
    elif len(shown) > 1:
        tabs = ["Head"] + [f"Node {i}" for i in range(1, len(shown))]
    docker = inst == "docker" and first.docker is not None
    return {
        "summary": (f"{n}× " if kind == 1 else "") + f"{hw[1]} · {d['st'][s][1]} · {var[1]}",
        "verified": f"✓ Verified on {hw[2]} {hw[1]}" if hw[5] else "",
        "warn": (f"Not enough memory for one node: {hw[1]} has {_gb(hw[4])}, this variant needs at least "
                 f"{_gb(var[3])} for weights alone. Pick a multi-node strategy, bigger hardware or a smaller variant.")
        if kind == 0 and var[3] > hw[4] else "",
        "tabs": tabs,
        "nodes": nodes,
        "env": "\n".join(first.env) if not docker else "",
        "command": first.docker if docker else first.command,
        "kind": kind,
    }


def _toggles(d: dict[str, Any], c: dict[str, Any], s: int, mask: int) -> list[dict[str, Any]]:
    """Features (gated ones disabled), a mode row per enabled feature with two or more modes for the
    variant, the active modes' tuning notes under Features, and the Advanced row (the script's
    featuresRow, modeRows and advancedRow)."""
    gates = {g[0]: g for g in d.get("fg", [])}
    feats, notes, nested = [], [], []
    for i, f in enumerate(d["ft"]):
        ex = [d["ft"][b if a == i else a][1] for a, b in d["ex"] if i in (a, b)]
        tip = sentence(f[2]) + (f" Turns off {', '.join(ex)}." if ex else "")
        why = gates[i][2] if i in gates and s in gates[i][1] else ""
        feats.append(_pill("ft", i, f[1], bool(mask >> i & 1), (sentence(why) + " " if why else "") + tip, why=why))
    for k, (i, label, modes) in enumerate(d.get("fm", [])):
        default, effective = c["m"][k][0], c["m"][k][1:]
        if not mask >> i & 1:
            continue
        if default >= 0 and modes[default][3]:
            notes.append(sentence(modes[default][3]))
        shown = [j for j, e in enumerate(effective) if e != -1]
        if len(shown) >= 2:
            whys = {j: "" if effective[j] == j else d["mw"] for j in shown}
            pills = [_pill(f"md{k}", j, modes[j][1], j == default,
                           (sentence(whys[j]) + " " if whys[j] else "") + sentence(modes[j][2]), why=whys[j]) for j in shown]
            nested.append({"label": label, "groups": [{"title": "", "pills": pills}], "cls": "cb-nested"})
    rows: list[dict[str, Any]] = []
    if feats:
        rows.append({"label": "Features", "groups": [{"title": "", "pills": feats}], "note": " ".join(notes)})
    rows += nested
    adv = []
    for k, x in enumerate(d.get("ad", [])):
        off = f"Not used with {d['st'][s][1]}" if s in x[3] else ""
        adv.append(_pill("ad", k, x[1], False, (sentence(off) + " " if off else "") + sentence(x[2]), why=off))
    if adv:
        rows.append({"label": "Advanced", "groups": [{"title": "", "pills": adv}]})
    return rows


def default_view(data: dict[str, Any]) -> dict[str, Any]:
    """Rows and command card for the page's default selection (the API's recommendation)."""
    d = unpack(data)
    v, h = d["def"]
    c = d["c"][f"{v}.{h}"]
    s, n, pool, pm, dm = c["rec"]
    if d["st"][s][4] != 2 and "pd" in c:
        pool, pm, dm = c["pd"]
    inst = "pip" if "pip" in d["inst"][c["i"]] else "docker"
    mask = sum(1 << i for i in c["fd"])
    kv = default_row(d, c, s)  # the KV Offload row, Off (builder.site.command_builder.kv)
    rows = [_hardware(d, v, h, s), _variant(d, v, h), _strategy(d, c, s), *([kv] if kv else []),
            _nodes(d, c, h, s, n, pool, pm, dm)]
    rows += _toggles(d, c, s, mask)
    rows.append(_install(d, c, inst, d["hw"][h][1]))
    shown = State(v, h, s, n, pool, pm, dm, mask).launches(d)  # modes at the pair's defaults
    out = _output(d, v, h, s, n, shown, inst)
    note = d.get("hn", {}).get(str(h))
    out["hwnote"] = {"title": note[0], "body": note[1], "label": note[2] if len(note) > 2 else "",
                     "href": note[3] if len(note) > 2 else ""} if note else None
    out["foot"] = ("Run each tab on its own node; set $HEAD_IP to the head node's address (Env fills it in)." if out["kind"] == 1
                   else "Start the prefill and decode nodes, then the router; fill in the $VARIABLES with Env."
                   if out["kind"] == 2 else "")
    return {"rows": rows, "output": out}

"""The command builder as the server renders it: the recommended selection, before any script runs.

``command-builder.js`` redraws the same markup (``partials/command-builder.html``) from the same
data once it loads, so the page does not jump; readers without JavaScript and crawlers get the
options and the recommended command as plain HTML. Only the default state is rendered here.
"""
from __future__ import annotations

import math
from typing import Any

from builder.site.command_builder.decode import Shown, State, unpack

KIND_TITLES = ("Single node", "Multi-node", "Prefill / decode")
ORIENTATION = {"latency": "Latency oriented", "balanced": "Balanced", "throughput": "Throughput oriented",
               "production": "Production deployment"}
_BRAND_RANK = {"NVIDIA": 0, "AMD": 1}


def _pill(a: str, i: int, text: str, on: bool, tip: str = "", hint: str = "", why: str = "",
          ok: bool = False, rec: bool = False) -> dict[str, Any]:
    return {"a": a, "i": i, "text": text, "on": on, "tip": tip, "hint": hint, "why": why, "ok": ok, "rec": rec}


def _gb(x: float) -> str:
    return f"{round(x)} GB"


def _hardware(d: dict[str, Any], v: int, h: int) -> dict[str, Any]:
    brands = sorted(dict.fromkeys(x[2] for x in d["hw"]), key=lambda b: (_BRAND_RANK.get(b, 2), b))
    groups = []
    for brand in brands:
        pills = []
        for i, x in enumerate(d["hw"]):
            if x[2] != brand:
                continue
            c = d["c"].get(f"{v}.{i}")
            why = "Not offered for " + d["var"][v][1] if c is None else c.get("x", "")
            tip = f"{x[1]}: {why}" if why else x[6]
            if c is not None and "sub" in c:
                tip += f" — serves {d['var'][c['sub']][1]} here: {d['var'][v][1]} does not fit this node."
            if x[5]:
                tip += " · Verified: tested end-to-end by the recipe author."
            pills.append(_pill("hw", i, x[1], i == h, tip, f"{x[3]}×{round(x[4] / x[3])}G", why, ok=bool(x[5])))
        groups.append({"title": brand, "pills": pills})
    return {"label": "Hardware", "groups": groups}


def _variant(d: dict[str, Any], v: int, h: int) -> dict[str, Any]:
    x, hw = d["var"][v], d["hw"][h]
    need = math.ceil(x[3] / hw[4]) if hw[4] else 1
    note = (f"{x[1]} needs at least {_gb(x[3])} for weights; one {hw[1]} node has {_gb(hw[4])}"
            + (": fits on one node." if need <= 1 else f": needs {need} nodes (multi-node or prefill/decode)."))
    pills = []
    for i, y in enumerate(d["var"]):
        c = d["c"].get(f"{i}.{h}")
        tip = f"{y[4]} Minimum {_gb(y[3])} to load; KV cache needs more."
        why = f"No listed hardware can serve {y[1]}" if y[6] < 0 else ""
        if not why and (c is None or "rec" not in c):
            tip += f" Not on {hw[1]}" + (f": {c['x']}" if c and "x" in c else "") + f" — picking it switches to {d['hw'][y[6]][1]}."
        pills.append(_pill("var", i, y[1], i == v, tip, _gb(y[3]), why))
    return {"label": "Variant", "groups": [{"title": "", "pills": pills}], "note": note}


def _strategy(d: dict[str, Any], c: dict[str, Any], s: int) -> dict[str, Any]:
    groups = []
    for kind, title in enumerate(KIND_TITLES):
        pills = [_pill("st", x, d["st"][x][1], x == s, d["st"][x][2], rec=x == c["rec"][0])
                 for x in c["st"] if d["st"][x][4] == kind]
        if pills:
            groups.append({"title": title, "pills": pills})
    row = d["st"][s]
    return {"label": "Strategy", "groups": groups, "note": row[2], "badge": ORIENTATION.get(row[3], ""),
            "orientation": row[3]}


def _nodes(d: dict[str, Any], c: dict[str, Any], h: int, s: int, n: int, pool: int, pm: int, dm: int) -> dict[str, Any]:
    hw, kind = d["hw"][h], d["st"][s][4]
    if kind == 0:
        return {"label": "Nodes", "groups": [], "fixed": f"1 node · {hw[3]} × {hw[1]} GPUs"}
    if kind == 1:
        r = c["r"][c["st"].index(s)]
        pills = [_pill("n", k, str(k), k == n, f"{k} nodes × {hw[3]} GPUs") for i, k in enumerate(d["nodes"]) if r[i] >= 0]
        return {"label": "Nodes", "groups": [{"title": "", "pills": pills}],
                "note": f"{n} nodes × {hw[3]} GPUs = {n * hw[3]} GPUs; one command per node below."}
    pair, modes = d["pools"][pool], d["modes"]
    groups = []
    for role, (title, a, ma, mode) in enumerate((("Prefill", "pn", "pm", pm), ("Decode", "dn", "dm", dm))):
        sizes = sorted({p[role] for p in d["pools"]})
        pills = [_pill(a, z, str(z) if z else "shared", z == pair[role],
                       f"{z} node(s) × {hw[3]} GPUs" if z else "Prefill and decode share one node, half of its GPUs each")
                 for z in sizes]
        mode_pills = [_pill(ma, i, x.upper(), i == mode) for i, x in enumerate(modes)] if len(modes) > 1 else []
        groups.append({"title": title, "pills": pills, "more": mode_pills})
    total = pair[0] + pair[1] if pair[0] else 1
    return {"label": "Nodes", "groups": groups, "note": f"Total {total * hw[3]} GPUs on {total} node(s), plus the router."}


def _install(d: dict[str, Any], inst: str) -> dict[str, Any]:
    pills = [_pill("inst", i, "pip / uv" if m == "pip" else "Docker", m == inst,
                   why="" if m in d["inst"] else f"This recipe has no {m} install") for i, m in enumerate(("pip", "docker"))]
    steps = []
    if inst in d["inst"]:
        command, note = d["inst"][inst]
        steps.append({"note": f"# {note}" if note else "", "command": command})
    if inst == "pip":
        steps += [{"note": ("Optional: " if opt else "Also: ") + note, "command": command}
                  for command, note, opt in d["inst"].get("extras", [])]
    return {"label": "Install", "groups": [{"title": "", "pills": pills}], "steps": steps}


def _output(d: dict[str, Any], v: int, h: int, s: int, n: int, shown: list[Shown], inst: str) -> dict[str, Any]:
    hw, var, kind = d["hw"][h], d["var"][v], d["st"][s][4]
    tabs: list[str] = []
    nodes: list[str] = []
    first: Shown = shown[0]
    if kind == 2:
        tabs = ["Prefill", "Decode", "Router"]
        pool = [x for x in shown if x.role == "prefill"]
        if len(pool) > 1:
            nodes = ["Node 1 (head)"] + [f"Node {i + 1}" for i in range(1, len(pool))]
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


def default_view(data: dict[str, Any]) -> dict[str, Any]:
    """Rows and command card for the page's default selection (the API's recommendation)."""
    d = unpack(data)
    v, h = d["def"]
    c = d["c"][f"{v}.{h}"]
    s, n, pool, pm, dm = c["rec"]
    if d["st"][s][4] != 2 and "pd" in c:
        pool, pm, dm = c["pd"]
    inst = "pip" if "pip" in d["inst"] else "docker"
    mask = c["fd"]
    feats = [_pill("ft", i, f[1], bool(mask >> i & 1), f[2]) for i, f in enumerate(d["ft"])]
    rows = [_hardware(d, v, h), _variant(d, v, h), _strategy(d, c, s), _nodes(d, c, h, s, n, pool, pm, dm)]
    if feats:
        rows.append({"label": "Features", "groups": [{"title": "", "pills": feats}]})
    rows.append(_install(d, inst))
    shown = State(v, h, s, n, pool, pm, dm, mask).launches(d)
    return {"rows": rows, "output": _output(d, v, h, s, n, shown, inst)}

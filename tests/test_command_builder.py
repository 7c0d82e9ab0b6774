"""The command builder's data: every selection a page offers shows exactly what ``deploy`` returns.

The recipes below are small but cover what the data has to get right: variants that need
Blackwell or do not fit a workstation, hardware overrides, env, docker forms, multi-node tabs,
prefill/decode pools, a feature that moves a base flag, two features that set the same flag, and an
opt-in feature. Each test checks what a reader sees (commands, env lines, docker form) against
``deploy`` for the same selection — through the Python decoder and through the page's own script
run under node.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from factory import HW, STRATEGIES, recipe, write_recipes

from builder.api import build_api_tree
from builder.check import load_catalog
from builder.site import command_builder
from builder.site.command_builder.data import env_lines
from builder.site.command_builder.decode import Decoder, Shown, State, offered_states, unpack
from builder.site.command_builder.space import run
from builder.synth import lws

REPO = Path(__file__).resolve().parents[1]
SCRIPTS = REPO / "site_src" / "assets" / "command-builder"

HARDWARE = {k: HW[k] for k in ("h200", "b200", "gb200", "mi300x", "station")}
BIG = recipe(
    meta={"title": "Big MoE", "provider": "Acme", "description": "A big mixture of experts", "date_updated": "2026-01-02",
          "tasks": ["text"], "hardware": {"b200": "verified", "station": None}},
    model={"model_id": "acme/Big-MoE", "base_args": ["--kv-cache-dtype", "fp8_e4m3", "--mm-encoder-tp-mode", "weights"],
           "base_env": {}, "docker_image": {"nvidia": "vllm/vllm-openai:v1", "amd": "vllm/vllm-openai-rocm:v1"}},
    features={
        "tools": {"description": "Tool calls", "args": ["--tool-call-parser", "acme", "--enable-auto-tool-choice"]},
        "encoder_dp": {"description": "Encoder data parallel", "args": ["--mm-encoder-tp-mode", "data"]},
        "spec": {"description": "MTP", "args": ["--speculative-config", '{"method":"mtp","num_speculative_tokens":3}']},
    },
    opt_in_features=["spec"],
    hardware_opt_in_features={"gb200": ["encoder_dp"]},
    variants={
        "default": {"model_id": "acme/Big-MoE-FP8", "precision": "fp8", "vram_minimum_gb": 900},
        "nvfp4": {"model_id": "acme/Big-MoE-NVFP4", "precision": "nvfp4", "vram_minimum_gb": 500,
                  "extra_env": {"VLLM_USE_FLASHINFER_MOE_FP4": "1"}},
        "int4": {"precision": "int4", "vram_minimum_gb": 200, "extra_args": ["--quantization", "awq"]},
    },
    compatible_strategies=["single_node_tp", "multi_node_tp", "multi_node_dep", "pd_cluster"],
    hardware_overrides={"hopper": {"extra_args": ["--kv-cache-dtype", "fp8"]},
                        "amd": {"extra_env": {"VLLM_ROCM_USE_AITER": "1"}}},
)
SMALL = recipe(
    meta={"title": "Small", "provider": "Acme", "description": "A small dense model", "date_updated": "2026-01-02",
          "tasks": ["text"]},
    model={"model_id": "acme/Small", "base_args": [], "base_env": {"HF_HUB_OFFLINE": "0"}},
    features={"short": {"description": "Short context", "args": ["--max-model-len", "8192"]},
              "long": {"description": "Long context", "args": ["--max-model-len", "131072"]},
              "cache": {"description": "Prefix caching", "args": ["--enable-prefix-caching"]}},
    variants={"default": {"precision": "bf16", "vram_minimum_gb": 16}},
    compatible_strategies=["single_node_tp", "multi_node_tp"],
)
OMNI = recipe(
    meta={"title": "Omni", "provider": "Acme", "description": "Speaks", "date_updated": "2026-01-02", "tasks": ["omni"]},
    model={"model_id": "acme/Omni", "base_args": [], "base_env": {}},
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = write_recipes(tmp_path_factory.mktemp("recipes"),
                         {"acme/Big-MoE": BIG, "acme/Small": SMALL, "acme/Omni": OMNI}, HARDWARE, STRATEGIES)
    catalog = load_catalog(root)
    api = build_api_tree(catalog)
    texts = command_builder.all_builder_json(catalog, api.documents)
    return {"catalog": catalog, "api": api, "texts": texts,
            "data": {k: unpack(json.loads(v)) for k, v in texts.items() if v is not None}}


def expected(site: dict[str, Any], hf_id: str, state: State) -> list[Shown]:
    """What the page must show: ``deploy`` for the state's selection."""
    catalog = site["catalog"]
    d = run(catalog, catalog.entry(hf_id), state.selection(site["data"][hf_id]))
    return [Shown(l.role, l.rank, tuple(env_lines(l.env)), l.command, l.docker_command) for l in d.launches]


def test_every_offered_selection_shows_what_deploy_returns(site: dict[str, Any]) -> None:
    checked = 0
    for hf_id, d in site["data"].items():
        for state in offered_states(d):
            assert state.launches(d) == expected(site, hf_id, state), (hf_id, state.selection(d))
            checked += 1
    # 2 strategies × up to 8 node counts × 8 subsets (Small) plus four strategies on 11 pairs (Big).
    assert checked > 5000


def test_pages_offer_the_expected_choices(site: dict[str, Any]) -> None:
    d = site["data"]["acme/Big-MoE"]
    hw = [x[0] for x in d["hw"]]
    assert hw == ["h200", "b200", "gb200", "mi300x", "station"]  # taxonomy order
    nvfp4, h200 = [x[0] for x in d["var"]].index("nvfp4"), hw.index("h200")
    assert "Blackwell" in d["c"][f"{nvfp4}.{h200}"]["x"]
    # The workstation cannot hold FP8 (900 GB > 252 GB): it serves the int4 variant instead.
    assert d["c"][f"0.{hw.index('station')}"] == {"sub": [x[0] for x in d["var"]].index("int4")}
    strategies = [d["st"][s][0] for s in d["c"][f"0.{h200}"]["st"]]
    assert strategies == ["single_node_tp", "multi_node_tp", "multi_node_dep", "pd_cluster"]
    assert d["modes"] == ["tp", "dep"]
    # Defaults: spec is opt-in everywhere, encoder_dp on GB200 only.
    assert d["c"][f"0.{h200}"]["fd"] == [0, 1] and d["c"][f"0.{hw.index('gb200')}"]["fd"] == [0]
    assert "acme/Omni" not in site["data"] and site["texts"]["acme/Omni"] is None
    # Two features that set the same flag exclude each other; so do encoder-off and encoder options.
    assert d["ex"] == [[0, 1]] or d["ex"] == []  # tools/encoder_dp/spec: encoder_dp alone sets its flag


def test_a_feature_that_repeats_a_base_flag_moves_it(site: dict[str, Any]) -> None:
    d = site["data"]["acme/Big-MoE"]
    on = State(0, 0, d["c"]["0.0"]["rec"][0], 2, f=0b010).launches(d)[0].command
    off = State(0, 0, d["c"]["0.0"]["rec"][0], 2, f=0).launches(d)[0].command
    assert "--mm-encoder-tp-mode weights" in off and "weights" not in on
    assert on.endswith("--mm-encoder-tp-mode data")


def test_the_no_javascript_command_is_the_api_recommendation(site: dict[str, Any]) -> None:
    catalog, api = site["catalog"], site["api"]
    for hf_id in ("acme/Big-MoE", "acme/Small"):
        ctx = command_builder.page_context(catalog, catalog.entry(hf_id), api.documents)
        rec = json.loads(api.files[f"{hf_id}.json"])["recommended_command"]
        want = rec.get("command") or rec.get("head_command") or rec["prefill"]["command"]
        assert ctx["command"] == want
        assert ctx["view"]["output"]["command"] == want
        assert "<" not in ctx["data"].replace("&lt;", "")
    omni = command_builder.page_context(catalog, catalog.entry("acme/Omni"), api.documents)
    # Omni recipes get no selection data but an explanation block with the exact serve command.
    assert omni is not None and omni["data"] is None
    assert [t["command"] for t in omni["omni"]] == ["vllm serve acme/Omni \\\n  --omni"]


def test_data_is_deterministic(site: dict[str, Any]) -> None:
    """Forked workers take the largest recipes first; the result is keyed in catalog order and
    equals a one-process build."""
    catalog, api = site["catalog"], site["api"]
    again = {e.hf_id: command_builder.builder_json(catalog, e, api.documents) for e in catalog.recipes}
    assert again == site["texts"] and list(site["texts"]) == list(again)


# ---- the page script itself, run under node ------------------------------------------------

HARNESS = r"""
import fs from "fs";
import { load, launches, combo } from "./data.js";
import { fromUrl, toUrl } from "./state.js";
import { modeDefaults } from "./modes.js";
import { manifest } from "./files.js";
const [dataFile, statesFile] = process.argv.slice(2);
const loc = { pathname: "/acme/x/", search: "", hash: "" };
globalThis.location = loc;
const d = load(fs.readFileSync(dataFile, "utf8"));
const out = JSON.parse(fs.readFileSync(statesFile, "utf8")).map(s => {
  const f = d.ft.map((_, i) => (BigInt(s.f) >> BigInt(i)) & 1n ? 1 : 0);
  const m = s.m.length ? s.m : modeDefaults(d, combo(d, s.v, s.h));
  const a = (d.ad || []).map((_, k) => (s.a >> k) & 1);
  const st = Object.assign({ inst: "pip", cu: 0, tab: 0, node: 0 }, s, { f: f, m: m, a: a });
  const url = toUrl(d, st);
  loc.search = url.includes("?") ? url.slice(url.indexOf("?")) : "";
  const back = fromUrl(d, loc.search);
  loc.search = "";
  back.f = back.f.reduce((m, x, i) => x ? m + (1n << BigInt(i)) : m, 0n).toString();
  back.a = back.a.reduce((m, x, k) => m + (x << k), 0);
  back.mm = back.m; back.m = m;
  const ls = launches(d, st);
  const files = s.f === "0" || s.files ? ls.map(l => [manifest(d, st, ls, l, 0), manifest(d, st, ls, l, 1)]) : null;
  return { launches: ls.map(l => ({ role: l.role, rank: l.rank, env: l.env, command: l.command, docker: l.docker })),
           url: url, back: back, files: files };
});
process.stdout.write(JSON.stringify(out));
"""


def _node(tmp_path: Path, text: str, states: list[State]) -> list[dict[str, Any]]:
    """Run the page's own modules under node (copied beside a package.json that marks them ESM)."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the page script's decoder is checked in the browser test only")
    for src in SCRIPTS.glob("*.js"):
        shutil.copy(src, tmp_path / src.name)
    (tmp_path / "package.json").write_text('{"type": "module"}')
    (tmp_path / "harness.js").write_text(HARNESS)
    (tmp_path / "data.json").write_text(text)
    (tmp_path / "states.json").write_text(json.dumps([{**s.__dict__, "f": str(s.f), "files": i % 16 == 0}
                                                      for i, s in enumerate(states)]))
    done = subprocess.run([node, str(tmp_path / "harness.js"), str(tmp_path / "data.json"),
                           str(tmp_path / "states.json")], capture_output=True, text=True, check=True, timeout=300)
    return json.loads(done.stdout)


def _first_kind(manifest: str) -> str:
    found = re.search(r"^kind: (\S+)$", manifest, re.M)
    assert found is not None, manifest
    return found.group(1)


def checked_states(d: dict[str, Any]) -> list[State]:
    """Every offered state with pools of 0–3 nodes, and the 16-node pools (33 launches each, the
    slowest to deploy) with no feature and with every feature on: each piece of a 16-node pool is
    shown with both, and tests/test_builder_strategies.py checks all 257 pool sizes."""
    small = list(offered_states(d, pools=(0, 1, 2, 3)))
    every = (1 << len(d["ft"])) - 1
    large = [x for x in offered_states(d, masks=(0, every), pools=(1, 16)) if 16 in d["pools"][x.pool]]
    return small + large


@pytest.mark.parametrize("hf_id", ["acme/Big-MoE", "acme/Small"])
def test_page_script_shows_deploy_and_round_trips_the_url(site: dict[str, Any], tmp_path: Path, hf_id: str) -> None:
    d = site["data"][hf_id]
    states = checked_states(d)
    results = _node(tmp_path, site["texts"][hf_id], states)
    for state, got in zip(states, results, strict=True):
        want = expected(site, hf_id, state)
        assert [Shown(x["role"], x["rank"], tuple(x["env"]), x["command"], x["docker"]) for x in got["launches"]] == want
        back = got["back"]
        kind = d["st"][state.s][4]
        assert (back["v"], back["h"], back["s"], int(back["f"])) == (state.v, state.h, state.s, state.f), got["url"]
        if kind == 1:
            assert back["n"] == state.n, got["url"]
        if kind == 2:
            assert (back["pool"], back["pm"], back["dm"]) == (state.pool, state.pm, state.dm), got["url"]
    assert len(results) == len(states) > 100
    # The "as a file" view: for every launch tab, the page's compose and Kubernetes files are
    # builder.synth.lws.files' (tests/test_manifests.py checks those against the argv of each node).
    catalog, files, kinds = site["catalog"], 0, set()
    for state, got in zip(states, results, strict=True):
        if got["files"] is None:  # without features, and every 16th state (files only take the tokens)
            continue
        # Files are precomputed per pool size up to four nodes (files.py); larger pools offer none.
        big = {role for role, size in zip(("prefill", "decode"), d["pools"][state.pool], strict=True) if size > 4} \
            if d["st"][state.s][4] == 2 else set()
        dep = run(catalog, catalog.entry(hf_id), state.selection(d))
        profile = catalog.profile(dep.selection.hardware)
        for launch, shown in zip(dep.launches, got["files"], strict=True):
            if launch.role in big:
                assert shown == [None, None], (state, launch.role)
                continue
            assert shown == list(lws.files(dep, launch, profile)), (state, launch.role, launch.rank)
            files += sum(x is not None for x in shown)
            # The first document's kind (a top-level `kind:` line; parsing thousands of files
            # with PyYAML took most of this test's time).
            kinds |= {_first_kind(x) for x in shown[1:] if x is not None}
    assert files > 10
    if hf_id == "acme/Big-MoE":
        assert kinds == {"Deployment", "LeaderWorkerSet"}


def test_urls_name_what_differs_from_the_default(site: dict[str, Any], tmp_path: Path) -> None:
    d = site["data"]["acme/Big-MoE"]
    hw, var, st = [x[0] for x in d["hw"]], [x[0] for x in d["var"]], [x[0] for x in d["st"]]
    v0, h0 = d["def"]
    default = State(v0, h0, d["c"][f"{v0}.{h0}"]["rec"][0], f=sum(1 << i for i in d["c"][f"{v0}.{h0}"]["fd"]))
    dep = State(var.index("nvfp4"), hw.index("b200"), st.index("multi_node_dep"), 4, f=0b001)
    urls = [r["url"] for r in _node(tmp_path, site["texts"]["acme/Big-MoE"], [default, dep])]
    assert urls[0] == "/acme/x/"
    assert urls[1] == "/acme/x/?variant=nvfp4&hardware=b200&strategy=multi_node_dep&nodes=4&features=tools"


@pytest.mark.reference
@pytest.mark.parametrize("hf_id", ["zai-org/GLM-5.2", "zai-org/GLM-4.5V"])
def test_reference_recipes_every_selection(shared_reference: Path, hf_id: str) -> None:
    """Real recipes, every selection and feature subset (GLM-4.5V repeats a base flag in a feature)."""
    catalog = load_catalog(shared_reference / "recipes")
    entry = catalog.entry(hf_id)
    d = unpack(json.loads(command_builder.builder_json(catalog, entry, {}) or "null"))
    dec, checked = Decoder(d), 0
    for state in checked_states(d):
        want = [Shown(l.role, l.rank, tuple(env_lines(l.env)), l.command, l.docker_command)
                for l in run(catalog, entry, state.selection(d)).launches]
        assert state.launches(d, dec) == want, state.selection(d)
        checked += 1
    assert checked > 5000


def test_a_pairs_deployments_are_made_once_and_refusals_stay_refusals(site: dict[str, Any], monkeypatch: Any) -> None:
    """`Deployments` (one per variant × hardware pair) hands back the same deployment for the same
    selection, reads it as bash would once, and raises a refused selection's reason every time."""
    from builder.site.command_builder import space
    from builder.synth import Selection, SynthesisError

    catalog = site["catalog"]
    entry = catalog.entry("acme/Big-MoE")
    made, read = [], []
    real_deploy, real_read = space.deploy, space.ensure_safe
    monkeypatch.setattr(space, "deploy", lambda *a: made.append(a[2]) or real_deploy(*a))
    monkeypatch.setattr(space, "ensure_safe", lambda c, e, dep: read.append(dep.selection) or real_read(c, e, dep))
    runs = space.Deployments(catalog, entry)
    sel = Selection("default", "h200", "multi_node_tp", 2)
    first = runs(sel, read=False)
    assert runs(sel) is first and runs(sel) is first and runs.maybe(sel) is first
    assert made == [sel] and read == [sel]
    refused = Selection("default", "h200", "multi_node_tp", 1)  # multi-node on one node
    for _ in range(2):
        with pytest.raises(SynthesisError, match="multi-node"):
            runs(refused)
    assert runs.maybe(refused) is None and made == [sel, refused]


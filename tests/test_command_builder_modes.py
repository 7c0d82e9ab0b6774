"""Feature modes, strategy-gated features and Advanced options: the synthesis rules behind them and
the command-builder data that carries them (every offered state equals ``deploy``, through the
Python decoder and the page's own script under node)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from factory import HW, STRATEGIES, write_recipes
from made_recipes import MODES
from test_command_builder import _node

from builder.check import load_catalog
from builder.site import command_builder
from builder.site.command_builder.data import CompositionError, Tables, check, env_lines
from builder.site.command_builder.decode import Shown, offered_states, unpack
from builder.site.command_builder.features import FeatureCache, encode_selection
from builder.site.command_builder.modes import toggles
from builder.site.command_builder.space import run
from builder.synth import Selection, SynthesisError, deploy
from builder.synth.select import default_mode, feature_refusal, mode_choices

REPO = Path(__file__).resolve().parents[1]
HF = "acme/Modes"


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = write_recipes(tmp_path_factory.mktemp("modes"), {HF: MODES}, HW, STRATEGIES)
    catalog = load_catalog(root)
    text = command_builder.builder_json(catalog, catalog.entry(HF), {})
    assert text is not None
    return {"catalog": catalog, "text": text, "data": unpack(json.loads(text))}


def shown(catalog: Any, sel: Selection) -> list[Shown]:
    return [Shown(x.role, x.rank, tuple(env_lines(x.env)), x.command, x.docker_command)
            for x in run(catalog, catalog.entry(HF), sel).launches]


def test_select_answers_which_mode_runs_and_why_not(made: dict[str, Any]) -> None:
    catalog = made["catalog"]
    recipe, amd, hopper = catalog.entry(HF).recipe, catalog.profile("mi300x"), catalog.profile("h200")
    on_h200 = mode_choices(recipe, "spec_decoding", "default", "h200", hopper)
    assert [(c.name, c.reason, c.effective) for c in on_h200] == [("mtp", None, "mtp"), ("eagle", None, "eagle")]
    on_amd = {c.name: c for c in mode_choices(recipe, "spec_decoding", "fp8", "mi300x", amd)}
    assert on_amd["eagle"].reason == "Not supported on this hardware"
    assert on_amd["eagle"].effective == "dspark", "refused: the variant's default_modes runs instead"
    assert default_mode(recipe, "spec_decoding", "fp8", "h200", hopper) == "dspark"
    assert default_mode(recipe, "spec_decoding", "default", "h200", hopper) == "mtp"
    assert feature_refusal(recipe, "context_parallel", "single_node_tep") == "Not available with this strategy"
    assert feature_refusal(recipe, "context_parallel", "single_node_tp") is None


def test_advanced_arguments_come_before_the_features(made: dict[str, Any]) -> None:
    catalog = made["catalog"]
    recipe = catalog.entry(HF).recipe
    sel = Selection("default", "b200", "single_node_tp", features=("tools",), advanced=("max_num_seqs_256", "max_batched_8k"))
    argv = list(deploy(catalog, recipe, sel).launches[0].argv)
    # Preset order, after the base flag they replace, before the features' flags.
    assert argv[3:] == ["--tensor-parallel-size", "8", "--max-num-batched-tokens", "8192", "--max-num-seqs", "256",
                        "--tool-call-parser", "acme"]
    tep = deploy(catalog, recipe, Selection("default", "b200", "single_node_tep", advanced=("ep_weight_filter",)))
    tp = deploy(catalog, recipe, Selection("default", "b200", "single_node_tp", advanced=("ep_weight_filter",)))
    assert "--enable-ep-weight-filter" in tep.launches[0].argv and "--enable-ep-weight-filter" not in tp.launches[0].argv
    with pytest.raises(SynthesisError, match="not offered"):
        deploy(catalog, recipe, Selection("default", "b200", "single_node_tp", advanced=("dcp_8",)))


def test_page_data_lays_out_modes_gates_and_advanced_options(made: dict[str, Any]) -> None:
    d = made["data"]
    hw, var = [x[0] for x in d["hw"]], [x[0] for x in d["var"]]
    assert [x[0] for x in d["ft"]] == ["tools", "spec_decoding", "context_parallel"]
    assert d["fm"][0][:2] == [1, "Spec method"] and [m[0] for m in d["fm"][0][2]] == ["mtp", "eagle", "dspark"]
    assert d["fm"][0][2][0][3] == "Two draft tokens suit chat traffic"
    bf16_h200 = d["c"][f"{var.index('default')}.{hw.index('h200')}"]
    fp8_amd = d["c"][f"{var.index('fp8')}.{hw.index('mi300x')}"]
    assert bf16_h200["m"] == [[0, 0, 1, -1]], "DSpark is the FP8 checkpoint's: no pill for BF16"
    assert fp8_amd["m"] == [[2, 0, 2, 2]], "EAGLE3 is refused on AMD: choosing it runs DSpark"
    assert 1 in fp8_amd["fd"], "default_modes turns the feature on"
    tep = [x[0] for x in d["st"]].index("single_node_tep")
    assert d["fg"] == [[2, [k for k, x in enumerate(d["st"]) if x[0] != "single_node_tp"], "Not available with this strategy"]]
    assert tep in d["fg"][0][1] and d["mw"] == "Not supported on this hardware"
    ep = next(x for x in d["ad"] if x[0] == "ep_weight_filter")
    assert tep not in ep[3] and [x[0] for x in d["st"]].index("single_node_tp") in ep[3]


def test_every_offered_state_shows_what_deploy_returns(made: dict[str, Any]) -> None:
    d, catalog, checked = made["data"], made["catalog"], 0
    modes_seen, adv_seen = set(), 0
    for state in offered_states(d):
        sel = state.selection(d)
        assert state.launches(d) == shown(catalog, sel), sel
        modes_seen |= set(sel.modes)
        adv_seen += bool(sel.advanced)
        checked += 1
    assert {m for _, m in modes_seen} == {"mtp", "eagle", "dspark"} and adv_seen > 50 and checked > 500


def test_page_script_shows_deploy_for_every_mode_and_round_trips_the_url(made: dict[str, Any], tmp_path: Path) -> None:
    d = made["data"]
    states = [s for s in offered_states(d) if s.m or s.a or s.f & 0b010]
    results = _node(tmp_path, made["text"], states)
    for state, got in zip(states, results, strict=True):
        assert [Shown(x["role"], x["rank"], tuple(x["env"]), x["command"], x["docker"]) for x in got["launches"]] == \
            shown(made["catalog"], state.selection(d)), got["url"]
        back = got["back"]
        assert (back["v"], back["h"], back["s"], int(back["f"]), back["a"]) == (state.v, state.h, state.s, state.f, state.a)
        if state.f & 0b010:  # the mode of an enabled modal feature survives the URL
            assert back["mm"][1] == back["m"][1], got["url"]
    assert any("fmode=spec_decoding:eagle" in r["url"] for r in results)
    assert not any("fmode=spec_decoding:dspark" in r["url"] and "variant=fp8" in r["url"] for r in results)


def test_composition_is_checked_against_deploy(made: dict[str, Any]) -> None:
    catalog = made["catalog"]
    entry = catalog.entry(HF)
    features = ("tools", "spec_decoding", "context_parallel")
    tables, sel = Tables(), Selection("default", "h200", "single_node_tp")
    cache = FeatureCache(toggles(catalog, entry, features, ("max_batched_8k", "gpu_mem_095"), "default", "h200"))
    rid = encode_selection(tables, catalog, entry, sel, features, cache)[0]
    with_eagle = run(catalog, entry, Selection("default", "h200", "single_node_tp", features=("spec_decoding",),
                                               modes=(("spec_decoding", "eagle"),)))
    check(tables, rid, 0b010, with_eagle.launches, (-1, 1, -1))
    with pytest.raises(CompositionError):
        check(tables, rid, 0b010, with_eagle.launches, (-1, 0, -1))  # the MTP piece is not EAGLE3's
    with pytest.raises(CompositionError):
        check(tables, rid, 0b010, with_eagle.launches, (-1, 1, -1), adv=0b01)


@pytest.mark.parametrize("hf_id", ["deepseek-ai/DeepSeek-V3.2", "deepseek-ai/DeepSeek-V4-Flash"])
def test_deepseek_pages_offer_advanced_options(hf_id: str) -> None:
    """Their interacting flags once made the builder drop the Advanced row (subset-by-subset cap)."""
    catalog = load_catalog(REPO / "recipes")
    d = unpack(json.loads(command_builder.builder_json(catalog, catalog.entry(hf_id), {}) or "null"))
    assert [x[0] for x in d["ad"]][:4] == ["max_batched_8k", "max_num_seqs_256", "gpu_mem_095", "max_model_len_auto"]
    dec_states = list(offered_states(d, masks=[0, (1 << len(d["ft"])) - 1]))
    for state in dec_states[:: max(1, len(dec_states) // 400)]:
        want = [Shown(x.role, x.rank, tuple(env_lines(x.env)), x.command, x.docker_command)
                for x in run(catalog, catalog.entry(hf_id), state.selection(d)).launches]
        assert state.launches(d) == want, state.selection(d)


def test_catalog_minimax_mxfp8_defaults_to_the_gqa_head() -> None:
    """Our catalog shows `default_modes`, tuning notes and a gated feature on real recipes."""
    from builder.synth import recommend

    catalog = load_catalog(REPO / "recipes")
    minimax, kimi = catalog.entry("MiniMaxAI/MiniMax-M3"), catalog.entry("moonshotai/Kimi-K3")
    rec = recommend(catalog, minimax, "mxfp8", "b200")
    assert rec is not None and "spec_decoding" in rec.features
    assert '"Inferact/MiniMax-M3-EAGLE3-GQA"' in deploy(catalog, minimax.recipe, rec).launches[0].argv[-1]
    default = recommend(catalog, minimax, "default", "h200")
    assert default is not None and "spec_decoding" not in default.features
    assert all(m.note for m in minimax.recipe.features["spec_decoding"].modes.values())  # type: ignore[union-attr]
    assert feature_refusal(kimi.recipe, "spec_decoding", "multi_node_tp_pp") == "Not available with this strategy"

"""The `recipes` subcommands as users run them: `python -m builder …` on tiny recipe folders."""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from factory import recipe, write_recipes

from builder.api import build_api
from builder.check import load_catalog
from builder.cli.new_cmd import EXAMPLE_KEYS, EXAMPLES, hf_id_argument, scaffold
from builder.cli.site_cmd import REPO_CONFIG, plugin_override
from builder.load.yamlload import load_yaml
from builder.models import Recipe
from builder.models.schema import recipe_json_schema, recipe_keys

VARIANTS = {
    "default": {"model_id": "ex/m-FP8", "precision": "fp8", "vram_minimum_gb": 700},
    "nvfp4": {"model_id": "vendor/m-NVFP4", "precision": "nvfp4", "vram_minimum_gb": 400, "extra_env": {"FP4": "1"}},
    "bf16": {"precision": "bf16", "vram_minimum_gb": 1400},
}
FEATURES = {
    "tool_calling": {"args": ["--enable-auto-tool-choice", "--tool-call-parser", "hermes"]},
    "mtp": {"args": ["--speculative-config.method", "mtp"]},
}
STRATEGIES = ["single_node_tp", "multi_node_tp", "multi_node_dep", "pd_cluster"]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "builder", *args], capture_output=True, text=True, cwd=cwd)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    big = recipe(variants={"default": {"precision": "bf16", "vram_minimum_gb": 300},
                           "small": {"precision": "fp8", "vram_minimum_gb": 150, "model_id": "ex/big-FP8"}},
                 meta={**recipe()["meta"], "hardware": {"station": "verified"}})
    omni = recipe(meta={**recipe()["meta"], "tasks": ["omni"]}, compatible_strategies=[])
    return write_recipes(tmp_path_factory.mktemp("cli") / "recipes", {
        "ex/m": recipe(variants=VARIANTS, features=FEATURES, opt_in_features=["mtp"], compatible_strategies=STRATEGIES),
        "ex/big": big, "ex/omni": omni,
    })


def command(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return run("command", *args, "--recipes", str(folder))


# -- command -----------------------------------------------------------------------------------

def test_command_defaults_to_the_apis_recommended_command(folder):
    api = json.loads(build_api(load_catalog(folder))["ex/m.json"])
    result = command(folder, "ex/m")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# ex/m · variant default · h200 · single_node_tp · 1 node · features: tool_calling\n")
    assert result.stdout.endswith("\n" + api["recommended_command"]["command"] + "\n")


def test_command_for_a_variant_on_a_hardware(folder):
    result = command(folder, "ex/m", "--hardware", "b200", "--variant", "nvfp4")
    assert result.returncode == 0, result.stderr
    body = result.stdout.split("\n\n", 1)[1]
    assert body.startswith("export FP4=1\nvllm serve vendor/m-NVFP4 \\\n  --tensor-parallel-size 8")


def test_a_variant_checkpoint_id_resolves_to_its_parent_recipe(folder):
    result = command(folder, "vendor/m-NVFP4")
    assert result.returncode == 0, result.stderr
    assert "variant nvfp4 · b200" in result.stdout and "vllm serve vendor/m-NVFP4" in result.stdout
    assert "note: vendor/m-NVFP4 is variant nvfp4 of ex/m" in result.stderr
    clash = command(folder, "vendor/m-NVFP4", "--variant", "bf16")
    assert clash.returncode == 1 and "drop --variant" in clash.stderr


@pytest.mark.parametrize("args, message", [
    (["ex/m", "--hardware", "h300"],
     "error: unknown hardware 'h300'; choose one of: h200, h100, b200, gb200, mi300x\n"),
    (["ex/m", "--variant", "nvfp4", "--hardware", "h200"],
     "error: variant nvfp4 cannot run on h200: NVFP4 checkpoints need NVIDIA Blackwell GPUs; "
     "choose one of: b200, gb200\n"),
    (["ex/m", "--variant", "int4"], "error: unknown variant 'int4' for ex/m; choose one of: default, nvfp4, bf16\n"),
    (["ex/m", "--strategy", "single_node_tep"], "error: strategy single_node_tep is not available for ex/m on h200; "
     "choose one of: single_node_tp, multi_node_tp, multi_node_dep, pd_cluster\n"),
    (["ex/m", "--feature", "reasoning"], "error: unknown feature 'reasoning' for ex/m; choose from: tool_calling, mtp\n"),
    (["ex/m", "--strategy", "single_node_tp", "--nodes", "2"],
     "error: strategy single_node_tp runs on one node; for 2 nodes choose one of: multi_node_tp, multi_node_dep\n"),
    (["ex/m", "--strategy", "multi_node_tp", "--nodes", "1"],
     "error: strategy multi_node_tp spans several nodes: --nodes must be at least 2\n"),
    (["ex/n"], "error: no recipe for ex/n in "),
    (["ex/omni"], "error: ex/omni is an omni recipe: it has no synthesized vllm serve command\n"),
    (["ex/big", "--hardware", "station", "--variant", "default"],
     "error: variant default needs 300 GB but station has 252 GB and cannot be clustered; variants that fit: small\n"),
])
def test_invalid_choices_exit_1_with_one_line_naming_the_valid_ones(folder, args, message):
    result = command(folder, *args)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1


def test_usage_errors_exit_2(folder):
    assert command(folder, "ex/m", "--nodes", "0").returncode == 2
    assert run("command").returncode == 2


def test_unknown_recipe_suggests_close_ids(folder):
    assert "did you mean ex/m?" in command(folder, "ex/M2").stderr


def test_multi_node_prints_every_node_with_its_env(folder):
    result = command(folder, "ex/m", "--variant", "bf16", "--nodes", "3")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "# set first: $IFACE_NAME = network interface" in out and "$HEAD_IP = address of the head node" in out
    blocks = out.split("\n\n")[1:]
    assert [b.splitlines()[0] for b in blocks] == ["# head (rank 0)", "# worker rank 1", "# worker rank 2"]
    for rank, block in enumerate(blocks):
        lines = block.splitlines()
        assert lines[1:3] == ["export GLOO_SOCKET_IFNAME=$IFACE_NAME", "export NCCL_SOCKET_IFNAME=$IFACE_NAME"]
        assert lines[3] == "vllm serve example/tiny \\" and f"  --node-rank {rank} \\" in lines
    assert "--headless" not in blocks[0] and "--headless" in blocks[2]


def test_a_single_node_command_that_cannot_fit_says_so(folder):
    result = command(folder, "ex/m", "--variant", "bf16", "--nodes", "1")
    assert result.returncode == 0 and "vllm serve example/tiny" in result.stdout
    assert "note: the bf16 weights need 1400 GB but one h200 node has 1128 GB; this command will not fit" in result.stderr


def test_prefill_decode_prints_both_pools_and_the_router(folder):
    result = command(folder, "ex/m", "--strategy", "pd_cluster")
    assert result.returncode == 0, result.stderr
    blocks = result.stdout.split("\n\n")[1:]
    assert [b.splitlines()[0] for b in blocks] == ["# prefill", "# decode",
                                                    "# router (install it with: uv pip install vllm-router)"]
    assert "--port 8001" in blocks[0] and "--port 8002" in blocks[1]
    assert blocks[2].splitlines()[1].startswith("vllm-router --policy round_robin")


def test_features_can_be_added_and_removed(folder):
    out = command(folder, "ex/m", "--feature", "mtp", "--no-feature", "tool_calling").stdout
    assert "features: mtp" in out and "--speculative-config.method mtp" in out
    assert "--tool-call-parser" not in out


def test_docker_form_passes_env_as_flags(folder):
    out = command(folder, "ex/m", "--variant", "nvfp4", "--docker").stdout
    assert "docker run --gpus all" in out and "  -e FP4=1 \\\n" in out and "export" not in out


def test_json_lists_every_launch(folder):
    result = command(folder, "ex/m", "--variant", "bf16", "--strategy", "multi_node_dep", "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert (doc["hf_id"], doc["variant"], doc["hardware"], doc["strategy"], doc["node_count"]) == \
        ("ex/m", "bf16", "h200", "multi_node_dep", 2)
    assert [(launch["role"], launch["rank"]) for launch in doc["launches"]] == [("head", 0), ("worker", 1)]
    assert doc["launches"][1]["argv"][:3] == ["vllm", "serve", "example/tiny"]
    assert "--data-parallel-start-rank" in doc["launches"][1]["argv"]


def test_hardware_that_cannot_cluster_swaps_in_a_fitting_variant_only_by_default(folder):
    result = command(folder, "ex/big", "--hardware", "station")
    assert result.returncode == 0, result.stderr
    assert "variant small · station" in result.stdout and "vllm serve ex/big-FP8" in result.stdout
    assert "note: the default variant does not fit station; using variant small" in result.stderr


def test_an_invalid_recipe_folder_exits_1_with_located_problems(tmp_path):
    bad = write_recipes(tmp_path / "recipes", {"ex/m": recipe(variants={})})
    result = run("command", "ex/m", "--recipes", str(bad))
    assert result.returncode == 1
    assert "models/ex/m.yaml:" in result.stderr and "variants: must not be empty" in result.stderr


# -- new ---------------------------------------------------------------------------------------

def test_new_writes_a_recipe_that_validates_and_loads(tmp_path):
    root = write_recipes(tmp_path / "recipes", {})
    result = run("new", "Acme/Widget-7B", "--recipes", str(root))
    assert result.returncode == 0, result.stderr
    path = root / "models" / "Acme" / "Widget-7B.yaml"
    assert result.stdout.strip() == path.as_posix()
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "# yaml-language-server: $schema=../../schema/recipe.schema.json"
    entry = load_catalog(root).entry("Acme/Widget-7B")
    assert entry is not None and entry.recipe.model.model_id == "Acme/Widget-7B"
    jsonschema.validate(load_yaml(text, "x").data, recipe_json_schema())
    # The new recipe is immediately servable.
    assert "vllm serve Acme/Widget-7B" in run("command", "Acme/Widget-7B", "--recipes", str(root)).stdout


def test_new_refuses_to_overwrite_unless_forced(tmp_path):
    root = write_recipes(tmp_path / "recipes", {"ex/m": recipe()})
    before = (root / "models/ex/m.yaml").read_text()
    refused = run("new", "ex/m", "--recipes", str(root))
    assert refused.returncode == 1 and "ex/m already has a recipe here (use --force to replace it)" in refused.stderr
    assert (root / "models/ex/m.yaml").read_text() == before
    assert run("new", "ex/m", "--recipes", str(root), "--force").returncode == 0
    assert (root / "models/ex/m.yaml").read_text() != before


def test_new_refuses_a_second_file_for_the_same_id(tmp_path):
    root = write_recipes(tmp_path / "recipes", {})
    (root / "models/ex/sub").mkdir(parents=True)
    (root / "models/ex/sub/m.yml").write_text("meta: {}\n")
    result = run("new", "ex/m", "--recipes", str(root), "--force")
    assert result.returncode == 1 and "models/ex/sub/m.yml: ex/m already has a recipe here" in result.stderr
    assert not (root / "models/ex/m.yaml").exists()


@pytest.mark.parametrize("bad", ["../etc", "a/../b", "a/b/c", "noslash", "/abs/x", "a/.hidden", "a/b.yaml", "a/b c", ""])
def test_new_rejects_ids_with_path_tricks(bad):
    with pytest.raises(argparse.ArgumentTypeError):
        hf_id_argument(bad)


def test_new_rejects_path_tricks_as_usage_errors(tmp_path):
    root = write_recipes(tmp_path / "recipes", {})
    result = run("new", "../escape", "--recipes", str(root))
    assert result.returncode == 2 and "is not a model id" in result.stderr
    assert not list(tmp_path.rglob("escape*"))


def test_new_shows_every_key_with_its_docstring():
    text = scaffold("ex/m", "2026-01-02")
    lines = [line.strip().lstrip("# ").strip() for line in text.splitlines()]
    for key in recipe_keys():
        assert any(line.startswith(key.name + ":") for line in lines), key.path
        if key.description:
            assert key.description in text, key.path


def test_every_key_scaffold_validates_so_the_examples_are_right():
    data = load_yaml(scaffold("ex/m", "2026-01-02", every_key=True), "x").data
    Recipe.model_validate(data)
    jsonschema.validate(data, recipe_json_schema())


def test_scaffold_examples_name_existing_keys():
    paths = {key.path for key in recipe_keys()}
    assert set(EXAMPLES) <= paths and set(EXAMPLE_KEYS) <= paths


# -- schema ------------------------------------------------------------------------------------

def test_schema_writes_then_checks(tmp_path):
    out = tmp_path / "recipe.schema.json"
    assert run("schema", "--check", "--out", str(out)).returncode == 1
    assert run("schema", "--out", str(out)).returncode == 0
    assert json.loads(out.read_text())["$id"] == recipe_json_schema()["$id"]
    assert run("schema", "--check", "--out", str(out)).returncode == 0
    out.write_text(out.read_text().replace('"vLLM recipe"', '"stale"'))
    stale = run("schema", "--check", "--out", str(out))
    assert stale.returncode == 1 and "is out of date; regenerate it with `recipes schema" in stale.stderr


def test_schema_to_stdout():
    assert json.loads(run("schema", "--out", "-").stdout) == recipe_json_schema()


# -- help --------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["command", "new", "schema", "build", "serve"])
def test_every_subcommand_has_help_with_examples(name):
    result = run(name, "--help")
    assert result.returncode == 0
    assert "examples:" in result.stdout and f"recipes {name}" in result.stdout


# -- build / serve -----------------------------------------------------------------------------

needs_site = pytest.mark.skipif(not REPO_CONFIG.is_file(), reason="mkdocs.yml is not in the repository yet")


@needs_site
def test_build_writes_the_site_for_another_recipe_folder(folder, tmp_path):
    out = tmp_path / "site"
    result = run("build", "--recipes", str(folder), "--out", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (out / "index.html").is_file() and (out / "ex/m/index.html").is_file()
    assert json.loads((out / "ex/m.json").read_text())["hf_id"] == "ex/m"
    assert json.loads((out / "ex/m/variants.json").read_text())["hf_id"] == "ex/m"


@needs_site
def test_build_of_an_invalid_folder_exits_1_with_the_located_problem(tmp_path):
    bad = write_recipes(tmp_path / "recipes", {"ex/m": recipe(variants={})})
    result = run("build", "--recipes", str(bad), "--out", str(tmp_path / "site"), cwd=tmp_path)
    assert result.returncode == 1
    assert "models/ex/m.yaml:" in result.stderr and "variants: must not be empty" in result.stderr


@needs_site
def test_recipes_override_survives_config_reloads(tmp_path):
    # `serve` reloads the config with the same overrides on every rebuild.
    from mkdocs.config import load_config

    override = plugin_override(REPO_CONFIG, tmp_path)
    for _ in range(2):
        cfg = load_config(str(REPO_CONFIG), **override)
        assert cfg.plugins["recipes"].config.recipes_dir == str(tmp_path.resolve())
    # Every plugin mkdocs.yml lists is kept (today only ours: search is the recipes plugin's own).
    assert list(cfg.plugins) == ["recipes"]



def test_command_as_files(folder):
    """`--as k8s` is one YAML stream for `kubectl apply -f -`; `--as compose` a file per node."""
    import yaml

    k8s = command(folder, "ex/m", "--variant", "bf16", "--nodes", "3", "--as", "k8s")
    assert k8s.returncode == 0, k8s.stderr
    lws, service = yaml.safe_load_all(k8s.stdout)
    assert (lws["kind"], lws["spec"]["leaderWorkerTemplate"]["size"], service["kind"]) == ("LeaderWorkerSet", 3, "Service")
    compose = command(folder, "ex/m", "--variant", "bf16", "--nodes", "3", "--as", "compose")
    assert [line for line in compose.stdout.splitlines() if line.startswith("# ")] == [
        "# head (rank 0)", "# worker rank 1", "# worker rank 2"]

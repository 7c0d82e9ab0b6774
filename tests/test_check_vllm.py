"""`recipes check --vllm`: every published `vllm serve` argv through vLLM's parser (a stand-in here)."""
from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
from factory import STRATEGIES, recipe, write_recipes
from vllm_standin import make_parser

from builder.check.vllm_parse import parse, serve_argvs

REPO = Path(__file__).resolve().parents[1]
TESTS = Path(__file__).resolve().parent


def check(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(TESTS)}
    return subprocess.run([sys.executable, "-m", "builder", "check", "--vllm", "--parser-module", "vllm_standin",
                           *args], capture_output=True, text=True, cwd=REPO, env=env, timeout=300)


def test_our_catalog_parses() -> None:
    done = check("--recipes", str(REPO / "recipes"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "rejected" not in done.stdout and "Traceback" not in done.stderr


def test_a_rejected_argv_names_the_api_file(tmp_path: Path) -> None:
    folder = write_recipes(tmp_path / "recipes", {"example/tiny": recipe(
        model={"model_id": "example/tiny", "base_args": ["--max-num-seqs", "lots"]})})
    done = check("--recipes", str(folder))
    assert done.returncode == 1, done.stdout
    line = next(l for l in done.stdout.splitlines() if "vLLM rejects" in l)
    assert line.startswith("example/tiny") and "--max-num-seqs" in line and "invalid int value: 'lots'" in line


def test_a_built_api_folder_is_read(tmp_path: Path) -> None:
    folder = write_recipes(tmp_path / "recipes", {"example/tiny": recipe(compatible_strategies=list(STRATEGIES))})
    out = tmp_path / "api"
    assert subprocess.run([sys.executable, "-m", "builder", "api", "--recipes", str(folder), "--out", str(out)],
                          cwd=REPO, capture_output=True).returncode == 0
    done = check("--api", str(out))
    assert done.returncode == 0, done.stdout
    assert "distinct vllm serve argv parse" in done.stdout


def test_placeholders_where_numbers_go_are_noted_not_rejected() -> None:
    argv = ("vllm", "serve", "m", "--data-parallel-rpc-port", "$PREFILL_DP_RPC_PORT", "--max-num-seqs", "x")
    verdict = parse(make_parser(), argv)
    assert verdict.placeholders == ["$PREFILL_DP_RPC_PORT"]
    assert verdict.error is not None and "'x'" in verdict.error


def test_dotted_config_keys_are_accepted_like_vllm() -> None:
    argv = ("vllm", "serve", "m", "--compilation-config", '{"mode": 3}', "-cc.pass_config.fuse=true")
    assert parse(make_parser(), argv).error is None


def test_serve_argvs_are_deduplicated() -> None:
    doc = b'{"argv": ["vllm", "serve", "m"], "nodes": [{"argv": ["vllm", "serve", "m"]}], "x": ["docker", "run"]}'
    assert serve_argvs([("a.json", doc), ("b.json", doc)]) == {("vllm", "serve", "m"): ["a.json", "a.json", "b.json", "b.json"]}


@pytest.mark.skipif(importlib.util.find_spec("vllm") is not None, reason="vLLM is installed")
def test_without_vllm_the_check_says_how_to_install_it() -> None:
    done = subprocess.run([sys.executable, "-m", "builder", "check", "--vllm", "--recipes", str(REPO / "recipes")],
                          capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 2 and "pip install 'vllm-recipes-builder[vllm]'" in done.stderr

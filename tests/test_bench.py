"""The benchmark script runs end to end on a tiny catalog and reports every case (no timing asserted)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml
from factory import recipe, write_recipes

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
from benchlib import make_tenfold, rename_orgs  # noqa: E402

META = {"title": "Tiny", "provider": "Example", "description": "A tiny test model", "date_updated": "2026-01-02",
        "tasks": ["text"], "related_recipes": ["example/other"]}
VARIANTS = {"default": {"precision": "bf16", "vram_minimum_gb": 16},
            "fp8": {"precision": "fp8", "vram_minimum_gb": 8, "model_id": "vendor/tiny-FP8"}}


def tiny(root: Path) -> Path:
    return write_recipes(root, {
        "example/tiny": recipe(meta=META, variants=VARIANTS),
        "example/other": recipe(model={"model_id": "example/other", "base_args": [], "base_env": {}}),
    })


def test_copies_under_other_organisations_rename_the_ids_that_must_not_collide(tmp_path):
    folder = make_tenfold(tiny(tmp_path / "recipes"), tmp_path / "tenfold", copies=2)
    assert len(list((folder / "models").glob("*/*.yaml"))) == 6
    copy = yaml.safe_load((folder / "models" / "example-copy2" / "tiny.yaml").read_text())
    assert copy["model"]["model_id"] == "example-copy2/tiny"
    assert copy["variants"]["fp8"]["model_id"] == "vendor-copy2/tiny-FP8"
    assert copy["meta"]["related_recipes"] == ["example-copy2/other"]
    assert copy["meta"]["description"] == META["description"]
    text = 'model:\n  model_id: "a/b"  # id\nguide: |\n  see a/b\n'
    assert rename_orgs(text, "-x") == 'model:\n  model_id: "a-x/b"  # id\nguide: |\n  see a/b\n'


def test_quick_run_prints_the_table_and_writes_the_results(tmp_path):
    good = tiny(tmp_path / "good")
    bad = write_recipes(tmp_path / "bad", {"example/bad": recipe(meta={"title": "Bad"})})
    results = tmp_path / "RESULTS.md"
    cases = "api-june-ref,api-today-ref,noop-api,edit-api,api-tenfold-ref,floor-june-ref"
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "bench.py"), "--quick", "--cases", cases, "--tenfold-runs", "1",
         "--june", str(good), "--today", str(bad), "--ours", str(good), "--media", "disk",
         "--disk-dir", str(tmp_path), "--results", str(results)],
        cwd=REPO, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    for name in cases.split(","):
        assert f"| {name} " in done.stdout
    assert "| api-today-ref" in done.stdout and "failed: " in done.stdout
    assert "recorded 1.56 s" in done.stdout and "api-june-ref is " in done.stdout
    report = results.read_text()
    for heading in ("# Benchmark results", "Machine: ", "| case ", "## Goals of issue 14", "## Cases"):
        assert heading in report
    assert "load 1m before→after" in report
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("bench-")], "temporary folders are removed"

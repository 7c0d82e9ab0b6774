"""`validate` and the cross-reference checks: every problem at once, located, with the right severity."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from factory import recipe, write_recipes

from builder.check import load_catalog
from builder.check.crossrefs import CatalogError, check_catalog, safe_model_id, safe_segment
from builder.cli import main

REPO = Path(__file__).resolve().parents[1]


def validate(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["validate", *args])
    return code, capsys.readouterr().out


def test_clean_folder_passes_even_strict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_recipes(tmp_path / "recipes", {"example/tiny": recipe()})
    assert validate(capsys, "--recipes", str(root)) == (0, "no problems found\n")
    assert validate(capsys, "--strict", "--recipes", str(root))[0] == 0


def test_warnings_pass_unless_strict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tiny = recipe()
    tiny["meta"]["hardware"] = {"a100": "verified"}
    root = write_recipes(tmp_path / "recipes", {"example/tiny": tiny})
    code, out = validate(capsys, "--recipes", str(root))
    assert code == 0
    assert out.splitlines() == [
        'recipes/models/example/tiny.yaml:9:5: warning: meta.hardware.a100: "a100" is not a hardware profile in '
        'taxonomy.yaml, so this entry has no effect (did you mean "h100"?)',
        "1 warning in 1 file",
    ]
    code, out = validate(capsys, "--strict", "--recipes", str(root))
    assert code == 1 and out.splitlines()[-1] == "1 warning in 1 file (--strict: warnings fail)"


def test_every_problem_of_every_file_in_one_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lint_warning = recipe(model={"model_id": "example/c", "base_args": ["--max-modle-len", "4096"]})
    root = write_recipes(tmp_path / "recipes", {
        "example/a": recipe(compatible_strategies=["single_node_pt"]),
        "example/c": lint_warning,
        "example/d": recipe(meta={**recipe()["meta"], "date_updated": "2026-13-40"}),
    })
    (root / "models" / "example" / "b.yaml").write_text("meta: [unclosed\n", encoding="utf-8")
    (root / "strategies" / "pd_cluster.yaml").write_text("name: pd_cluster\ndeploy_type: cluster\n", encoding="utf-8")
    before = sorted(p.as_posix() for p in tmp_path.rglob("*"))

    code, out = validate(capsys, "--recipes", str(root))

    lines = out.splitlines()
    assert code == 1
    assert [l.split(":", 1)[0] for l in lines[:-1]] == [
        "recipes/models/example/a.yaml", "recipes/models/example/b.yaml", "recipes/models/example/c.yaml",
        "recipes/models/example/d.yaml", "recipes/strategies/pd_cluster.yaml"]
    assert 'compatible_strategies[0]: unknown strategy "single_node_pt"' in lines[0]
    assert "list is not closed" in lines[1]
    assert re.search(r"c\.yaml:\d+:\d+: warning: model\.base_args\[0\]: unknown option", lines[2])
    assert '"2026-13-40" is not a real date' in lines[3]
    assert "deploy_type: must be one of" in lines[4]
    assert lines[-1] == "4 errors and 1 warning in 5 files"
    assert sorted(p.as_posix() for p in tmp_path.rglob("*")) == before  # validate writes nothing


def test_json_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_recipes(tmp_path / "recipes", {"example/tiny": recipe(default_strategy="multi_node_tpx")})
    code, out = validate(capsys, "--format", "json", "--recipes", str(root))
    report = json.loads(out)
    assert code == 1
    assert (report["ok"], report["errors"], report["warnings"]) == (False, 1, 0)
    [problem] = report["problems"]
    assert problem["path"] == "recipes/models/example/tiny.yaml" and problem["key"] == "default_strategy"
    assert problem["line"] > 0 and problem["severity"] == "error"
    assert 'unknown strategy "multi_node_tpx"' in problem["message"] and problem["text"].startswith(problem["path"])


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    for args in (["--format", "xml"], ["--recipes", str(tmp_path / "absent")], ["--bogus"]):
        done = subprocess.run([sys.executable, "-m", "builder", "validate", *args], capture_output=True, text=True,
                              cwd=REPO)
        assert done.returncode == 2, args
        assert "Traceback" not in done.stderr and done.stderr.strip()


def test_catalog_keeps_warnings_and_raises_errors_with_them(tmp_path: Path) -> None:
    tiny = recipe(variants={"default": {"precision": "bf16", "vram_minimum_gb": 16},
                            "bf16": {"model_id": "example/tiny", "precision": "bf16", "vram_minimum_gb": 16}})
    tiny["meta"]["related_recipes"] = ["Example/Other"]
    root = write_recipes(tmp_path / "recipes", {"example/tiny": tiny, "example/other": recipe()})
    catalog = load_catalog(root)
    assert [(w.key, w.severity) for w in catalog.warnings] == [
        ("meta.related_recipes[0]", "warning"), ("variants.bf16.model_id", "warning")]
    assert 'the recipe is "example/other" (ids are case-sensitive)' in catalog.warnings[0].message
    assert "this recipe's own id" in catalog.warnings[1].message

    tiny["opt_in_features"] = ["nope"]
    write_recipes(root, {"example/tiny": tiny})
    with pytest.raises(CatalogError) as err:
        load_catalog(root)
    assert [p.key for p in err.value.problems] == ["opt_in_features[0]"]
    assert len(err.value.warnings) == 2


def test_failed_strategy_file_does_not_make_recipes_wrong(tmp_path: Path) -> None:
    """A recipe naming a strategy whose file is broken gets no second, misleading error."""
    root = write_recipes(tmp_path / "recipes", {"example/tiny": recipe()})
    (root / "strategies" / "single_node_tp.yaml").write_text("name: single_node_tp\nvllm_args: 3\n", encoding="utf-8")
    with pytest.raises(CatalogError) as err:
        load_catalog(root)
    assert [p.path for p in err.value.problems] == ["recipes/strategies/single_node_tp.yaml"]


@pytest.mark.parametrize("value, ok", [
    ("org/name", True), ("Org-1/na.me_2", True), ("org", False), ("org/name/x", False), ("../x", False),
    ("org/..", False), ("./x", False), ("/abs", False), ("org/na me", False), ("org/ñame", False), ("", False),
])
def test_model_id_shape(value: str, ok: bool) -> None:
    assert safe_model_id(value) is ok


@pytest.mark.parametrize("value, ok", [
    ("h200", True), ("dgx_spark-gb10.v2", True), ("..", False), (".", False), ("", False), ("a/b", False),
    ("a b", False), ("$x", False), ("ä", False),
])
def test_id_segment_shape(value: str, ok: bool) -> None:
    assert safe_segment(value) is ok


@pytest.mark.reference
def test_reference_recipes_have_no_errors(shared_reference: Path) -> None:
    """The reference must still build: its likely mistakes are warnings, never errors."""
    catalog = load_catalog(shared_reference / "recipes")
    assert all(p.severity == "warning" for p in check_catalog(catalog))
    kinds = Counter(w.key.split("[")[0].rsplit(".", 1)[0] if w.key.startswith("meta.hardware") else
                    w.key.split("[")[0] for w in catalog.warnings)
    # 14 related recipes spelt google/… for Google/…, 4 meta.hardware ids that are not profiles
    # (a100 ×3, mi350x), and ERNIE's two variants that share one model_id.
    assert kinds == {"meta.related_recipes": 14, "meta.hardware": 4, "variants.424b_fp8.model_id": 1}


@pytest.mark.reference
def test_reference_validate_exits_0(shared_reference: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = validate(capsys, "--recipes", str(shared_reference / "recipes"), "--api-version", "2026-06")
    assert code == 0
    assert re.fullmatch(r"\d+ warnings in \d+ files", out.splitlines()[-1])
    assert ": warning:" in out and not any(": warning:" not in l for l in out.splitlines()[:-1])


def test_our_recipes_pass_strict(capsys: pytest.CaptureFixture[str]) -> None:
    if not (REPO / "recipes" / "models").is_dir():
        pytest.skip("recipes/models does not exist yet")
    code, out = validate(capsys, "--strict", "--recipes", str(REPO / "recipes"))
    assert code == 0, out


@pytest.mark.reference
def test_reference_2026_08_validates_with_warnings_only(shared_reference_2026_08: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """Today's upstream folder: no errors; the six promotion collisions upstream warns about are
    warnings here too, each located at its `model_id`."""
    code, out = validate(capsys, "--recipes", str(shared_reference_2026_08 / "recipes"))
    assert code == 0, out
    collisions = [l for l in out.splitlines() if "collides with standalone recipe" in l]
    assert len(collisions) == 6
    assert all(re.match(r"recipes/models/\S+\.yaml:\d+:\d+: warning: variants\.\w+\.model_id: ", l) for l in collisions)

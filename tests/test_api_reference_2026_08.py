"""The JSON API built from the 2026-08-21 reference recipes (the default edition) equals upstream's
output byte for byte, and writes exactly upstream's file set (2026-08 spec §1.4)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SHARED


@pytest.mark.reference
def test_reference_api_2026_08_is_byte_identical(shared_reference_2026_08: Path, tmp_path: Path):
    out = tmp_path / "api"
    build = subprocess.run([sys.executable, "-m", "builder", "api", "--recipes",
                            str(shared_reference_2026_08 / "recipes"), "--out", str(out), "--reference-only"],
                           capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    compare = subprocess.run([sys.executable, str(SHARED / "tools" / "compare_api.py"), str(out),
                              str(shared_reference_2026_08 / "expected"), "--show", "10"],
                             capture_output=True, text=True)
    last = compare.stdout.strip().splitlines()[-1]
    assert last == "conformance: 12180/12180 semantic, 12180/12180 byte-identical, 0 missing", compare.stdout
    # 15,727 files: the expected ones plus the withheld recipes' subtrees (spec §1.4).
    assert sum(1 for _ in out.rglob("*.json")) == 15727
    # Upstream warns about the six promotions that collide with a recipe, and so do we, located.
    collisions = [line for line in build.stderr.splitlines() if "collides with standalone recipe" in line]
    assert len(collisions) == 6, build.stderr
    assert all(line.startswith("warning: recipes/models/") and ".yaml:" in line for line in collisions)

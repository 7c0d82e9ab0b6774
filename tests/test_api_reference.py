"""The JSON API built from the June reference recipes (`--api-version 2026-06`) equals the June
reference API, byte for byte. The 2026-08 edition: test_api_reference_2026_08.py."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SHARED


@pytest.mark.reference
def test_reference_api_is_byte_identical(shared_reference: Path, tmp_path: Path):
    out = tmp_path / "api"
    build = subprocess.run([sys.executable, "-m", "builder", "api", "--recipes", str(shared_reference / "recipes"),
                            "--out", str(out), "--reference-only", "--api-version", "2026-06"], capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    compare = subprocess.run([sys.executable, str(SHARED / "tools" / "compare_api.py"), str(out), "--show", "10"],
                             capture_output=True, text=True)
    assert compare.stdout.strip().splitlines()[-1] == "conformance: 6490/6490 semantic, 6490/6490 byte-identical, 0 missing", compare.stdout
    # The full build has exactly the reference's file count (spec §1.1), including the
    # recipes whose expected output is withheld.
    assert sum(1 for _ in out.rglob("*.json")) == 8849

"""The code's own rules, checked like behaviour: the module map, file sizes, lint and types.

Each test runs the tool the way a contributor would (`lint-imports`, `ruff check`, `mypy`), so a
failure message is the tool's own report.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
MAX_LINES = 400


def run(tool: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / tool), *args], cwd=REPO, capture_output=True, text=True, timeout=600)


def test_import_contracts_hold() -> None:
    """One-way layers, no cycles between siblings, private modules stay private (pyproject.toml)."""
    result = run("lint-imports", "--no-cache")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout or "BROKEN" not in result.stdout


@pytest.mark.parametrize("pattern", ["builder/**/*.py", "site_src/**/*.js", "tests/*.py", "benchmarks/*.py"])
def test_no_source_file_is_over_400_lines(pattern: str) -> None:
    long = {p.relative_to(REPO).as_posix(): n for p in REPO.glob(pattern)
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    if pattern.startswith("tests/"):
        # Test modules are lists of examples; they may run longer, but not without bound.
        long = {k: v for k, v in long.items() if v > 2 * MAX_LINES}
    assert long == {}, f"split these files: {long}"


def test_ruff_is_clean() -> None:
    result = run("ruff", "check", "--no-cache", "builder", "tests", "benchmarks", "scripts")
    assert result.returncode == 0, result.stdout[-6000:]


def test_mypy_is_clean() -> None:
    result = run("mypy")
    assert result.returncode == 0, result.stdout[-6000:]

"""The bad-input corpus: every broken recipe folder is refused with a located, plain message.

Each folder under ``tests/bad_inputs/<case>/`` holds the bad file(s), laid over a valid base
folder from ``factory``, and an ``expect.yaml``:

    exit: 1                                # what `api` exits with (0: a warning only)
    file: recipes/models/example/tiny.yaml # the file the message names
    line: 6                                # the line it names (absent: the whole file)
    reason: list is not closed             # part of the message
    source: lint                           # optional: found by the vLLM lint (validate only)
    remove: [taxonomy.yaml]                # optional: base files to delete
    generate: huge                         # optional: content too large to keep in git, or a
                                           # FIFO / symlink (fifo, symlink_file_outside,
                                           # symlink_org_outside, symlink_dangling)

`api` runs as a real subprocess into an OUT that holds an earlier build; a refused build must leave
every byte of it — and everything else in the work folder — as it was.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from factory import recipe, write_recipes

from builder.cli import main

CASES_DIR = Path(__file__).parent / "bad_inputs"
CASES = sorted(p.name for p in CASES_DIR.iterdir() if (p / "expect.yaml").is_file())
REPO = Path(__file__).resolve().parents[1]


def base_folder(root: Path) -> Path:
    """Two valid recipes (a collision case needs a second id) and the factory's hardware."""
    return write_recipes(root, {"example/tiny": recipe(),
                                "example/other": recipe(model={"model_id": "example/other"})})


def snapshot(folder: Path) -> dict[str, Any]:
    """Every entry below `folder` (hidden ones too) with its bytes; folders map to None.

    Symlinks map to their target and other non-regular files to their kind: reading a FIFO blocks.
    """
    out: dict[str, Any] = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        out[rel] = (f"-> {os.readlink(p)}" if p.is_symlink() else None if p.is_dir()
                    else p.read_bytes() if p.is_file() else "special")
    return out


def api(recipes: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "builder", "api", "--recipes", str(recipes), "--out", str(out)],
                          capture_output=True, text=True, cwd=REPO, timeout=120)


@pytest.fixture(scope="module")
def previous_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An API built from the base folder: what OUT holds before each bad build."""
    work = tmp_path_factory.mktemp("previous")
    out = work / "out"
    done = api(base_folder(work / "recipes"), out)
    assert done.returncode == 0, done.stderr
    assert (out / "example" / "tiny.json").is_file()
    return out


def prepare(case: str, work: Path) -> tuple[Path, dict[str, Any]]:
    expect = yaml.safe_load((CASES_DIR / case / "expect.yaml").read_text(encoding="utf-8"))
    root = base_folder(work / "recipes")
    for src in sorted((CASES_DIR / case).rglob("*")):
        if src.is_file() and src.name != "expect.yaml":
            dst = root / src.relative_to(CASES_DIR / case)
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)
    for rel in expect.get("remove", []):
        (root / rel).unlink()
    outside = work / "outside"
    if expect.get("generate") == "fifo":
        os.mkfifo(root / "models" / "example" / "pipe.yaml")
    elif expect.get("generate") == "symlink_file_outside":
        outside.mkdir()
        (outside / "secret.yaml").write_text("secret: 1\n", encoding="utf-8")
        (root / "models" / "example" / "passwd.yaml").symlink_to(outside / "secret.yaml")
    elif expect.get("generate") == "symlink_org_outside":
        shutil.copytree(root / "models" / "example", outside / "linked")
        (root / "models" / "linked").symlink_to(outside / "linked", target_is_directory=True)
    elif expect.get("generate") == "symlink_dangling":
        (root / "models" / "example" / "gone.yaml").symlink_to(work / "nowhere.yaml")
    if expect.get("generate") == "huge":
        # Valid YAML (comments) just over the 1 MiB cap: refused by size before any parsing.
        (root / "models" / "example" / "tiny.yaml").write_bytes(b"# padding\n" * 110_000)
    return root, expect


def message_line(output: str, expect: dict[str, Any]) -> str:
    """The reported line naming the expected file (and line) and containing the reason."""
    where = f"{expect['file']}:{expect['line']}:" if "line" in expect else f"{expect['file']}:"
    hits = [line for line in output.splitlines() if line.startswith(where) and expect["reason"] in line]
    assert hits, f"no message starting {where!r} containing {expect['reason']!r} in:\n{output}"
    return hits[0]


@pytest.mark.parametrize("case", CASES)
def test_bad_input(case: str, tmp_path: Path, previous_build: Path, capsys: pytest.CaptureFixture[str]) -> None:
    recipes, expect = prepare(case, tmp_path)
    # OUT sits two levels down so that an id like ../../etc/x would still land inside tmp_path,
    # where the snapshot sees it.
    out = tmp_path / "site" / "public" / "out"
    shutil.copytree(previous_build, out)
    before = snapshot(tmp_path)

    done = api(recipes, out)

    assert done.returncode == expect["exit"], done.stderr
    assert "Traceback" not in done.stderr
    if expect["exit"] == 0:
        assert "wrote " in done.stderr
        api_line = None if expect.get("source") == "lint" else message_line(done.stderr, expect)
        assert api_line is None or ": warning:" in api_line
    else:
        api_line = message_line(done.stderr, expect)
        assert "nothing was written" in done.stderr
        assert snapshot(tmp_path) == before, "a refused build changed files"

    # validate reports the same message, and --strict fails on it even when it is a warning.
    capsys.readouterr()
    code = main(["validate", "--recipes", str(recipes)])
    report = capsys.readouterr().out
    assert code == expect["exit"], report
    validate_line = message_line(report, expect)
    if api_line is not None:
        assert validate_line == api_line
    assert main(["validate", "--strict", "--recipes", str(recipes)]) == 1
    capsys.readouterr()


def test_corpus_is_large_and_well_formed() -> None:
    """At least 40 cases, each with an expect.yaml that names a file and a reason."""
    assert len(CASES) >= 40
    for case in CASES:
        expect = yaml.safe_load((CASES_DIR / case / "expect.yaml").read_text(encoding="utf-8"))
        assert expect["exit"] in (0, 1) and expect["file"].startswith("recipes/") and expect["reason"], case

"""Nothing is lost: where `api` and `build` refuse to write, and two builds into one folder.

Each refusal is one plain line, exit 1, no traceback, and every file that was there stays.
"""
from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from factory import recipe, write_recipes
from test_publish import has_files, large_folder, snapshot, staging_dirs

from builder.cli import main
from builder.write.guard import lock_path, marker_path, output_lock

REPO = Path(__file__).resolve().parents[1]


def recipes_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "builder", *args], capture_output=True, text=True, cwd=REPO,
                          timeout=300)


@pytest.fixture()
def small(tmp_path: Path) -> Path:
    return write_recipes(tmp_path / "recipes", {"example/tiny": recipe()})


def assert_refused(done: subprocess.CompletedProcess[str], reason: str) -> None:
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert reason in done.stderr, done.stderr


# -- lost files -------------------------------------------------------------------------------

@pytest.mark.parametrize("command", ["api", "build"])
@pytest.mark.parametrize("where, reason", [
    ("same", "the output folder is the recipe folder"),
    ("parent", "the output folder contains the recipe folder"),
    ("inside", "the output folder is inside the recipe folder"),
])
def test_output_overlapping_the_recipes_is_refused(command: str, where: str, reason: str, small: Path) -> None:
    out = {"same": small, "parent": small.parent, "inside": small / "models" / "site"}[where]
    before = snapshot(small.parent)
    assert_refused(recipes_cli(command, "--recipes", str(small), "--out", str(out)), reason)
    assert snapshot(small.parent) == before


@pytest.mark.parametrize("command", ["api", "build"])
def test_a_folder_that_is_not_ours_is_not_replaced(command: str, small: Path, tmp_path: Path) -> None:
    out = tmp_path / "photos"
    out.mkdir()
    (out / "holiday.jpg").write_bytes(b"\xff\xd8 precious")
    assert_refused(recipes_cli(command, "--recipes", str(small), "--out", str(out)), "was not written by this builder")
    assert (out / "holiday.jpg").read_bytes() == b"\xff\xd8 precious"


@pytest.mark.parametrize("command", ["api", "build"])
def test_out_that_is_a_file_is_refused(command: str, small: Path, tmp_path: Path) -> None:
    out = tmp_path / "notes.txt"
    out.write_text("keep me")
    assert_refused(recipes_cli(command, "--recipes", str(small), "--out", str(out)), "is not a folder")
    assert out.read_text() == "keep me"


def test_our_output_is_marked_and_replaced(small: Path, tmp_path: Path) -> None:
    out = tmp_path / "api"
    assert recipes_cli("api", "--recipes", str(small), "--out", str(out)).returncode == 0
    assert marker_path(out).is_file() and not (out / '.recipes-output').exists()
    again = recipes_cli("api", "--recipes", str(small), "--out", str(out))
    assert again.returncode == 0, again.stderr
    assert not lock_path(out).exists(), "the lock file is removed after the build"


def test_an_empty_folder_is_used(small: Path, tmp_path: Path) -> None:
    out = tmp_path / "empty"
    out.mkdir()
    assert recipes_cli("api", "--recipes", str(small), "--out", str(out)).returncode == 0
    assert (out / "example" / "tiny.json").is_file()


@pytest.mark.parametrize("failure", [errno.ENOSPC, errno.EROFS, errno.EACCES])
def test_filesystem_errors_are_one_line(failure: int, small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    """Disk full, read-only, permission denied: one line naming the reason, nothing published."""
    import builder.api.sinks as api_sinks

    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(failure, os.strerror(failure), "api/example/tiny.json")

    monkeypatch.setattr(api_sinks.os, "write", fail)
    out = tmp_path / "api"
    assert main(["api", "--recipes", str(small), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert os.strerror(failure) in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not out.exists() and staging_dirs(out) == []


def test_a_bug_is_one_line_asking_for_a_report(small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    import builder.api as api

    def broken(*args: object, **kwargs: object) -> int:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(api, "write_api_report", broken)
    assert main(["api", "--recipes", str(small), "--out", str(tmp_path / "api")]) == 70
    err = capsys.readouterr().err
    assert "internal error (ZeroDivisionError" in err and "please report it" in err and "Traceback" not in err


# -- one build at a time ------------------------------------------------------------------------

def test_lock_is_exclusive_and_released(tmp_path: Path) -> None:
    out = tmp_path / "api"
    probe = ("import sys; from pathlib import Path; from builder.errors import RecipeError\n"
             "from builder.write.guard import output_lock\n"
             "try:\n    with output_lock(Path(sys.argv[1]), wait=False): print('got it')\n"
             "except RecipeError as err: print(err)")
    with output_lock(out):
        other = subprocess.run([sys.executable, "-c", probe, str(out)], capture_output=True, text=True, cwd=REPO)
        assert "another build is writing this output folder" in other.stdout, other.stdout + other.stderr
    after = subprocess.run([sys.executable, "-c", probe, str(out)], capture_output=True, text=True, cwd=REPO)
    assert after.stdout.strip() == "got it"
    assert not lock_path(out).exists()


def test_concurrent_api_builds_into_one_folder_both_publish_whole(tmp_path: Path) -> None:
    """The second build waits for the first instead of sweeping its live staging folder."""
    big = large_folder(tmp_path / "big", count=30)
    out = tmp_path / "public" / "api"
    command = [sys.executable, "-m", "builder", "api", "--recipes", str(big), "--out", str(out)]
    procs = [subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    results = [(p.wait(timeout=300), p.stderr.read() if p.stderr else "") for p in procs]
    for code, err in results:
        assert code == 0, err
        assert "Traceback" not in err
    reference = tmp_path / "alone"
    assert recipes_cli("api", "--recipes", str(big), "--out", str(reference)).returncode == 0
    assert snapshot(out) == snapshot(reference), "a concurrent build published a partial tree"
    assert staging_dirs(out) == []


def test_concurrent_site_builds_into_one_folder(tmp_path: Path) -> None:
    folder = write_recipes(tmp_path / "recipes", {f"org/m{i}": recipe(model={"model_id": f"org/m{i}"}) for i in range(3)})
    out = tmp_path / "site"
    command = [sys.executable, "-m", "builder", "build", "--recipes", str(folder), "--out", str(out)]
    procs = [subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    for p in procs:
        code = p.wait(timeout=300)
        err = p.stderr.read() if p.stderr else ""
        assert code == 0, err
        assert "Traceback" not in err
    assert (out / "org" / "m2" / "index.html").is_file() and (out / "org" / "m0.json").is_file()
    assert marker_path(out).is_file() and not (out / '.recipes-output').exists()


def _kill_while_writing(command: list[str], watch: Path) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        staging = staging_dirs(watch)
        if (staging and has_files(staging[0])) or (watch / "org0").is_dir():
            proc.send_signal(signal.SIGKILL)
            break
        time.sleep(0.002)
    proc.wait(timeout=30)
    return proc


def test_killed_api_build_then_next_build_recovers(tmp_path: Path) -> None:
    """A killed build leaves its lock file and staging behind; the next build is not blocked."""
    small = write_recipes(tmp_path / "small", {"example/tiny": recipe()})
    out = tmp_path / "public" / "api"
    assert recipes_cli("api", "--recipes", str(small), "--out", str(out)).returncode == 0
    before = snapshot(out)
    big = large_folder(tmp_path / "big")
    proc = _kill_while_writing([sys.executable, "-m", "builder", "api", "--recipes", str(big), "--out", str(out)], out)
    assert proc.returncode == -signal.SIGKILL
    assert snapshot(out) == before
    again = recipes_cli("api", "--recipes", str(big), "--out", str(out))
    assert again.returncode == 0 and "waiting for another build" not in again.stderr, again.stderr
    assert staging_dirs(out) == [] and (out / "org0" / "model-000.json").is_file()


def test_killed_site_build_leaves_previous_site_intact(tmp_path: Path) -> None:
    small = write_recipes(tmp_path / "small", {"example/tiny": recipe()})
    out = tmp_path / "site"
    assert recipes_cli("build", "--recipes", str(small), "--out", str(out)).returncode == 0
    before = snapshot(out)
    big = large_folder(tmp_path / "big", count=20)
    proc = _kill_while_writing([sys.executable, "-m", "builder", "build", "--recipes", str(big), "--out", str(out)],
                               out)
    assert proc.returncode == -signal.SIGKILL
    assert snapshot(out) == before, "the previous site changed although the build was killed"
    again = recipes_cli("build", "--recipes", str(big), "--out", str(out))
    assert again.returncode == 0, again.stderr


def test_lock_is_reentrant_within_one_process(tmp_path: Path) -> None:
    """`recipes build` holds the lock around MkDocs; an atomic writer inside may take it again."""
    out = tmp_path / "site"
    with output_lock(out), output_lock(out, wait=False):
        assert lock_path(out).exists()
    assert not lock_path(out).exists()

"""`recipes serve` while a recipe is broken: the error is on the page (and in the terminal) until fixed.

MkDocs' dev server answers no request until a rebuild succeeds, so a plugin that raised would
leave the browser hanging. The test saves a broken recipe, measures how long until the page shows
the error, then saves the fix and measures how long until the page is whole again.
"""
from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from factory import dump, recipe, write_recipes

from builder.site.html.build_error import BANNER_CLASS

REPO = Path(__file__).resolve().parents[1]
TIMEOUT = 90.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8", "replace")
    except (urllib.error.URLError, OSError):
        return None


def wait_for(url: str, condition, what: str) -> float:
    started = time.monotonic()
    while time.monotonic() - started < TIMEOUT:
        body = fetch(url)
        if body is not None and condition(body):
            return time.monotonic() - started
        time.sleep(0.2)
    pytest.fail(f"timed out after {TIMEOUT:.0f}s waiting for {what}")


def test_broken_recipe_is_shown_on_the_page_until_fixed(tmp_path: Path) -> None:
    folder = write_recipes(tmp_path / "recipes", {"example/tiny": recipe()})
    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "builder", "serve", "--recipes", str(folder),
                             "--dev-addr", f"127.0.0.1:{port}"], cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    home, page = f"http://127.0.0.1:{port}/", f"http://127.0.0.1:{port}/about/"
    recipe_page = f"http://127.0.0.1:{port}/example/tiny/"
    try:
        wait_for(recipe_page, lambda body: "Tiny" in body, "the first build")
        broken = recipe(compatible_strategies=["single_node_pt"])
        time.sleep(1.1)  # distinct mtime for the watcher
        dump(folder / "models" / "example" / "tiny.yaml", broken)
        to_error = wait_for(home, lambda body: BANNER_CLASS in body and "single_node_pt" in body, "the error page")
        assert BANNER_CLASS in (fetch(page) or ""), "hand-written pages carry the error banner too"
        dump(folder / "models" / "example" / "tiny.yaml", recipe())
        to_fixed = wait_for(recipe_page, lambda body: BANNER_CLASS not in body and "Tiny" in body, "the fixed page")
        print(f"save-to-updated-page: error shown after {to_error:.1f}s, fix shown after {to_fixed:.1f}s")
        assert to_error < 30 and to_fixed < 30
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()
    output = (tmp_path / "serve.log").read_text()
    assert 'unknown strategy "single_node_pt"' in output and "Traceback" not in output

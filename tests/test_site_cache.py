"""The site's rebuild cache: work is counted, not timed.

`recipes build` into the same folder again: unchanged inputs write nothing; an edit to one recipe
renders that recipe's API documents, command-builder data and page and no other recipe's; an
edit to the taxonomy renders every recipe again. Whatever was reused, the site equals a build
without the cache, byte for byte.
"""
from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from test_site_pages import fixture_recipes

import builder.api.cached
import builder.site.command_builder
import builder.site.pages
from builder.cli import main

IDS = ["acme/Big-MoE", "acme/Tiny-1B", "other/Embed-S"]
EDITED = "acme/Tiny-1B"


class Work:
    """Counts the per-recipe work of the builds run while it is installed."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.done: dict[str, Counter[str]] = {"api": Counter(), "builder": Counter(), "pages": Counter()}
        self._wrap(monkeypatch, builder.api.cached, "emit_recipe", "api", lambda a: a[1].hf_id)
        self._wrap(monkeypatch, builder.site.command_builder, "builder_json", "builder", lambda a: a[1].hf_id)
        self._wrap(monkeypatch, builder.site.pages, "recipe_markdown", "pages", lambda a: a[0].hf_id)
        monkeypatch.setattr(os, "cpu_count", lambda: 1)  # no forked workers: every call is counted here

    def _wrap(self, monkeypatch: pytest.MonkeyPatch, module: Any, name: str, kind: str, hf_id: Any) -> None:
        real = getattr(module, name)

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.done[kind][hf_id(args)] += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, counted)

    def take(self) -> dict[str, list[str]]:
        """The recipes each kind of work was done for since the last call (sorted, with repeats)."""
        taken = {kind: sorted(c.elements()) for kind, c in self.done.items()}
        for c in self.done.values():
            c.clear()
        return taken


def _build(recipes: Path, out: Path, *extra: str) -> None:
    assert main(["build", "--recipes", str(recipes), "--out", str(out), *extra]) == 0


def _files(folder: Path) -> dict[str, tuple[int, int, bytes]]:
    return {p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns, p.read_bytes())
            for p in folder.rglob("*") if p.is_file()}


def _bytes(folder: Path) -> dict[str, bytes]:
    return {rel: data for rel, (_, _, data) in _files(folder).items()}


@pytest.mark.site
def test_an_edit_renders_that_recipe_alone_and_a_noop_writes_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # the sitemap's date: builds comparable
    recipes, out = fixture_recipes(tmp_path), tmp_path / "site"
    work = Work(monkeypatch)
    _build(recipes, out)
    assert work.take() == {"api": IDS, "builder": IDS, "pages": IDS}
    assert (tmp_path / ".recipes-cache").is_dir() and not (out / ".recipes-cache").exists()

    before = _files(out)
    capsys.readouterr()
    _build(recipes, out)
    assert "up to date: nothing written" in capsys.readouterr().err
    assert work.take() == {"api": [], "builder": [], "pages": []}
    assert _files(out) == before  # same inodes and mtimes: nothing was written

    path = recipes / "models" / "acme" / "Tiny-1B.yaml"
    path.write_text(path.read_text("utf-8").replace("description: ", "description: Edited. ", 1), "utf-8")
    _build(recipes, out)
    assert work.take() == {"api": [EDITED], "builder": [EDITED], "pages": [EDITED]}
    assert "Edited." in (out / EDITED / "index.html").read_text("utf-8")
    _build(recipes, tmp_path / "uncached", "--no-cache")
    work.take()
    assert _bytes(out) == _bytes(tmp_path / "uncached")

    taxonomy = recipes / "taxonomy.yaml"
    taxonomy.write_text(taxonomy.read_text("utf-8") + "\n# edited\n", "utf-8")
    _build(recipes, out)
    assert work.take() == {"api": IDS, "builder": IDS, "pages": IDS}


def _serve_build(config_file: Path, recipes: Path, site_dir: Path, command: str) -> None:
    """One build as `recipes serve` runs it (config loaded again, dirty, into the same folder)."""
    import logging

    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    config = load_config(str(config_file), site_dir=str(site_dir),
                         plugins={"recipes": {"recipes_dir": str(recipes)}})
    config.site_url = "http://127.0.0.1:8000/"
    if command:
        config.plugins.on_startup(command=command, dirty=command == "serve")
    quiet = logging.getLogger("mkdocs.commands.build")
    quiet.addFilter(drop := (lambda r: not r.getMessage().startswith("A 'dirty' build")))
    try:
        build(config, serve_url="http://127.0.0.1:8000/" if command != "build" else None,
              dirty=command != "build")
    finally:
        quiet.removeFilter(drop)


@pytest.mark.site
def test_serve_rebuilds_only_what_changed_and_equals_a_clean_build(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from conftest import REPO

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    recipes, served = fixture_recipes(tmp_path), tmp_path / "served"
    work = Work(monkeypatch)
    _serve_build(REPO / "mkdocs.yml", recipes, served, "serve")
    work.take()
    before = _files(served)
    path = recipes / "models" / "acme" / "Tiny-1B.yaml"
    path.write_text(path.read_text("utf-8").replace("description: ", "description: Served. ", 1), "utf-8")
    _serve_build(REPO / "mkdocs.yml", recipes, served, "")
    assert work.take() == {"api": [EDITED], "builder": [EDITED], "pages": [EDITED]}
    after = _files(served)
    rewritten = {rel for rel in after if after[rel][:2] != before.get(rel, (0, 0, b""))[:2]}
    assert f"{EDITED}/index.html" in rewritten and f"{EDITED}.json" in rewritten
    assert "acme/Big-MoE/index.html" not in rewritten and "acme/Big-MoE.json" not in rewritten
    _serve_build(REPO / "mkdocs.yml", recipes, tmp_path / "clean", "build")
    assert _bytes(served) == _bytes(tmp_path / "clean")

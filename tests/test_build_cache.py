"""The rebuild cache of `recipes api`: work is counted, not timed.

A no-op rebuild touches no file; an edit to one recipe renders that recipe alone (its `deploy`
calls are exactly those of rendering it by itself) and leaves every other file as it was (same
inode and mtime: hard-linked from the previous output); a vocabulary edit renders everything.
Whatever was reused, the output equals a build from scratch.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from builder.api import write_api, write_api_report
from builder.api.parallel import emit_some
from builder.check import load_catalog
from builder.cli import main
from builder.cli.api_cmd import API_VERSIONS, NEWEST_VERSION, cache_options
from builder.cli.schema_cmd import DEFAULT_OUT
from builder.models.schema import SCHEMA_FILE
from builder.synth import EDITIONS, NEWEST
from builder.write.cache import BuildCache

REPO = Path(__file__).resolve().parent.parent
EDITED = "Qwen/Qwen3-0.6B"
OPTIONS = cache_options(NEWEST_VERSION, False)  # what `recipes api` uses by default


def _snapshot(folder: Path) -> dict[str, tuple[int, int, bytes]]:
    """Every file: inode, mtime and bytes."""
    out = {}
    for path in folder.rglob("*"):
        if path.is_file():
            st = path.stat()
            out[path.relative_to(folder).as_posix()] = (st.st_ino, st.st_mtime_ns, path.read_bytes())
    return out


def _build(recipes: Path, out: Path):  # type: ignore[no-untyped-def]
    cache = BuildCache(recipes, out, OPTIONS)
    return cache, write_api_report(load_catalog(recipes), out, cache=cache)


@pytest.fixture
def recipes(tmp_path: Path) -> Path:
    return Path(shutil.copytree(REPO / "recipes", tmp_path / "recipes"))


def test_noop_and_one_recipe_edit_render_only_what_changed(recipes: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    _, first = _build(recipes, out)
    catalog = load_catalog(recipes)
    assert first.rendered == [e.hf_id for e in catalog.recipes] and first.reused == 0
    assert not list(out.glob(".recipes-cache*")), "the cache lives beside the output, not in it"
    before = _snapshot(out)
    assert first.files == len(before)

    # No-op: the cache says so from digests alone, and the command writes nothing.
    assert BuildCache(recipes, out, OPTIONS).up_to_date()
    capsys.readouterr()
    assert main(["api", "--recipes", str(recipes), "--out", str(out)]) == 0
    assert "is up to date: nothing written" in capsys.readouterr().err
    assert _snapshot(out) == before, "a no-op rebuild must leave every file untouched"

    # Edit one recipe: only it is rendered, with exactly the deploy calls of rendering it alone.
    path = next(e.path for e in catalog.recipes if e.hf_id == EDITED)
    path.write_text(path.read_text("utf-8").replace("description:", "description: Edited.", 1), "utf-8")
    _, second = _build(recipes, out)
    assert second.rendered == [EDITED]
    assert second.reused == len(catalog.recipes) - 1
    edited = load_catalog(recipes)
    index = next(i for i, e in enumerate(edited.recipes) if e.hf_id == EDITED)
    alone = emit_some(edited, tmp_path / "alone", [index], True, NEWEST)
    assert second.deploys == alone.deploys > 0
    after = _snapshot(out)
    mine = set(alone.outcomes[index].files)
    shared = {"models.json", "taxonomy.json", "platforms.json", "strategies.json", "kv_store.json"}
    for rel, (inode, mtime, data) in before.items():
        if rel in mine or rel in shared or rel.startswith(("strategies/", "kv_store/")):
            continue
        assert after[rel] == (inode, mtime, data), f"{rel} was rewritten"
    assert any(after[rel][2] != before[rel][2] for rel in mine)

    # The result equals a build from scratch, file for file.
    fresh = tmp_path / "fresh"
    assert write_api(edited, fresh) == len(after)
    assert {rel: data for rel, (_, _, data) in _snapshot(fresh).items()} == {
        rel: data for rel, (_, _, data) in after.items()}

    # A vocabulary edit renders everything.
    taxonomy = recipes / "taxonomy.yaml"
    taxonomy.write_text(taxonomy.read_text("utf-8") + "\n# edited\n", "utf-8")
    _, third = _build(recipes, out)
    assert third.rendered == [e.hf_id for e in edited.recipes] and third.reused == 0


def test_an_output_changed_by_someone_else_is_rebuilt(recipes: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _build(recipes, out)
    (out / "models.json").unlink()  # the folder's mtime changes, so its record no longer applies
    cache = BuildCache(recipes, out, OPTIONS)
    assert not cache.up_to_date() and cache.previous() is None
    _, again = _build(recipes, out)
    assert again.reused == 0 and (out / "models.json").is_file()


def test_cli_constants_match_what_they_spell_out() -> None:
    assert sorted(API_VERSIONS) == sorted(EDITIONS) and NEWEST.name == NEWEST_VERSION
    assert Path("recipes") / SCHEMA_FILE == DEFAULT_OUT

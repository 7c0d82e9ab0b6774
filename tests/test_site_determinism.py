"""Two site builds of the same recipes are byte-identical, except what MkDocs stamps by design.

MkDocs writes the build date into `sitemap.xml` (`<lastmod>`) and `sitemap.xml.gz` (the date and
the gzip header time). Both follow `SOURCE_DATE_EPOCH`, so a pinned epoch makes the whole site
reproducible; with different dates only those two files may differ.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

STAMPED = {"sitemap.xml", "sitemap.xml.gz"}


def build(out: Path, epoch: str) -> dict[str, bytes]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": epoch}
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(REPO / "mkdocs.yml"),
                          "-d", str(out)], cwd=REPO, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


@pytest.mark.site
def test_site_builds_are_identical_but_for_the_sitemap_date(tmp_path: Path):
    first = build(tmp_path / "a", "1767225600")   # 2026-01-01
    second = build(tmp_path / "b", "1767225600")
    third = build(tmp_path / "c", "1798761600")   # 2027-01-01
    assert first.keys() == second.keys() == third.keys()
    assert [p for p in first if first[p] != second[p]] == []
    assert {p for p in first if first[p] != third[p]} == STAMPED
    assert b"2026-01-01" in first["sitemap.xml"] and b"2027-01-01" in third["sitemap.xml"]

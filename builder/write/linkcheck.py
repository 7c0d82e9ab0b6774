"""Find links in a built site that lead nowhere.

Two kinds of reference are checked against the files actually written:

* inside the JSON API (spec §4): ``models.json`` entries' ``json``/``url``/``derived_from``;
  recipe documents' ``variants.*.json``, ``recommended_command.by_hardware.*`` and
  ``.alternatives.*``, ``meta.related_recipes`` and ``meta.derived_from`` (hf ids, which live at
  ``/<id>.json``); per-hardware documents' ``alternatives.*``;
* in HTML pages: ``href``/``src`` of ``a``, ``link``, ``script`` and ``img``, and same-page
  ``#fragment`` links against the ids on the page.

Page URLs (``url`` members, extensionless links) are only checked when the tree has HTML pages:
a JSON-only tree has no pages to find. The tree is listed once up front, so each check is a set
lookup rather than a file-system call — a full site has ~9 000 JSON files.
"""
from __future__ import annotations

import json
import os
import posixpath
import re
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from builder.errors import Problem

_LINK_ATTRIBUTES = {"a": "href", "link": "href", "script": "src", "img": "src"}
# Any URL with a scheme (http:, mailto:, data:, javascript:, …) leaves the site.
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Starting processes costs more than parsing a few pages.
_PAGES_PER_WORKER = 16
_BASE = "https://site.invalid"  # only used to let urljoin resolve relative paths


@dataclass(frozen=True, order=True)
class DanglingLink:
    """A reference in ``file`` (relative to the site root) whose ``target`` does not exist.

    ``where`` is a JSON path (``$.recommended_command.by_hardware.h100``) or ``line N`` in an HTML
    page; ``missing`` is the file (or ``#id``) that was looked for.
    """

    file: str
    where: str
    target: str
    missing: str

    @property
    def line(self) -> int:
        return int(self.where[5:]) if self.where.startswith("line ") else 0

    @property
    def message(self) -> str:
        return f'link "{self.target}" leads nowhere ({self.missing} does not exist)'

    def __str__(self) -> str:
        return f"{self.file}: {self.where}: {self.message}"

    def as_problem(self) -> Problem:
        """The same finding in the shape every other check reports."""
        return Problem(self.file, self.line, 0, "" if self.line else self.where, self.message)


def check_links(
    site_root: Path, *, check_fragments: bool = True, workers: int | None = None
) -> list[DanglingLink]:
    """Every dangling link under ``site_root``, sorted by file and position.

    HTML parsing dominates the time, so pages are parsed in ``workers`` processes (default: one
    per CPU, up to 8; ``1`` parses in this process).
    """
    tree = _Tree(Path(site_root))
    found: list[DanglingLink] = []
    for rel in tree.json_files:
        found.extend(_check_json_document(tree, rel))
    for rel, page in zip(tree.html_files, _parse_pages(tree, workers), strict=False):
        found.extend(_check_html_page(tree, rel, page, check_fragments))
    return sorted(found, key=_order)


def _order(link: DanglingLink) -> tuple[str, int, str, str]:
    return (link.file, link.line, link.where, link.target)


class _Tree:
    """The files and directories of the site, as root-relative POSIX paths."""

    def __init__(self, root: Path):
        self.root = root
        self.files: set[str] = set()
        self.dirs: set[str] = {""}
        for dirpath, dirnames, filenames in os.walk(root):
            base = Path(dirpath).relative_to(root).as_posix()
            prefix = "" if base == "." else base + "/"
            self.dirs.update(prefix + d for d in dirnames)
            self.files.update(prefix + f for f in filenames)
        self.json_files = sorted(f for f in self.files if f.endswith(".json"))
        self.html_files = sorted(f for f in self.files if f.endswith(".html"))
        self.has_pages = bool(self.html_files)

    def missing(self, url_path: str) -> str | None:
        """None when a site-absolute URL path resolves to a file; else what was looked for."""
        path = unquote(url_path).lstrip("/")
        if path == "" or path.endswith("/"):
            candidate = path + "index.html"
            return None if candidate in self.files else candidate
        if path in self.files:
            return None
        if path in self.dirs:  # servers redirect /dir to /dir/
            candidate = path + "/index.html"
            return None if candidate in self.files else candidate
        return path if posixpath.splitext(path)[1] else path + "/index.html"


# --- JSON documents -----------------------------------------------------------------------

def _check_json_document(tree: _Tree, rel: str) -> Iterator[DanglingLink]:
    try:
        raw = (tree.root / rel).read_bytes()
    except OSError:
        return
    # Only models.json (an array), recipe documents (hf_id) and per-hardware documents
    # (alternatives) hold links; most of the tree is alternative renderings with none. The
    # generator never escapes key names, so this byte search is exact and saves most parsing.
    if not (raw.lstrip()[:1] == b"[" or b'"hf_id"' in raw or b'"alternatives"' in raw):
        return
    try:
        document = json.loads(raw)
    except ValueError:
        return  # not ours to judge: the API tests check the documents themselves
    for where, target, is_page in _json_links(document):
        if is_page and not tree.has_pages:
            continue
        url_path = urlsplit(urljoin(f"{_BASE}/{rel}", target)).path
        missing = tree.missing(url_path)
        if missing is not None:
            yield DanglingLink(rel, where, target, missing)


def _json_links(document: object) -> Iterator[tuple[str, str, bool]]:
    """(JSON path, link, is it a page URL) for every reference the API defines."""
    if isinstance(document, list):  # models.json
        for i, entry in enumerate(document):
            if isinstance(entry, dict):
                yield from _string_at(entry, "json", f"$[{i}]")
                yield from ((w, t, True) for w, t, _ in _string_at(entry, "url", f"$[{i}]"))
                yield from _hf_id_at(entry, "derived_from", f"$[{i}]")
        return
    if not isinstance(document, dict):
        return
    if "hf_id" in document:  # recipe or promoted-variant document
        for name, variant in _members(document.get("variants")):
            if isinstance(variant, dict):
                yield from _string_at(variant, "json", _path("$.variants", name))
        recommended = document.get("recommended_command")
        if isinstance(recommended, dict):
            for member in ("by_hardware", "alternatives"):
                for name, link in _members(recommended.get(member)):
                    if isinstance(link, str):
                        yield _path(f"$.recommended_command.{member}", name), link, False
        meta = document.get("meta")
        if isinstance(meta, dict):
            related = meta.get("related_recipes")
            if isinstance(related, list):
                for i, hf_id in enumerate(related):
                    if isinstance(hf_id, str) and hf_id:
                        yield f"$.meta.related_recipes[{i}]", f"/{hf_id}.json", False
            yield from _hf_id_at(meta, "derived_from", "$.meta")
    elif "hardware" in document and "strategy" in document:  # per-hardware rendering
        for name, link in _members(document.get("alternatives")):
            if isinstance(link, str):
                yield _path("$.alternatives", name), link, False


def _string_at(node: dict, key: str, prefix: str) -> Iterator[tuple[str, str, bool]]:
    value = node.get(key)
    if isinstance(value, str):
        yield _path(prefix, key), value, False


def _hf_id_at(node: dict, key: str, prefix: str) -> Iterator[tuple[str, str, bool]]:
    value = node.get(key)
    if isinstance(value, str) and value:
        yield _path(prefix, key), f"/{value}.json", False


def _members(node: object) -> Iterator[tuple[str, object]]:
    if isinstance(node, dict):
        yield from ((str(k), v) for k, v in node.items())


def _path(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if _IDENTIFIER.match(key) else f"{prefix}[{json.dumps(key)}]"


# --- HTML pages ---------------------------------------------------------------------------

class _PageLinks(HTMLParser):
    """Collects the links and element ids of one page, with line numbers."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[int, str]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = _LINK_ATTRIBUTES.get(tag)
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (tag == "a" and name == "name"):
                self.ids.add(value)
            elif name == wanted:
                self.links.append((self.getpos()[0], value.strip()))

    handle_startendtag = handle_starttag


def _parse_page(path: Path) -> tuple[list[tuple[int, str]], set[str]]:
    """(line, link) pairs and element ids of one page; top level so worker processes can run it."""
    page = _PageLinks()
    try:
        page.feed(path.read_text(encoding="utf-8", errors="replace"))
        page.close()
    except OSError:
        pass
    return page.links, page.ids


def _parse_pages(tree: _Tree, workers: int | None) -> Iterator[tuple[list[tuple[int, str]], set[str]]]:
    paths = [tree.root / rel for rel in tree.html_files]
    count = min(workers or os.cpu_count() or 1, 8, max(1, len(paths) // _PAGES_PER_WORKER))
    if count <= 1:
        yield from map(_parse_page, paths)
        return
    with ProcessPoolExecutor(max_workers=count) as pool:
        yield from pool.map(_parse_page, paths, chunksize=8)


def _check_html_page(
    tree: _Tree, rel: str, page: tuple[list[tuple[int, str]], set[str]], check_fragments: bool
) -> Iterator[DanglingLink]:
    links, ids = page
    for line, target in links:
        if not target or target.startswith("//") or _SCHEME.match(target):
            continue  # same page, or outside the site
        where = f"line {line}"
        if target.startswith("#"):
            fragment = unquote(target[1:])
            if check_fragments and fragment not in ("", "top") and fragment not in ids:
                yield DanglingLink(rel, where, target, f"#{fragment}")
            continue
        url_path = urlsplit(urljoin(f"{_BASE}/{rel}", target)).path
        missing = tree.missing(url_path)
        if missing is not None:
            yield DanglingLink(rel, where, target, missing)

"""Every path the site and the API will write is claimed once, compared case-insensitively.

Recipe and variant names become paths: `models/Qwen/x.yaml` is published as `Qwen/x.json`,
`Qwen/x/hw/h200.json` and the page `Qwen/x/index.html`. Two inputs that land on one path —
exactly, or only differing in case (macOS and Windows checkouts, and many static hosts, fold case)
— would silently overwrite each other, and a file where a folder must go (an org named
`models.json`) fails the build midway. So before anything is written, each input claims
the paths it will produce, and a second claim is an error naming both sources.

Claims are *files* (exact documents) and *folders* (everything below). A file clashes with a
file or folder of another owner whose case-folded path is equal; two folders that differ only in
case do not clash by themselves (the public reference has `Google/` recipes beside promoted
`google/` checkpoints), only through the files inside them (a provider page, a variant folder).
A few top-level names belong to the site itself (its assets, search index, the
API's own vocabulary files); an org may not use them.
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from builder.errors import Problem

if TYPE_CHECKING:
    from builder.models import Catalog

# Top-level names the site and API publish themselves (MkDocs + Material, our pages and files).
RESERVED_TOP = frozenset({
    "assets", "search", "schema", "browse", "strategies", "models.json", "taxonomy.json", "strategies.json",
    "platforms.json", "index.html", "404.html", "sitemap.xml", "sitemap.xml.gz", "robots.txt", "llms.txt",
})
_DOCS = Path(__file__).resolve().parents[2] / "site_src" / "docs"


@dataclass(frozen=True)
class Claim:
    path: str
    folder: bool
    source: str
    """The file that claims the path (shown in the message)."""
    key: str = ""
    """The key of that file that makes the claim (may be empty)."""
    owner: str = ""
    """Claims with the same owner never clash with each other (an org folder shared by its recipes)."""


def _docs_pages() -> set[str]:
    """Top-level names of the hand-written pages (`about/`, `docs/`)."""
    if not _DOCS.is_dir():
        return set()
    return {p.stem if p.suffix == ".md" else p.name for p in _DOCS.iterdir()}


def catalog_claims(catalog: Catalog) -> list[Claim]:
    """The paths each input file will be published at, in input order."""
    claims: list[Claim] = []
    for name in catalog.strategies:
        source = f"{catalog.root.name}/strategies/{name}.yaml"
        claims.append(Claim(f"strategies/{name}.json", False, source, "name", owner=f"strategy {name}"))
    known = {e.hf_id for e in catalog.recipes}
    for entry in catalog.recipes:
        org = entry.org
        # The provider page: orgs that differ only in case would share it.
        claims.append(Claim(f"{org}/index.html", False, entry.display, owner=f"org {org}"))
        bases = [(entry.hf_id, "")]
        for key, variant in entry.recipe.variants.items():
            model_id = variant.model_id
            if key != "default" and isinstance(model_id, str) and "/" in model_id and model_id not in known:
                bases.append((model_id, f"variants.{key}.model_id"))
        for base, key in bases:
            claims.append(Claim(f"{base}.json", False, entry.display, key, owner=f"base {base}"))
            claims.append(Claim(base, True, entry.display, key, owner=f"base {base}"))
        claims.append(Claim(f"{entry.hf_id}/index.html", False, entry.display, owner=f"base {entry.hf_id}"))
        for key in entry.recipe.variants:
            # Every variant writes below its own folder; stand for them with one file each.
            path = f"{entry.hf_id}/variants/{key}/"
            claims.append(Claim(path, False, entry.display, f"variants.{key}", owner=f"variant {path}"))
    return claims


def _top_level_problems(catalog: Catalog) -> list[Problem]:
    """Orgs and repos that would be hidden files, or that use a name the site publishes itself."""
    reserved = RESERVED_TOP | _docs_pages()
    found: list[Problem] = []
    for entry in catalog.recipes:
        org, _, repo = entry.hf_id.partition("/")
        if org.startswith(".") or repo.startswith("."):
            found.append(Problem(entry.display, message=f'"{entry.hf_id}" starts a path segment with ".": web servers '
                                                        "and GitHub Pages do not publish hidden files — rename the "
                                                        "folder or file"))
        elif org.lower() in {r.lower() for r in reserved}:
            found.append(Problem(entry.display, message=f'the org folder "{org}" would be published at /{org}/, which '
                                                        "the site uses for its own files; rename the folder"))
    return found


def clashes(claims: list[Claim]) -> list[tuple[Claim, Claim]]:
    """(first, second) for every claim that lands where an earlier claim of another owner writes.

    Files clash with files and folders whose case-folded paths are equal; two folders never clash
    by themselves (on a case-folding disk their files merge), only through the files inside.
    """
    files: dict[str, Claim] = {}
    folders: dict[str, Claim] = {}
    out: list[tuple[Claim, Claim]] = []
    for claim in claims:
        folded = claim.path.casefold()
        if claim.folder:
            earlier = files.get(folded)
            folders.setdefault(folded, claim)
        else:
            earlier = folders.get(folded) or files.get(folded)
            files.setdefault(folded, claim)
        if earlier is not None and (earlier.owner != claim.owner or earlier.path != claim.path):
            out.append((earlier, claim))
    return out


def _what(claim: Claim) -> str:
    return f"/{claim.path}{'/' if claim.folder else ''}"


def claim_problems(catalog: Catalog) -> list[Problem]:
    """Located errors for every output path claimed twice (or by a reserved or hidden name)."""
    found = _top_level_problems(catalog)
    flagged = {p.path for p in found}
    where = {e.display: e.where for e in catalog.recipes}
    for first, second in clashes(catalog_claims(catalog)):
        if second.source in flagged:
            continue
        line, column = (0, 0)
        if second.key and second.source in where:
            with contextlib.suppress(LookupError, TypeError, ValueError):
                line, column = where[second.source](tuple(second.key.split(".")))
        same_case = first.path == second.path
        why = "the same path" if same_case else "a path that differs only in letter case"
        found.append(Problem(second.source, line, column, second.key,
                             f"would be published at {_what(second)}, {why} as {_what(first)} from {first.source}"
                             f"{' (' + first.key + ')' if first.key else ''}; one would overwrite the other — "
                             "rename one of them"))
    return found

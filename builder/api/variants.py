"""Endpoints beyond the reference API: every variant of a recipe on every hardware.

The reference API renders the default variant and promoted checkpoints only. These files make
any (variant, hardware) pair addressable at a predictable path, with the same document shape:

    {hf_id}/variants.json                                   index: variant → facts, links, reasons
    {hf_id}/variants/{v}/hw/{hw}.json                       recommended rendering (like {hf_id}/hw/{hw}.json)
    {hf_id}/variants/{v}/hw/{hw}/strategies/{s}.json        its alternatives (like {hf_id}/strategies/{s}.json)

Reference paths are `{id}.json` and `{id}/hw|strategies/…` with ids of the form org/name, so
these cannot meet them; still, they are merged after the reference files and a path already taken
(as a file, or as a folder of one) is skipped with a reason, never overwritten.
Omni recipes get none, as they get no renderings in the reference API.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from builder.api.documents import hardware_document
from builder.api.renderings import Renderings
from builder.jsonout import dumps
from builder.models import Catalog, RecipeEntry
from builder.synth import NEWEST, Edition, SynthesisError
from builder.synth.select import hardware_choices, listed_hardware, no_rendering_reason, plan

_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def is_variant_endpoint(path: str) -> bool:
    """Whether an API path is one of these extra files (`org/repo/variants.json`, `org/repo/variants/…`)."""
    parts = path.split("/")
    return (len(parts) == 3 and parts[2] == "variants.json") or (len(parts) > 3 and parts[2] == "variants")


class _Claims:
    """Paths already written, as files and as folders: a new path must collide with neither."""

    def __init__(self, paths: Any) -> None:
        self.files: set[str] = set()
        self.dirs: set[str] = set()
        for path in paths:
            self._add(path)

    def _add(self, path: str) -> None:
        self.files.add(path)
        parts = path.split("/")
        self.dirs.update("/".join(parts[:i]) for i in range(1, len(parts)))

    def claim(self, path: str) -> bool:
        parts = path.split("/")
        under_a_file = any("/".join(parts[:i]) in self.files for i in range(1, len(parts)))
        if path in self.files or path in self.dirs or under_a_file:
            return False
        self._add(path)
        return True


def variant_endpoints(catalog: Catalog, taken: Iterable[str], warnings: list[str] | None = None,
                      edition: Edition = NEWEST, renderings: Renderings | None = None) -> dict[str, bytes]:
    """The variant endpoints of every non-omni recipe, none at a path in (or under) `taken`."""
    warnings = warnings if warnings is not None else []
    renderings = renderings if renderings is not None else Renderings(catalog, edition)
    claims = _Claims(taken)
    out: dict[str, bytes] = {}
    for entry in catalog.recipes:
        if entry.recipe.is_omni:
            continue
        for path, value in _recipe_files(catalog, entry, claims, warnings, edition, renderings).items():
            out[path] = dumps(value).encode("utf-8")
    return out


def with_variant_endpoints(catalog: Catalog, files: dict[str, bytes], warnings: list[str] | None = None,
                           edition: Edition = NEWEST, renderings: Renderings | None = None) -> dict[str, bytes]:
    """`files` (the reference API) followed by the variant endpoints."""
    return {**files, **variant_endpoints(catalog, files, warnings, edition, renderings)}


def _recipe_files(catalog: Catalog, entry: RecipeEntry, claims: _Claims, warnings: list[str],
                  edition: Edition, renderings: Renderings) -> dict[str, Any]:
    index_path = f"{entry.hf_id}/variants.json"
    if not claims.claim(index_path):
        warnings.append(f"{entry.display}: /{index_path} is already an API document; no variant endpoints")
        return {}
    docs: dict[str, Any] = {}
    index: dict[str, Any] = {}
    for key, variant in entry.recipe.variants.items():
        if not _SEGMENT.fullmatch(key):
            warnings.append(f"{entry.display}: variants.{key}: the key cannot be part of a URL; no variant endpoints")
            continue
        links, unavailable = _variant_files(catalog, entry, key, claims, docs, warnings, edition, renderings)
        index[key] = {
            "precision": variant.precision,
            "vram_minimum_gb": variant.vram_minimum_gb,
            "model_id": variant.model_id or entry.recipe.model.model_id,
            "description": variant.description,
            "default_hardware": next(iter(links), None),
            "hardware": links,
            "unavailable": unavailable,
        }
    docs[index_path] = {"hf_id": entry.hf_id, "variants": index}
    return docs


def _variant_files(catalog: Catalog, entry: RecipeEntry, key: str, claims: _Claims, docs: dict[str, Any],
                   warnings: list[str], edition: Edition,
                   renderings: Renderings) -> tuple[dict[str, str], dict[str, str]]:
    """Write one variant's documents into `docs`; return hardware → link and hardware → reason."""
    base = f"{entry.hf_id}/variants/{key}"
    choices = {c.id: c for c in hardware_choices(catalog, entry, key, edition)}
    reasons: dict[str, str] = {}
    for hw in catalog.taxonomy.hardware_profiles:
        if hw not in choices:
            reasons[hw] = "restricted profile that this recipe does not list under meta.hardware"
        elif choices[hw].incompatible:
            reasons[hw] = choices[hw].incompatible  # type: ignore[assignment]
    links: dict[str, str] = {}
    for hw in listed_hardware(catalog, entry, key, edition):
        if hw in reasons or hw not in catalog.taxonomy.hardware_profiles:
            continue
        why = _render(catalog, entry, key, hw, base, claims, docs, edition, renderings)
        if why is None:
            links[hw] = f"/{base}/hw/{hw}.json"
        else:
            reasons[hw] = why
            if why.startswith("cannot render"):
                warnings.append(f"{entry.display}: variants.{key} on {hw}: {why}")
    order = list(catalog.taxonomy.hardware_profiles)
    return links, {hw: reasons[hw] for hw in order if hw in reasons}


def _render(catalog: Catalog, entry: RecipeEntry, key: str, hw: str, base: str, claims: _Claims,
            docs: dict[str, Any], edition: Edition, renderings: Renderings) -> str | None:
    """Add `{base}/hw/{hw}.json` and its alternatives to `docs`; the reason when there is none."""
    if not _SEGMENT.fullmatch(hw):
        return "the hardware id cannot be part of a URL"
    planned = plan(catalog, entry, key, hw, edition)
    sel = planned.recommended if planned is not None else None
    if planned is None or sel is None or sel.variant != key:
        return no_rendering_reason(catalog, entry, key, hw, sel)
    try:
        render = renderings.get(entry, sel)
    except SynthesisError as err:
        return f"cannot render {sel.strategy}: {err}"
    path = f"{base}/hw/{hw}.json"
    if not claims.claim(path):
        return f"/{path} is already an API document"
    links: dict[str, str] = {}
    for alt_sel in planned.alternatives:
        name = alt_sel.kv_store or alt_sel.strategy
        alt_path = f"{base}/hw/{hw}/strategies/{name}.json"
        try:
            alt_doc = renderings.get(entry, alt_sel)
        except SynthesisError:
            continue  # a failing alternative is left out, as in the reference API
        if claims.claim(alt_path):
            docs[alt_path] = alt_doc
            links[name] = "/" + alt_path
    docs[path] = hardware_document(render, catalog.strategies_raw.get(sel.strategy),
                                   catalog.taxonomy_raw["hardware_profiles"].get(hw), links)
    return None

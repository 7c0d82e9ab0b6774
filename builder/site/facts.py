"""What the pages show about each recipe, computed once from the catalog and the JSON API.

Page generators read these frozen values rather than the catalog (only the fit matrix applies
the synthesis rules to the validated recipe). What depends on synthesis — the recommended
command — comes from the API document, so a page can never disagree with `/<hf_id>.json`.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from builder.models import HardwareProfile, Taxonomy

if TYPE_CHECKING:
    from builder.models import Catalog, RecipeEntry

# Display order of primary tasks on provider pages (spec §1.5); unknown tasks come last.
TASK_ORDER = ("multimodal", "text", "omni", "embedding")
_SIZE = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*([KMBT])\b", re.IGNORECASE)
_SCALE = {"K": 1e-6, "M": 1e-3, "B": 1.0, "T": 1e3}


@dataclass(frozen=True)
class VariantFacts:
    key: str
    label: str
    precision: str
    vram_gb: float
    description: str
    model_id: str | None


@dataclass(frozen=True)
class RecipeFacts:
    hf_id: str
    org: str
    repo: str
    url: str
    """Site-root URL of the recipe page, e.g. `zai-org/GLM-5.2/`."""
    title: str
    provider: str
    description: str
    headline: str
    date_updated: str
    date_added: str
    """`meta.date_added`, or `date_updated` when the recipe does not say (spec §1.4 [C])."""
    tasks: tuple[str, ...]
    architecture: str
    params: str
    active: str
    params_b: float | None
    context_length: int | None
    min_vllm: str
    nightly: bool
    omni: bool
    verified: tuple[str, ...]
    variants: tuple[VariantFacts, ...]
    related: tuple[str, ...]
    commands: tuple[tuple[str, str], ...]
    """The recommended command(s) from the API, labelled: one for a single node, head and
    worker for multi-node (`recommended_command.command` / `head_command` / `worker_command`)."""
    source: str
    """Recipe file relative to the recipes folder, e.g. `models/zai-org/GLM-5.2.yaml`."""

    @property
    def primary_task(self) -> str:
        return self.tasks[0] if self.tasks else "other"

    @property
    def default_variant(self) -> VariantFacts | None:
        return next((v for v in self.variants if v.key == "default"), self.variants[0] if self.variants else None)


@dataclass(frozen=True)
class SiteFacts:
    """Everything the page generators need, in catalog order."""

    recipes: tuple[RecipeFacts, ...]
    hardware: dict[str, HardwareProfile]
    """Taxonomy profiles in taxonomy order."""
    task_names: dict[str, str]

    @cached_property
    def _orgs(self) -> dict[str, tuple[RecipeFacts, ...]]:
        groups: dict[str, list[RecipeFacts]] = {}
        for r in self.recipes:
            groups.setdefault(r.org, []).append(r)
        named = {org: provider_name(rs, org) for org, rs in groups.items()}
        return {org: tuple(groups[org]) for org in sorted(groups, key=lambda o: (named[o].lower(), o))}

    @cached_property
    def _provider_names(self) -> dict[str, str]:
        return {org: provider_name(rs, org) for org, rs in self._orgs.items()}

    def by_org(self) -> dict[str, tuple[RecipeFacts, ...]]:
        """Recipes per org, orgs sorted by display name ignoring case (as readers see them)."""
        return self._orgs

    def provider(self, org: str) -> str:
        return self._provider_names.get(org, org)

    @cached_property
    def _by_id(self) -> dict[str, RecipeFacts]:
        return {r.hf_id: r for r in self.recipes}

    def get(self, hf_id: str) -> RecipeFacts | None:
        return self._by_id.get(hf_id)

    def task_name(self, task: str) -> str:
        return self.task_names.get(task, task.replace("_", " ").title())


def provider_name(recipes: Iterable[RecipeFacts], org: str) -> str:
    """The display name most recipes of an org use (`GLM (Z-AI)` for `zai-org`)."""
    names = Counter(r.provider for r in recipes if r.provider)
    return names.most_common(1)[0][0] if names else org


def params_in_billions(value: str) -> float | None:
    """`"743B"` → 743.0, `"1.2T"` → 1200.0, `"350M"` → 0.35; None when unparseable."""
    m = _SIZE.match(value or "")
    return float(m.group(1)) * _SCALE[m.group(2).upper()] if m else None


def taxonomy_of(catalog: Catalog) -> Taxonomy:
    typed = getattr(catalog, "taxonomy", None)
    return typed if isinstance(typed, Taxonomy) else Taxonomy.model_validate(catalog.taxonomy_raw)


def _commands(rec: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    labelled = (("Command", "command"), ("Head node", "head_command"), ("Worker nodes", "worker_command"))
    return tuple((label, rec[key]) for label, key in labelled if isinstance(rec.get(key), str))


def _source(entry: RecipeEntry, root: Path | None) -> str:
    path = Path(entry.path)
    if root is not None:
        try:
            return path.resolve().relative_to(Path(root).resolve()).as_posix()
        except ValueError:
            pass
    parts = path.as_posix().split("/")
    return "/".join(parts[parts.index("models"):]) if "models" in parts else path.name


def recipe_facts(entry: RecipeEntry, doc: dict[str, Any], hardware: dict[str, HardwareProfile],
                 root: Path | None = None) -> RecipeFacts:
    r = entry.recipe
    org, _, repo = entry.hf_id.partition("/")
    variants = tuple(
        VariantFacts(
            key=key,
            label=v.label or v.precision.upper(),
            precision=v.precision,
            vram_gb=float(v.vram_minimum_gb or 0),
            description=v.description,
            model_id=v.model_id,
        )
        for key, v in r.variants.items()
    )
    status = {hw: str(s) for hw, s in r.meta.hardware.items() if s}
    rec = doc.get("recommended_command") or {}
    return RecipeFacts(
        hf_id=entry.hf_id, org=org, repo=repo, url=f"{entry.hf_id}/",
        title=r.meta.title, provider=r.meta.provider, description=r.meta.description,
        headline=r.meta.performance_headline or "", date_updated=str(r.meta.date_updated),
        date_added=str(r.meta.date_added or r.meta.date_updated),
        tasks=tuple(r.meta.tasks), architecture=(r.model.architecture or "").lower(),
        params=r.model.parameter_count or "", active=r.model.active_parameters or "",
        params_b=params_in_billions(r.model.parameter_count or ""),
        context_length=r.model.context_length or None,
        min_vllm=r.model.min_vllm_version or "", nightly=bool(r.model.nightly_required),
        omni=r.is_omni,
        verified=tuple(hw for hw in hardware if status.get(hw) == "verified"),
        variants=variants, related=tuple(r.meta.related_recipes),
        commands=_commands(rec),
        source=_source(entry, root),
    )


def site_facts(catalog: Catalog, docs: dict[str, dict[str, Any]], root: Path | None = None) -> SiteFacts:
    """Facts for every recipe; `docs` maps hf id → its parsed API document."""
    taxonomy = taxonomy_of(catalog)
    hardware = dict(taxonomy.hardware_profiles)
    recipes = tuple(recipe_facts(e, docs.get(e.hf_id, {}), hardware, root) for e in catalog.recipes)
    return SiteFacts(recipes=recipes, hardware=hardware,
                     task_names={t.id: t.display_name for t in taxonomy.tasks})

"""The "as a file" part of a recipe's builder data: which templates fit which shown launch.

``d["mf"]`` lists templates (:mod:`builder.synth.manifests`); a usable pair's ``c["mf"]`` is
``[image, name, gpus, entries]`` with one entry per strategy of ``c["st"]``, -1 for no file:

* single node and multi-node: ``[compose, kubernetes]`` (the same for every node tab and every
  node count: the page fills the group's launches and ``@SIZE@``);
* prefill/decode: ``[prefill, decode]``, each ``[compose, [[kubernetes per pool mode] per pool
  size]]`` (sizes as the data's pools list them, 0 = the roles share a node). The router has none.

Each template is derived from real deployments (every node count and pool size) and must
be the same for all of them; otherwise that slot is -1 (no file offered rather than a wrong one).
:func:`builder.synth.lws.rank_mapping` checks every rank of each.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from builder.site.command_builder.space import (
    PD,
    POOL_SIZES,
    Combo,
    Deployments,
    largest_node_count,
    node_counts,
    pd_selection,
    pool_layouts,
    strategy_kind,
)
from builder.synth import NEWEST, Deployment, Edition, Selection
from builder.synth.lws import groups, templates
from builder.synth.manifests import k8s_name

if TYPE_CHECKING:
    from builder.models import Catalog, RecipeEntry

ROLES = ("prefill", "decode")


class FileTable:
    """The templates of one recipe (``mf``), shared by every pair that uses them."""

    def __init__(self, catalog: Catalog, entry: RecipeEntry, edition: Edition = NEWEST):
        self.catalog, self.entry, self.edition = catalog, entry, edition
        self.modes: tuple[str, ...] = ()
        self.templates: list[str] = []
        self.head: list[Any] | None = None

    def index(self, found: set[str | None]) -> int:
        """One template for every case it stands for, else -1."""
        if len(found) != 1 or None in found:
            return -1
        text = next(iter(found))
        assert text is not None
        if text not in self.templates:
            self.templates.append(text)
        return self.templates.index(text)

    def pair(self, c: Combo, names: list[str], modes: tuple[str, ...], runs: Deployments) -> list[Any] | None:
        """``c["mf"]`` of a pair (``modes``: the data's PD pool modes), or None when its commands run in no image.
        Its deployments are the base ones the encoder checked and stored (no features, no advanced options)."""
        self.head, self.modes = None, modes
        entries: list[Any] = []
        for name in names:
            kind = strategy_kind(self.catalog, name)
            if kind == PD:
                entries.append(self.pd(c, name, runs))
                continue
            counts = node_counts(self.catalog, name, largest_node_count(self.entry))
            found: tuple[set[str | None], set[str | None]] = (set(), set())
            for n in counts:
                dep = runs.maybe(Selection(c.variant, c.hardware, name, n))
                if dep is None:
                    continue
                self.see(dep)
                for group in groups(dep):
                    for slot, text in zip(found, templates(dep, group[0], self.catalog.profile(c.hardware)), strict=True):
                        slot.add(text)
            entries.append([self.index(found[0]), self.index(found[1])])
        return None if self.head is None else [*self.head, entries]

    def see(self, dep: Deployment) -> None:
        """The pair's image, name and GPUs per node, from its first deployment that runs in an image."""
        if self.head is None and dep.docker_image is not None:
            profile = self.catalog.profile(dep.selection.hardware)
            self.head = [dep.docker_image, k8s_name(str(dep.launches[0].argv[2])), profile.gpu_count or 1]

    def pd(self, c: Combo, name: str, runs: Deployments) -> list[Any]:
        """Per role: compose, then Kubernetes per pool size (``sizes`` of the data) per pool mode."""
        profile, sizes = self.catalog.profile(c.hardware), sorted({p for p, _ in POOL_SIZES})
        found: dict[tuple[str, int, str], set[str | None]] = {}
        for lay in pool_layouts(self.catalog, c, self.modes):
            if lay is None or lay.prefill_nodes != lay.decode_nodes or lay.prefill_mode != lay.decode_mode:
                continue
            dep = runs.maybe(pd_selection(c, name, lay))
            if dep is None:
                continue
            self.see(dep)
            for group in groups(dep):
                launch = group[0]
                if launch.role in ROLES:
                    compose, k8s = templates(dep, launch, profile)
                    found.setdefault((launch.role, -1, ""), set()).add(compose)
                    found.setdefault((launch.role, lay.prefill_nodes, lay.prefill_mode), set()).add(k8s)
        return [[self.index(found.get((role, -1, ""), {None})),
                 [[self.index(found.get((role, size, mode), {None})) for mode in self.modes] for size in sizes]]
                for role in ROLES]

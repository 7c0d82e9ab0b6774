"""The as-a-file view of multi-node and prefill/decode selections in a real browser: for every
launch tab, the page's compose file and Kubernetes manifest are builder.synth.lws.files' for
that launch, and each pod runs the argv `deploy` computed for its node (test_manifests.py)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from browser_support import GLM, data, open_recipe, shown_selection
from test_browser_builder import _popover
from test_manifests import check_compose, check_k8s

from builder.site.command_builder.space import run
from builder.synth.lws import files

pytestmark = pytest.mark.browser
KIMI = "moonshotai/Kimi-K3"


def _tap(page: Any, action: str, index: int) -> None:
    """Click a tab under the open popover without closing it (the event reaches the builder as a click)."""
    page.locator(f'.cb-ui [data-a="{action}"][data-i="{index}"]').dispatch_event("click")


def _show_node(page: Any, node: int) -> None:
    """Show node `node` (0-based): a pool's "Node n of N" input, or a node tab (multi-node)."""
    box = page.locator('.cb-ui input[data-a="rank"]')
    if box.count():
        box.fill(str(node + 1))
        box.dispatch_event("change")
    else:
        _tap(page, "node", node)


def _file(page: Any, which: int) -> str | None:
    _tap(page, "file", which)
    shown = page.locator(".cb-ui .cb-file")
    return shown.inner_text() if shown.count() else None


@pytest.mark.parametrize(("hf_id", "query", "kinds"), [
    (GLM, "?hardware=h200&strategy=multi_node_dep&nodes=3", {"LeaderWorkerSet"}),
    (GLM, "?hardware=h200&strategy=pd_cluster&prefill_nodes=2&decode_nodes=1", {"LeaderWorkerSet", "Deployment"}),
    (KIMI, "?hardware=h200&strategy=multi_node_tp_dp&nodes=2", {"LeaderWorkerSet"}),
])
def test_files_of_every_launch_tab(site: dict[str, Any], page: Any, tmp_path: Path, hf_id: str, query: str,
                                   kinds: set[str]) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "vllm").write_text("#!/bin/sh\nprintf 'vllm\\0'\nprintf '%s\\0' \"$@\"\n")
    (bin_dir / "vllm").chmod(0o755)
    catalog = site["catalog"]
    open_recipe(site, page, hf_id, query)
    d = data(page)
    sel = shown_selection(page, d)
    dep = run(catalog, catalog.entry(hf_id), sel)
    profile, pd = catalog.profile(sel.hardware), sel.strategy == "pd_cluster"
    _popover(page, "file")
    seen, checked = set(), 0
    for tab in range(3 if pd else len(dep.launches)):
        _tap(page, "tab", tab)
        group = [x for x in dep.launches if x.role == ("prefill", "decode", "router")[tab]] if pd else [dep.launches[tab]]
        for node, launch in enumerate(group):
            if len(group) > 1:
                _show_node(page, node)
            want = files(dep, launch, profile)
            got = (_file(page, 0), _file(page, 1))
            assert got == want, (hf_id, sel, tab, node)
            if launch.role == "router":
                assert "installs with pip" in page.locator(".cb-ui .cb-pop").inner_text()
                continue
            assert got[0] is not None and got[1] is not None
            check_compose(dep, launch, got[0])
            seen.add(check_k8s(dep, launch, got[1], catalog, bin_dir))
            checked += 1
    assert seen == kinds and checked == sum(x.role != "router" for x in dep.launches)
    page.keyboard.press("Escape")

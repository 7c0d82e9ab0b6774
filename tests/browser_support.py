"""Shared support of the browser tests: building a site, serving it, and reading the builder.

`build_site` runs `mkdocs build` for a recipe folder into a temporary folder and serves it on
127.0.0.1; the helpers read what the page shows (pressed pills, visible command) and compare it
with ``deploy`` for the selection the pressed pills stand for.
"""
from __future__ import annotations

import functools
import gzip
import http.server
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from builder.check import load_catalog
from builder.models import Catalog
from builder.site.command_builder.data import env_lines
from builder.site.command_builder.space import run
from builder.synth import Deployment, Selection

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "tests" / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
GLM = "zai-org/GLM-5.2"


def mkdocs_config(tmp: Path, recipes: Path | None = None) -> tuple[Path, Path]:
    """mkdocs.yml, or a copy for another recipe folder (`recipes`, else VLLM_RECIPES_DIR; paths made absolute)."""
    other = str(recipes) if recipes is not None else os.environ.get("VLLM_RECIPES_DIR")
    if not other:
        return REPO / "mkdocs.yml", REPO / "recipes"
    text = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    for key, value in (("docs_dir", REPO / "site_src" / "docs"), ("custom_dir", REPO / "site_src" / "overrides")):
        text = re.sub(rf"^(\s*{key}:).*$", lambda m, v=value: f"{m.group(1)} {v}", text, count=1, flags=re.M)
    text = re.sub(r"^(\s*)recipes_dir:.*$", lambda m: f"{m.group(1)}recipes_dir: {other}\n"
                  f"{m.group(1)}assets_dir: {REPO / 'site_src' / 'assets'}", text, count=1, flags=re.M)
    (tmp / "mkdocs.yml").write_text(text, encoding="utf-8")
    return tmp / "mkdocs.yml", Path(other)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


def require_chromium() -> None:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing (Debian package `chromium`); Playwright cannot download browsers here"
        if os.environ.get("RECIPES_REQUIRE_BROWSER"):  # CI installs it: a skip there would hide the browser tests
            pytest.fail(reason)
        pytest.skip(reason)


def serve_build(tmp: Path, config: Path) -> tuple[str, Path, Any]:
    """Build the site of `config` into tmp/out and serve it: (base URL, output folder, server)."""
    out = tmp / "out"
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(out)))
    base = f"http://127.0.0.1:{server.server_address[1]}"
    # Material follows only links listed in sitemap.xml (matched with the port), so build for this address.
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", SITE_URL=base + "/")
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config), "-d", str(out)],
                   check=True, cwd=REPO, env=env, timeout=900)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return base, out, server


def site_fixture(tmp: Path, browser: Any, recipes: Path | None = None) -> Iterator[dict[str, Any]]:
    config, folder = mkdocs_config(tmp, recipes)
    if recipes is None and not (folder / "models" / f"{GLM}.yaml").is_file():
        pytest.skip(f"{folder} has no {GLM} recipe yet; set VLLM_RECIPES_DIR to a complete recipe folder")
    base, out, server = serve_build(tmp, config)
    try:
        yield {"base": base, "out": out, "browser": browser, "catalog": load_catalog(folder), "checked": set()}
    finally:
        server.shutdown()


# ---- reading the page ---------------------------------------------------------------------

_DATA: dict[str, dict[str, Any]] = {}


def data(page: Any) -> dict[str, Any]:
    """The page's builder data (its choices), read once per recipe page."""
    path = page.evaluate("() => location.origin + location.pathname")
    if path not in _DATA:
        _DATA[path] = page.evaluate(
            "() => JSON.parse(document.querySelector('template[data-cb-data]').content.textContent)")
    return _DATA[path]


def pressed(page: Any) -> dict[str, list[int]]:
    return page.evaluate("""() => {
        const out = {};
        for (const b of document.querySelectorAll('.cb-ui [data-a][aria-pressed="true"]'))
            (out[b.dataset.a] = out[b.dataset.a] || []).push(+b.dataset.i);
        return out; }""")


def shown_toggles(on: dict[str, list[int]], d: dict[str, Any]) -> dict[str, Any]:
    """Selection.modes and Selection.advanced of the pressed mode pills (`md<k>`) and Advanced pills."""
    modes = tuple((d["ft"][row[0]][0], row[2][on[f"md{k}"][0]][0]) for k, row in enumerate(d.get("fm", []))
                  if f"md{k}" in on)
    return {"modes": modes, "advanced": tuple(d["ad"][k][0] for k in on.get("ad", []))}


def shown_selection(page: Any, d: dict[str, Any]) -> Selection:
    """The selection the pressed pills stand for — what the reader believes they chose."""
    return shown_kv(page, d, replace(_shown_selection(page, d), **shown_toggles(pressed(page), d)))


def shown_kv(page: Any, d: dict[str, Any], sel: Selection) -> Selection:
    """`sel` with the KV option the KV Offload row shows (and its Instances input); as is when Off."""
    on = pressed(page).get("kv", [-1])
    if "ko" not in d or on[0] < 0:
        return sel
    option = d["ko"][on[0]]
    if option[2] == 0:
        return replace(sel, kv_offload=option[0])
    count = int(page.locator('.cb-ui input[data-a="ki"]').input_value())
    return replace(sel, kv_store=option[0], instances=count)


def _shown_selection(page: Any, d: dict[str, Any]) -> Selection:
    on = pressed(page)
    variant, hw, strategy = d["var"][on["var"][0]][0], d["hw"][on["hw"][0]][0], d["st"][on["st"][0]]
    feats = tuple(f[0] for i, f in enumerate(d["ft"]) if i in on.get("ft", []))
    if strategy[4] == 2:
        modes = d["modes"]
        return Selection(variant, hw, strategy[0], 1, feats, pool_size(page, on, "pn"), pool_size(page, on, "dn"),
                         modes[on.get("pm", [0])[0]], modes[on.get("dm", [0])[0]])
    return Selection(variant, hw, strategy[0], on["n"][0] if strategy[4] == 1 else 1, feats)


def pool_size(page: Any, on: dict[str, list[int]], a: str) -> int:
    """Nodes of a prefill ("pn") or decode ("dn") pool: 0 when the "shared" pill is pressed, else
    the node-count input (or, on pages without one, the pressed size pill)."""
    if 0 in on.get(a, []):
        return 0
    box = page.locator(f'.cb-ui input[data-a="{a}"]')
    return int(box.input_value()) if box.count() else on[a][0]


def enter(page: Any, action: str, value: int) -> None:
    """Type a number into a builder input (pool node counts, the node shown) and commit it."""
    box = page.locator(f'.cb-ui input[data-a="{action}"]')
    box.fill(str(value))
    box.dispatch_event("change")


def show_node(page: Any, node: int) -> None:
    """Show node `node` (0-based) of the current tab's pool: the node input, or a node tab."""
    if page.locator('.cb-ui input[data-a="rank"]').count():
        enter(page, "rank", node + 1)
    else:
        click(page, "node", node)


def visible(page: Any) -> tuple[tuple[str, ...], str]:
    env = page.locator(".cb-ui .cb-env")
    lines = tuple(env.inner_text().split("\n")) if env.count() else ()
    return lines, page.locator(".cb-ui .cb-cmd").inner_text()


def click(page: Any, action: str, index: int) -> None:
    """Click pill `index` of a row; where the row has a number input instead (prefill/decode node
    counts beyond the "shared" pill), type the number into it."""
    pill = page.locator(f'.cb-ui [data-a="{action}"][data-i="{index}"]')
    if not pill.count() and page.locator(f'.cb-ui input[data-a="{action}"]').count():
        enter(page, action, index)
        return
    pill.click()


def check_all_tabs(site: dict[str, Any], page: Any, hf_id: str, docker: bool = False,
                   every_node: bool = True) -> Selection:
    """Compare every launch tab with ``deploy`` for the shown selection (with ``every_node=False``,
    of a pool of more than four nodes only the first two, a middle one and the last)."""
    d = data(page)
    sel = shown_selection(page, d)
    docker = docker or pressed(page).get("inst") == [1]  # e.g. TPUs, which have no pip install
    catalog: Catalog = site["catalog"]
    dep: Deployment = run(catalog, catalog.entry(hf_id), sel)
    if sel.kv_store or dep.companions:
        check_kv_steps(page, dep, docker)
        site["checked"].add((hf_id, sel, docker))
        return sel
    tabs = page.locator(".cb-ui .cb-tabs:not(.cb-nodes) [data-a='tab']").count()
    for tab in range(max(1, tabs)):
        if tabs:
            click(page, "tab", tab)
        if d["st"][[x[0] for x in d["st"]].index(sel.strategy)][4] == 2:
            role = ("prefill", "decode", "router")[tab]
            group = [l for l in dep.launches if l.role == role]
        else:
            group = [dep.launches[tab]]
        rank = page.locator('.cb-ui input[data-a="rank"]')
        first = int(rank.input_value()) - 1 if len(group) > 1 and rank.count() else 0
        for node, launch in enumerate(group):
            if not every_node and len(group) > 4 and node not in (0, 1, len(group) // 2, len(group) - 1):
                continue
            if len(group) > 1:
                show_node(page, node)
            env, command = visible(page)
            want = launch.docker_command if docker and launch.docker_command else launch.command
            assert command == want, (hf_id, sel, tab, node)
            assert env == (() if docker and launch.docker_command else tuple(env_lines(launch.env))), (hf_id, sel)
        if len(group) > 1 and rank.count():
            show_node(page, first)  # the node shown is part of the state (URL): leave it as found
    if tabs:
        click(page, "tab", 0)
    site["checked"].add((hf_id, sel, docker))
    return sel


def kv_steps(dep: Deployment) -> list[tuple[str, list[Any]]]:
    """(tab name, what each instance shows) of a deployment with launch steps, in launch order:
    companions, the Mooncake config, master and store, the vLLM launches, the router."""
    from builder.synth.kvstore import config_script, instance_launch

    steps: list[tuple[str, list[Any]]] = [(c["label"], [c["command"]]) for c in dep.companions]
    kv, count = dep.kv, dep.kv.instances if dep.kv else 1
    if kv is not None:
        steps += [("Mooncake Config", [config_script(kv)]), ("Mooncake Master", [kv.master["command"]])]
        if kv.store is not None:
            steps.append(("Mooncake Store", [kv.store["command"]]))
    many = len(dep.launches) > 1
    for i, launch in enumerate(dep.launches):
        name = ("Node " + str(i) if i else "Head") if many else "vLLM Serve"
        steps.append((name, [instance_launch(launch, n) if kv and count > 1 else launch for n in range(1, count + 1)]))
    if kv is not None and kv.router is not None:
        steps.append(("Router", [kv.router["command"]]))
    return steps


def check_kv_steps(page: Any, dep: Deployment, docker: bool) -> None:
    """Every launch step (and each instance of the vLLM steps) equals the deployment; cURL and
    Bench are enabled only on the step clients connect to."""
    steps = kv_steps(dep)
    names = page.locator(".cb-ui .cb-tabs [data-a='tab']").all_inner_texts()
    assert names == [f"{i + 1}. {name}" for i, (name, _) in enumerate(steps)], (names, dep.selection)
    count = dep.kv.instances if dep.kv else 1
    serving = [i for i, (name, _) in enumerate(steps) if name in ("vLLM Serve", "Head")]
    client = len(steps) - 1 if count > 1 else serving[0]
    for tab, (name, shown) in enumerate(steps):
        click(page, "tab", tab)
        picks = range(len(shown)) if len(shown) <= 3 else (0, 1, len(shown) - 1)
        for n in picks:
            if len(shown) > 1:
                box = page.locator('.cb-ui input[data-a="kn"]')
                box.fill(str(n + 1))
                box.dispatch_event("change")
            env, command = visible(page)
            want = shown[n]
            if isinstance(want, str):
                assert (env, command) == ((), want), (dep.selection, name)
                continue
            use_docker = docker and want.docker_command
            assert command == (want.docker_command if use_docker else want.command), (dep.selection, name, n)
            assert env == (() if use_docker else tuple(env_lines(want.env))), (dep.selection, name, n)
        curl = page.locator('.cb-ui [data-a="pop"][data-i="curl"]').get_attribute("aria-disabled")
        assert (curl is None) == (tab == client), (dep.selection, name, curl)
    if count > 1:
        click(page, "tab", len(steps) - 2)
        box = page.locator('.cb-ui input[data-a="kn"]')
        box.fill("1")
        box.dispatch_event("change")
    click(page, "tab", 0)


def copied(page: Any) -> str:
    page.locator(".cb-ui .cb-copy").click()
    page.wait_for_function("() => document.querySelector('.cb-ui .cb-copy').textContent === 'Copied'")
    return page.evaluate("() => navigator.clipboard.readText()")


def open_recipe(site: dict[str, Any], page: Any, hf_id: str, query: str = "") -> None:
    page.goto(f"{site['base']}/{hf_id}/{query}")
    page.wait_for_selector(".cb-ui .cb-cmd")


def page_requests(page: Any) -> list[str]:
    """Requests the page makes from now on, minus the favicon: Chromium refetches (revalidates) it
    itself whenever the URL changes, even on history.replaceState; no page script is involved."""
    seen: list[str] = []
    page.on("request", lambda r: None if r.url.endswith(("/favicon.png", "/favicon.svg")) else seen.append(r.url))
    return seen


def _gz(body: bytes) -> int:
    return len(gzip.compress(body, 6))




def gz(body: bytes) -> int:
    return len(gzip.compress(body, 6))

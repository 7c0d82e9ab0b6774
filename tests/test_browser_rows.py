"""More rows of the command builder in a real browser: Advanced options (see test_browser_builder.py)."""
from __future__ import annotations

from typing import Any

import pytest
from browser_support import GLM, check_all_tabs, click, data, open_recipe, pressed, visible

pytestmark = pytest.mark.browser


def test_advanced_options(site: dict[str, Any], page: Any) -> None:
    open_recipe(site, page, GLM, "?hardware=b200")
    keys = [x[0] for x in data(page)["ft"]]
    gpu, auto = keys.index("adv:gpu_mem_095"), keys.index("adv:max_model_len_auto")
    assert page.locator(".cb-ui .cb-row", has_text="Advanced").count() == 1
    click(page, "ft", gpu)
    check_all_tabs(site, page, GLM)
    assert visible(page)[1].endswith("--gpu-memory-utilization 0.95")
    assert "advanced=gpu_mem_095" in page.url and "features=" not in page.url
    click(page, "ft", auto)
    click(page, "st", [x[0] for x in data(page)["st"]].index("multi_node_dep"))
    check_all_tabs(site, page, GLM)
    click(page, "ft", keys.index("adv:ep_weight_filter"))
    sel = check_all_tabs(site, page, GLM)
    assert "adv:ep_weight_filter" in sel.features and "--enable-ep-weight-filter" in visible(page)[1]
    open_recipe(site, page, GLM, page.url[page.url.index("?"):])
    assert {gpu, auto} <= set(pressed(page)["ft"])
    check_all_tabs(site, page, GLM)

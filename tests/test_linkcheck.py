"""Link checker: small built trees in, exactly the dangling links out."""
from __future__ import annotations

import json
from pathlib import Path

from builder.write.linkcheck import DanglingLink, check_links


def write_tree(root: Path, files: dict[str, object]) -> Path:
    """Write ``files`` (path → text, or a JSON value) under ``root``."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return root


def api_tree() -> dict[str, object]:
    """A consistent JSON API for one recipe with a promoted variant."""
    return {
        "models.json": [
            {"hf_id": "org/a", "title": "A", "url": "/org/a", "json": "/org/a.json"},
            {"hf_id": "org/a-fp8", "url": "/org/a", "json": "/org/a-fp8.json", "derived_from": "org/a"},
        ],
        "org/a.json": {
            "hf_id": "org/a",
            "meta": {"title": "A", "related_recipes": ["org/a-fp8"]},
            "recommended_command": {
                "hardware": "h200", "strategy": "single_node_tp",
                "alternatives": {"single_node_tep": "/org/a/strategies/single_node_tep.json"},
                "by_hardware": {"h200": "/org/a/hw/h200.json", "b200": "/org/a/hw/b200.json"},
            },
            "variants": {"default": {}, "fp8": {"model_id": "org/a-fp8", "json": "/org/a-fp8.json"}},
        },
        "org/a/hw/h200.json": {
            "hardware": "h200", "strategy": "single_node_tp",
            "alternatives": {"single_node_tep": "/org/a/strategies/single_node_tep.json"},
        },
        "org/a/hw/b200.json": {
            "hardware": "b200", "strategy": "single_node_tp",
            "alternatives": {"single_node_tep": "/org/a/hw/b200/strategies/single_node_tep.json"},
        },
        "org/a/strategies/single_node_tep.json": {"hardware": "h200", "strategy": "single_node_tep"},
        "org/a/hw/b200/strategies/single_node_tep.json": {
            "hardware": "b200", "strategy": "single_node_tep",
        },
        "org/a-fp8.json": {
            "hf_id": "org/a-fp8",
            "meta": {"title": "A", "derived_from": "org/a", "variant": "fp8"},
            "variants": {"default": {}},
        },
    }


def test_consistent_json_tree_reports_nothing(tmp_path: Path) -> None:
    # No HTML anywhere, so the page URL "/org/a" is not looked for.
    assert check_links(write_tree(tmp_path, api_tree())) == []


def test_dangling_by_hardware_link_and_unknown_related_recipe(tmp_path: Path) -> None:
    files = api_tree()
    files["org/a.json"]["recommended_command"]["by_hardware"]["h100"] = "/org/a/hw/h100.json"
    files["org/a.json"]["meta"]["related_recipes"].append("org/gone")
    assert check_links(write_tree(tmp_path, files)) == [
        DanglingLink("org/a.json", "$.meta.related_recipes[1]", "/org/gone.json", "org/gone.json"),
        DanglingLink("org/a.json", "$.recommended_command.by_hardware.h100",
                     "/org/a/hw/h100.json", "org/a/hw/h100.json"),
    ]


def test_missing_documents_behind_every_json_link_kind(tmp_path: Path) -> None:
    files = api_tree()
    for rel in ("org/a-fp8.json", "org/a/strategies/single_node_tep.json",
                "org/a/hw/b200/strategies/single_node_tep.json"):
        del files[rel]
    found = check_links(write_tree(tmp_path, files))
    assert [(link.file, link.where) for link in found] == [
        ("models.json", "$[1].json"),
        ("org/a.json", "$.meta.related_recipes[0]"),
        ("org/a.json", "$.recommended_command.alternatives.single_node_tep"),
        ("org/a.json", "$.variants.fp8.json"),
        ("org/a/hw/b200.json", "$.alternatives.single_node_tep"),
        ("org/a/hw/h200.json", "$.alternatives.single_node_tep"),
    ]


def test_derived_from_must_name_an_existing_recipe(tmp_path: Path) -> None:
    files = api_tree()
    files["org/a-fp8.json"]["meta"]["derived_from"] = "org/parent"
    files["models.json"][1]["derived_from"] = "org/parent"
    assert [str(link) for link in check_links(write_tree(tmp_path, files))] == [
        'models.json: $[1].derived_from: link "/org/parent.json" leads nowhere '
        "(org/parent.json does not exist)",
        'org/a-fp8.json: $.meta.derived_from: link "/org/parent.json" leads nowhere '
        "(org/parent.json does not exist)",
    ]


PAGE = """<!doctype html>
<html><head>
<link rel="stylesheet" href="../../assets/site.css?v=3">
<script src="/assets/app.js"></script>
</head><body>
<h2 id="usage">Usage</h2>
<a href="#usage">here</a> <a href="#setup">setup</a> <a href="#">top</a>
<a href="../">org</a> <a href="/org/b/">missing page</a>
<a href="/org/a.json#x">json</a> <img src="logo.png">
<a href="https://huggingface.co/org/a">hf</a> <a href="mailto:x@example.com">mail</a>
<img src="data:image/png;base64,AAAA"> <a href="//cdn.example.com/x.js">cdn</a>
<!-- <a href="/commented-out/">old</a> -->
</body></html>
"""


def site_tree() -> dict[str, object]:
    files = api_tree()
    files.update({
        "index.html": '<a href="org/a/">A</a>\n<a href="org/">org</a>\n',
        "org/index.html": '<a href="a/">A</a>',
        "org/a/index.html": PAGE,
        "assets/site.css": "",
        "assets/app.js": "",
    })
    return files


def test_html_links_report_missing_pages_images_and_fragments(tmp_path: Path) -> None:
    found = check_links(write_tree(tmp_path, site_tree()))
    assert [(link.file, link.line, link.target, link.missing) for link in found] == [
        ("org/a/index.html", 7, "#setup", "#setup"),
        ("org/a/index.html", 8, "/org/b/", "org/b/index.html"),
        ("org/a/index.html", 9, "logo.png", "org/a/logo.png"),
    ]


def test_fragment_check_can_be_switched_off(tmp_path: Path) -> None:
    found = check_links(write_tree(tmp_path, site_tree()), check_fragments=False)
    assert "#setup" not in [link.target for link in found]


def test_page_urls_in_json_are_checked_once_the_site_has_pages(tmp_path: Path) -> None:
    files = site_tree()
    files["models.json"].append({"hf_id": "org/c", "url": "/org/c", "json": "/org/a.json"})
    found = check_links(write_tree(tmp_path, files))
    assert DanglingLink("models.json", "$[2].url", "/org/c", "org/c/index.html") in found
    # "/org/a" is a directory with an index page: it resolves
    assert not [link for link in found if link.target == "/org/a"]


def test_clean_site_with_pages_reports_nothing(tmp_path: Path) -> None:
    files = site_tree()
    files["org/a/index.html"] = PAGE.replace("#setup", "#usage").replace("/org/b/", "/org/").replace(
        'src="logo.png"', 'src="../../assets/site.css"')
    assert check_links(write_tree(tmp_path, files)) == []


def test_dangling_link_reads_as_a_located_problem(tmp_path: Path) -> None:
    files = site_tree()
    found = check_links(write_tree(tmp_path, files))
    assert str(found[1].as_problem()) == (
        'org/a/index.html:8:1: link "/org/b/" leads nowhere (org/b/index.html does not exist)'
    )


def test_parsing_pages_in_worker_processes_finds_the_same_links(tmp_path: Path) -> None:
    pages = {f"p{i}/index.html": f'<a href="../p{i + 1}/">next</a>' for i in range(40)}
    write_tree(tmp_path, pages)
    in_workers = check_links(tmp_path, workers=2)
    assert in_workers == check_links(tmp_path, workers=1)
    assert [(link.file, link.missing) for link in in_workers] == [("p39/index.html", "p40/index.html")]

"""The published site, end to end: a tiny recipe folder in, `mkdocs build --strict` out.

Each test reads the built files the way a visitor (or a crawler) would see them.
"""
from __future__ import annotations

import html
import json
import re
import textwrap
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort

from builder.site.pages.guide import guide_markdown

REPO = Path(__file__).resolve().parent.parent

TAXONOMY = """
hardware_profiles:
  h100: {brand: NVIDIA, generation: hopper, display_name: "H100", description: "8x H100", gpu_count: 8, vram_gb: 640}
  h200: {brand: NVIDIA, generation: hopper, display_name: "H200", description: "8x H200", gpu_count: 8, vram_gb: 1128}
  b200: {brand: NVIDIA, generation: blackwell, display_name: "B200", description: "8x B200", gpu_count: 8, vram_gb: 1440}
tasks:
  - {id: text, display_name: "Text"}
  - {id: embedding, display_name: "Embedding"}
strategies: [single_node_tp, multi_node_tp]
"""

SINGLE_NODE_TP = """
name: single_node_tp
deploy_type: single_node
display_name: "Tensor Parallel"
parallel_flag: "--tensor-parallel-size"
"""

MULTI_NODE_TP = """
name: multi_node_tp
deploy_type: multi_node
display_name: "Multi-Node Tensor Parallel"
parallel_flag: "--tensor-parallel-size"
"""

BIG_MOE = """
meta:
  title: "Big MoE"
  provider: "Acme AI"
  description: "A <b>big</b> \\"mixture\\" of experts"
  date_updated: "2026-05-02"
  tasks: [text]
  related_recipes: ["acme/Tiny-1B"]
  hardware: {b200: verified}
model:
  model_id: "acme/Big-MoE"
  min_vllm_version: "0.20.0"
  architecture: moe
  parameter_count: "800B"
  active_parameters: "40B"
  context_length: 131072
variants:
  default: {precision: fp8, vram_minimum_gb: 800, description: "FP8 weights"}
  nvfp4: {model_id: "nvidia/Big-MoE-NVFP4", precision: nvfp4, vram_minimum_gb: 500, description: "NVFP4"}
compatible_strategies: [single_node_tp, multi_node_tp]
guide: |
  Intro <script>alert(1)</script> text.

  ## Usage

  <img src=x onerror="alert(2)"> Start the server:

  ```bash
  # not a heading
  vllm serve acme/Big-MoE
  ```

  | GPU | Nodes |
  |-----|-------|
  | H100 | 2 |

  [bad](javascript:alert(3))
"""

TINY = """
meta:
  title: "Tiny 1B"
  provider: "Acme AI"
  description: "A tiny dense model"
  date_updated: "2026-06-01"
  tasks: [text]
model:
  model_id: "acme/Tiny-1B"
  architecture: dense
  parameter_count: "1B"
variants:
  default: {model_id: "acme/Tiny-1B-Instruct", precision: bf16, vram_minimum_gb: 3}
compatible_strategies: [single_node_tp]
guide: "Just run it."
"""

EMBED = """
meta:
  title: "Embed S"
  provider: "Other Lab"
  description: "Small embedding model"
  date_updated: "2026-01-10"
  tasks: [embedding]
model:
  model_id: "other/Embed-S"
  parameter_count: "300M"
variants:
  default: {precision: bf16, vram_minimum_gb: 1}
compatible_strategies: [single_node_tp]
"""


def write_tree(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())


def fixture_recipes(root: Path, **extra: str) -> Path:
    recipes = root / "recipes"
    write_tree(recipes, {
        "taxonomy.yaml": TAXONOMY,
        "strategies/single_node_tp.yaml": SINGLE_NODE_TP,
        "strategies/multi_node_tp.yaml": MULTI_NODE_TP,
        "models/acme/Big-MoE.yaml": BIG_MOE,
        "models/acme/Tiny-1B.yaml": TINY,
        "models/other/Embed-S.yaml": EMBED,
        **extra,
    })
    (recipes / "kv_store").mkdir(exist_ok=True)  # the 2026-08 edition needs the folder; empty is fine
    return recipes


def build_site(recipes: Path, site_dir: Path, **options: str) -> None:
    config = load_config(str(REPO / "mkdocs.yml"), site_dir=str(site_dir),
                         plugins={"recipes": {"recipes_dir": str(recipes), **options}})
    config.plugins.on_startup(command="build", dirty=False)
    try:
        build(config)  # mkdocs.yml sets strict: any warning aborts the build
    finally:
        config.plugins.on_shutdown()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("site")
    recipes = fixture_recipes(root)
    build_site(recipes, root / "site")
    return root / "site"


def read(site: Path, rel: str) -> str:
    return (site / rel).read_text(encoding="utf-8")


def text_of(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def test_recipe_page_shows_title_badges_and_links(site: Path) -> None:
    page = read(site, "acme/Big-MoE/index.html")
    assert "<title>acme/Big-MoE - vLLM Recipes</title>" in page
    badges = text_of(re.search(r'<div class="badges">(.*?)</div>', page).group(1))
    for badge in ("MoE", "800B / 40B", "131,072 ctx", "vLLM 0.20.0+", "Text"):
        assert badge in badges
    assert "Verified on" in page and 'href="?hardware=b200#command"' in page
    assert 'href="../Tiny-1B/"' in page  # related recipe
    assert "Edit this recipe" in page
    assert "https://github.com/vllm-project/recipes/edit/main/recipes/models/acme/Big-MoE.yaml" in page
    assert '<time datetime="2026-05-02">2026-05-02</time>' in page


def test_recipe_strings_are_escaped(site: Path) -> None:
    page = read(site, "acme/Big-MoE/index.html")
    assert "A &lt;b&gt;big&lt;/b&gt; &quot;mixture&quot; of experts" in page
    assert "<b>big</b>" not in page


def test_guide_cannot_inject_scripts_but_keeps_structure(site: Path) -> None:
    for rel in ("acme/Big-MoE/index.html", "search.json"):
        out = read(site, rel)
        assert "alert(" not in out, rel
        assert "onerror" not in out, rel
        assert "javascript:" not in out, rel
    page = read(site, "acme/Big-MoE/index.html")
    assert re.search(r'<h2 id="usage">Usage', page)
    assert 'href="#usage"' in page  # table of contents entry
    assert "<table>" in page and "<td>H100</td>" in page
    assert "# not a heading" in text_of(page)
    assert "Intro" in page and "text." in page


def test_no_js_command_matches_api(site: Path) -> None:
    doc = json.loads(read(site, "acme/Big-MoE.json"))
    command = doc["recommended_command"]["command"]
    page = read(site, "acme/Big-MoE/index.html")
    blocks = [text_of(m) for m in re.findall(r"<pre[^>]*>(.*?)</pre>", page, re.DOTALL)]
    assert command in [b.strip("\n") for b in blocks]


def test_fit_matrix_cells(site: Path) -> None:
    page = read(site, "acme/Big-MoE/index.html")
    matrix = re.search(r'<table class="fit-matrix">(.*?)</table>', page, re.DOTALL).group(1)
    assert 'href="?hardware=h100&amp;variant=default#command"' in matrix
    rows = {text_of(r.split("</th>")[0]): text_of(r) for r in re.findall(r"<tr>(.*?)</tr>", matrix, re.DOTALL)[1:]}
    fp8 = next(v for k, v in rows.items() if k.startswith("FP8"))
    nvfp4 = next(v for k, v in rows.items() if k.startswith("NVFP4"))
    assert "2 nodes" in fp8 and "1 node" in fp8  # 800 GB: two H100 nodes, one H200
    assert nvfp4.count("Blackwell only") == 2  # H100 and H200


def test_variant_checkpoint_redirects_to_parent(site: Path) -> None:
    page = read(site, "nvidia/Big-MoE-NVFP4/index.html")
    assert '<meta name="robots" content="noindex">' in page
    assert 'content="0; url=../../acme/Big-MoE/?variant=nvfp4"' in page
    assert '<a href="../../acme/Big-MoE/?variant=nvfp4">acme/Big-MoE</a>' in page
    assert "location.replace" in page
    assert "nvidia/Big-MoE-NVFP4/" not in read(site, "sitemap.xml")


def test_default_checkpoint_lands_on_its_recipe(site: Path) -> None:
    page = read(site, "acme/Tiny-1B-Instruct/index.html")
    assert 'content="0; url=../Tiny-1B/"' in page and "noindex" in page


def test_json_api_is_served_at_its_own_paths(site: Path) -> None:
    models = json.loads(read(site, "models.json"))
    listed = {m["hf_id"] for m in models}
    assert {"acme/Big-MoE", "acme/Tiny-1B", "other/Embed-S", "nvidia/Big-MoE-NVFP4"} <= listed
    for m in models:
        assert (site / m["json"].lstrip("/")).is_file(), m["json"]
    by_hw = json.loads(read(site, "acme/Big-MoE.json"))["recommended_command"]["by_hardware"]
    for path in by_hw.values():
        assert (site / path.lstrip("/")).is_file(), path


def test_browse_lists_every_recipe(site: Path) -> None:
    index = json.loads(read(site, "browse/index.json"))
    assert {r["id"] for r in index["recipes"]} == {"acme/Big-MoE", "acme/Tiny-1B", "other/Embed-S"}
    big = next(r for r in index["recipes"] if r["id"] == "acme/Big-MoE")
    assert big["verified"] == ["b200"] and big["size"] == "l" and big["precisions"] == ["fp8", "nvfp4"]
    page = read(site, "browse/index.html")
    for rel in ("../acme/Big-MoE/", "../acme/Tiny-1B/", "../other/Embed-S/"):
        assert f'href="{rel}"' in page
    assert 'data-browse-index="index.json"' in page


def test_home_and_provider_pages(site: Path) -> None:
    home = read(site, "index.html")
    assert home.index("Tiny-1B") < home.index("Embed-S")  # latest first, one card per provider
    assert "Big-MoE" not in text_of(home.split("Browse by provider")[0].split("Latest recipes")[1])
    assert 'href="acme/"' in home and "Acme AI" in home
    provider = read(site, "acme/index.html")
    assert "Acme AI on vLLM" in provider
    assert re.search(r'<h2 id="task-text">Text \(2\)', provider)
    assert 'class="prov-nav"' in provider  # providers sidebar


def test_recipe_error_fails_the_build_with_its_location(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    broken = BIG_MOE.replace('  title: "Big MoE"\n', "")
    recipes = fixture_recipes(tmp_path, **{"models/acme/Big-MoE.yaml": broken})
    with pytest.raises(Abort):  # MkDocs logs a PluginError's message as one ERROR line, then aborts
        build_site(recipes, tmp_path / "site")
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert errors == [m for m in errors if "Traceback" not in m]
    assert any(m.startswith("recipes/models/acme/Big-MoE.yaml:") and "title" in m for m in errors), errors
    assert not (tmp_path / "site" / "index.html").exists()


def test_seo_files(site: Path) -> None:
    page = read(site, "acme/Big-MoE/index.html")
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page).group(1))
    app, crumbs = ld["@graph"]
    assert app["name"] == "acme/Big-MoE" and app["softwareRequirements"] == "vLLM >= 0.20.0"
    assert [c["name"] for c in crumbs["itemListElement"]] == ["Recipes", "Acme AI", "Big-MoE"]
    assert "Sitemap: https://recipes.vllm.ai/sitemap.xml" in read(site, "robots.txt")
    assert "https://recipes.vllm.ai/browse/" in read(site, "sitemap.xml")
    # Share cards: a pre-drawn PNG per recipe, large-image Twitter cards, breadcrumbs everywhere.
    assert '<meta property="og:image" content="https://recipes.vllm.ai/og/acme/Big-MoE.png">' in page
    assert (site / "og" / "acme" / "Big-MoE.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert '<meta name="twitter:card" content="summary_large_image">' in page
    for rel in ("index.html", "browse/index.html", "acme/index.html", "docs/api/index.html"):
        ld = re.search(r'<script type="application/ld\+json">(.*?)</script>', read(site, rel)).group(1)
        assert '"BreadcrumbList"' in ld, rel


def test_guide_headings_are_cut_outside_code_fences_only() -> None:
    md = guide_markdown("# Title\n\n```bash\n# comment\n```\n\n~~~\n## not either\n~~~\n\n### Sub `x_y`\ntext\n")
    headings = [line for line in md.splitlines() if line.startswith("#")]
    assert headings == ["## Title", "#### Sub `x_y`"]  # a `#` title is shifted below the page title
    assert "# comment" in md and "## not either" in md


def test_the_site_follows_the_api_version_of_its_plugin_config(site: Path, tmp_path: Path) -> None:
    """Default: the newest edition (KV-store index, worker arrays); `api_version: 2026-06` the June one."""
    newest = json.loads(read(site, "acme/Big-MoE/hw/h100.json"))  # 800 GB on a 640 GB node: multi-node
    assert (site / "kv_store.json").is_file() and "worker_argvs" in newest
    build_site(fixture_recipes(tmp_path), tmp_path / "site", api_version="2026-06")
    june = json.loads(read(tmp_path / "site", "acme/Big-MoE/hw/h100.json"))
    assert not (tmp_path / "site" / "kv_store.json").exists() and "worker_argvs" not in june
    assert june["head_argv"] == newest["head_argv"]

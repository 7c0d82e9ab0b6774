"""The MkDocs adapter: MkDocs asks, the builder answers.

Lifecycle of one build (MkDocs 1.6 plugin events, in the order MkDocs fires them):

* ``on_startup``  — remember whether we are serving (the instance then lives across rebuilds).
* ``on_config``   — load the recipe catalog, build the JSON API and all site pages, once per
  build. A recipe error stops the build with its located message (no traceback).
* ``on_files``    — add the generated Markdown pages, the JSON API files, the browse index,
  the variant redirects and `site_src/assets/*` to the build as generated files.
* ``on_page_content`` — sanitize the rendered body of generated pages (defence in depth: guides
  are already sanitized by the builder).
* ``on_page_context`` — hand the templates what they need beyond the page body: the providers
  sidebar, and for recipe pages the body split around the command builder plus the builder's
  own context (`recipe_builder`) or, until it exists, the default command.
* ``on_serve``    — watch the recipes, `site_src/` and the builder's own code.

Nothing here computes page content; that all happens in :func:`builder.site.pages.build_site`.
"""
from __future__ import annotations

import importlib.util
import logging
import sys
import time
from pathlib import Path
from typing import Any, Optional
from urllib.parse import urljoin

from mkdocs.config import config_options as opt
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

log = logging.getLogger("mkdocs.plugins.recipes")

BUILDER_DIR = Path(__file__).resolve().parent.parent


class RecipesPluginConfig(Config):
    recipes_dir = opt.Type(str, default="recipes")
    """Recipe folder (`models/`, `taxonomy.yaml`, …), relative to `mkdocs.yml`."""
    assets_dir = opt.Type(str, default="site_src/assets")
    """Static files published under `/assets/`, relative to `mkdocs.yml`."""
    watch = opt.ListOfItems(opt.Type(str), default=["site_src"])
    """Extra folders `mkdocs serve` watches, relative to `mkdocs.yml` (recipes and builder always)."""


class RecipesPlugin(BasePlugin[RecipesPluginConfig]):
    def __init__(self) -> None:
        self._serving = False
        self._code_stamp: Optional[float] = None
        self._catalog: Any = None
        self._api: dict[str, bytes] = {}
        self._extras: dict[str, bytes] = {}
        self._site: Any = None
        self._recipes_rel = "recipes"

    # -- paths ------------------------------------------------------------------------------
    def _base(self, config: MkDocsConfig) -> Path:
        return Path(config.config_file_path or ".").resolve().parent

    def _recipes_dir(self, config: MkDocsConfig) -> Path:
        return (self._base(config) / self.config.recipes_dir).resolve()

    # -- events -----------------------------------------------------------------------------
    def on_startup(self, *, command: str, dirty: bool) -> None:
        self._serving = command == "serve"

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        if self._serving:
            self._reload_builder_if_changed()
        from builder.errors import RecipeError

        started = time.perf_counter()
        root = self._recipes_dir(config)
        try:
            self._recipes_rel = root.relative_to(self._base(config)).as_posix()
        except ValueError:  # recipes outside the repository: best guess is the folder name
            self._recipes_rel = root.name
        try:
            from builder.api import build_api
            from builder.check import load_catalog
            from builder.site.pages import build_site

            self._catalog = load_catalog(root)
            self._api = build_api(self._catalog)
            self._site = build_site(self._catalog, self._api, self._options(config), root=root)
            from builder.site.pages.extras import site_extra_files
            self._extras = site_extra_files(self._catalog, self._api, site_url=config.site_url)
        except RecipeError as err:
            raise PluginError(str(err)) from None
        log.info("recipes: %d recipes, %d pages, %d API files in %.2fs", len(self._catalog.recipes),
                 len(self._site.pages), len(self._api), time.perf_counter() - started)
        return config

    def _assets(self, config: MkDocsConfig) -> list[Path]:
        folder = self._base(config) / self.config.assets_dir
        return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []

    def _options(self, config: MkDocsConfig) -> Any:
        from builder.site.pages import SiteOptions

        repo = (config.repo_url or "").rstrip("/") or None
        site_url = config.site_url or None
        if not repo or not config.edit_uri:
            return SiteOptions(repo_url=repo, site_url=site_url)
        edit = urljoin(repo + "/", config.edit_uri.strip("/") + "/")
        return SiteOptions(repo_url=repo, edit_base=f"{edit}{self._recipes_rel}/", site_url=site_url)

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        site = self._site
        clashes = [uri for uri in site.pages if files.get_file_from_path(uri) is not None]
        if clashes:
            raise PluginError("Generated pages collide with files in docs_dir: " + ", ".join(sorted(clashes)))
        for page in site.pages.values():
            # Only home and browse are in the nav; the rest are reached through them.
            inclusion = InclusionLevel.UNDEFINED if page.kind in ("home", "browse") else InclusionLevel.NOT_IN_NAV
            f = File.generated(config, page.src_uri, content=page.markdown, inclusion=inclusion)
            f.edit_uri = f"{self._recipes_rel}/{page.source}" if page.source else None
            files.append(f)
        for path, data in {**self._api, **site.files, **self._extras}.items():
            files.append(File.generated(config, path, content=data))
        folder = self._base(config) / self.config.assets_dir
        for src in self._assets(config):
            files.append(File.generated(config, "assets/" + src.relative_to(folder).as_posix(), abs_src_path=str(src)))
        # Hand-written docs live in site_src/docs: point their edit links there.
        docs_rel = self._docs_rel(config)
        for f in files.documentation_pages():
            if f.generated_by is None and docs_rel:
                f.edit_uri = f"{docs_rel}/{f.src_uri}"
        return files

    def _docs_rel(self, config: MkDocsConfig) -> Optional[str]:
        try:
            return Path(config.docs_dir).resolve().relative_to(self._base(config)).as_posix()
        except ValueError:
            return None

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        # Hand-written docs may embed generated content (the recipe key table of docs/authoring.md).
        from builder.models.schema import expand_key_table

        return expand_key_table(markdown) if page.file.generated_by is None else markdown

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        if page.file.src_uri not in self._site.pages:
            return html
        from builder.site.html.sanitize import clean_html

        return clean_html(html)

    def on_page_context(self, context: dict[str, Any], *, page: Page, config: MkDocsConfig, nav: Any) -> dict[str, Any]:
        generated = self._site.pages.get(page.file.src_uri)
        if generated is None:
            return context
        context["recipe_sidebar"] = self._site.sidebar(generated)
        context["recipe_jsonld"] = self._site.json_ld(generated)
        if generated.kind == "recipe":
            from builder.site.pages.recipe import split_at_slot

            context["recipe_before"], context["recipe_after"] = split_at_slot(page.content or "")
            context.update(self._builder_context(generated.hf_id))
        return context

    def _builder_context(self, hf_id: str) -> dict[str, Any]:
        """The command builder's context (`recipe_builder`), and the plain recommended commands
        (`recipe_commands`) that `recipe.html` shows when there is no builder for the page."""
        facts = self._site.facts.get(hf_id)
        context: dict[str, Any] = {"recipe_builder": None, "recipe_commands": facts.commands if facts else ()}
        # Optional module: absent means "not written yet"; if present, its errors must surface.
        if importlib.util.find_spec("builder.site.command_builder") is not None:
            from builder.site import command_builder

            entry = next(e for e in self._catalog.recipes if e.hf_id == hf_id)
            context["recipe_builder"] = command_builder.page_context(self._catalog, entry, self._api)
        return context

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        # Recipe pages show untrusted recipe text: pin what may run (builder/site/command_builder/csp.py).
        generated = self._site.pages.get(page.file.src_uri)
        if generated is None or generated.kind != "recipe":
            return output
        from builder.site.command_builder.csp import with_csp

        return with_csp(output)

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        base = self._base(config)
        watched = [self._recipes_dir(config), BUILDER_DIR] + [base / w for w in self.config.watch]
        for path in watched:
            if path.exists():
                server.watch(str(path))
        return server

    # -- serve-time code reload -------------------------------------------------------------
    def _reload_builder_if_changed(self) -> None:
        """Let edits to `builder/*.py` take effect on the next `mkdocs serve` rebuild.

        The plugin module itself stays loaded (MkDocs holds this instance); every other
        `builder` module is dropped from `sys.modules` so the imports in `on_config` load
        the edited code.
        """
        stamp = max((p.stat().st_mtime for p in BUILDER_DIR.rglob("*.py")), default=0.0)
        if self._code_stamp is not None and stamp != self._code_stamp:
            for name in [n for n in sys.modules if n == "builder" or n.startswith("builder.")]:
                if name != __name__:
                    del sys.modules[name]
            log.info("recipes: builder code changed, reloaded")
        self._code_stamp = stamp

"""The MkDocs adapter: MkDocs asks, the builder answers.

Lifecycle of one build (MkDocs 1.6 plugin events, in the order MkDocs fires them):

* ``on_startup``  — remember whether we are serving (the instance then lives across rebuilds).
* ``on_config``   — warn about placeholder `site_url`/`repo_url` (an error under `--strict`), load
  the recipe catalog, build the JSON API, all site pages, every recipe's command-builder data and the
  share cards (reusing unchanged recipes' work: builder.site.memo), once per build and before any page
  renders. A recipe error stops the build with its located message (no traceback).
* ``on_files``    — add the generated Markdown pages, the JSON API files, the browse index, the
  redirects, the share cards, our marks (logo, favicon, `assets/providers.css`) and
  `site_src/assets/*` to the build as generated files.
* ``on_page_content`` — sanitize the rendered body of generated pages (defence in depth: guides
  are already sanitized by the builder).
* ``on_page_context`` — hand the templates what they need beyond the page body: the providers
  sidebar, JSON-LD and the share card of every page, and for recipe pages the body split around
  the command builder plus the builder's own context (`recipe_builder`; None for omni recipes,
  which show their plain commands). Hand-written pages give their headings to the search index.
* ``on_env`` — keep compiled templates; ``on_post_build`` — write `search.json` (recipes, providers,
  those headings); ``on_serve`` — watch the recipes, `site_src/` and the builder's own code.

Nothing here computes page content; that all happens in :func:`builder.site.pages.build_site`.
"""
from __future__ import annotations

import logging
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

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
    api_version = opt.Optional(opt.Type(str))
    """API edition the JSON API and the command builder follow (`2026-08`, `2026-06`); default newest."""


class RecipesPlugin(BasePlugin[RecipesPluginConfig]):
    def __init__(self) -> None:
        self._serving = False
        self._code_stamp: float | None = None
        self._catalog: Any = None
        self._api: dict[str, bytes] = {}
        self._builders: dict[str, Any] = {}
        self._memo: Any = None
        """Per-recipe work of the last build (builder.site.memo), kept across `mkdocs serve` rebuilds."""
        self.record: Any = None
        """Set by `recipes build`: the site folder's record (builder.write.site_cache), where the memo is kept."""
        self.rendered: dict[str, list[str]] = {}
        """Which recipes the last build rendered, by kind of work (api, pages, builder)."""
        self._outputs: Any = None
        self._files: Files | None = None
        """While serving with dirty builds: what each generated output was made from (serve_outputs)."""
        self._extras: dict[str, bytes] = {}
        self._site: Any = None
        self._cards: dict[str, bytes] = {}
        self._docs: list[Any] = []
        self._recipes_rel = "recipes"
        self._edition: Any = None
        self._error: str | None = None
        """While serving: the problems of the last build, shown on every page until fixed."""

    def use_record(self, record: Any) -> None:
        """`recipes build`: keep the per-recipe memo in `record` (None: render everything, keep nothing)."""
        self.record, self._memo = record, None

    # -- paths ------------------------------------------------------------------------------
    def _base(self, config: MkDocsConfig) -> Path:
        return Path(config.config_file_path or ".").resolve().parent

    def _recipes_dir(self, config: MkDocsConfig) -> Path:
        return (self._base(config) / self.config.recipes_dir).resolve()

    # -- events -----------------------------------------------------------------------------
    def on_startup(self, *, command: str, dirty: bool) -> None:
        self._serving, self._outputs = command == "serve", None
        if self._serving and dirty:  # `recipes serve`: rebuild only what a save changed
            from builder.site.serve_outputs import ServeOutputs

            self._outputs = ServeOutputs()

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        if self._serving:
            self._reload_builder_if_changed()
        if self._outputs is not None:
            self._outputs.quick_theme(config)
        from builder.errors import RecipeError
        from builder.site.html.brand import LOGO_SVG
        from builder.site.pages.urls import placeholder_problems

        # Under `--strict` (CI, scripts/site build) an error: MkDocs stops counting warnings
        # under `-q`, and a placeholder must never be published. Otherwise a warning.
        problems = placeholder_problems(config.site_url, config.repo_url)
        if problems and config.strict:
            raise PluginError("; ".join(problems))
        for problem in problems:
            log.warning(problem)
        config.extra["brand_logo"] = LOGO_SVG  # partials/logo.html
        self._docs = []

        started = time.perf_counter()
        root = self._recipes_dir(config)
        try:
            self._recipes_rel = root.relative_to(self._base(config)).as_posix()
        except ValueError:  # recipes outside the repository: best guess is the folder name
            self._recipes_rel = root.name
        try:
            from builder.check import load_catalog
            from builder.site.memo import site_work, usable
            from builder.site.pages.extras import site_extra_files
            from builder.synth import edition_named

            try:
                self._edition = edition_named(self.config.api_version)
            except ValueError as err:
                raise PluginError(f"recipes plugin: api_version: {err}") from None
            self._catalog = load_catalog(root)
            if self._memo is None and self.record is not None:
                self._memo = self.record.load_memo()
            work = site_work(self._catalog, root, self._edition, self._options(config), usable(self._memo))
            self._memo, self.rendered = work.memo, work.rendered
            if self.record is not None:
                self.record.save_memo(work.memo)
            self._api, self._site, self._builders = work.api.files, work.site, work.builders
            self._extras = site_extra_files(self._catalog, self._api, site_url=config.site_url)
            from builder.site.pages.cards import all_cards
            cache = self._base(config) / ".cache" / "cards"
            self._cards = all_cards(self._site.facts, _host(config.site_url), cache)
        except Exception as err:
            if isinstance(err, RecipeError):
                message = str(err)
            elif self._serving:  # a bug of ours: still answer pages, with the reason
                message = f"internal error ({type(err).__name__}: {err}); this is a bug in the builder, please report it"
            else:
                raise  # `recipes build` reports it in one line (builder.cli)
            if not self._serving:
                raise PluginError(message) from None
            # MkDocs' dev server would hang every request until a rebuild succeeds: show the error.
            # Printed, not logged: MkDocs' strict mode would abort on a logged error, and the
            # pages missing meanwhile (browse, recipes) must not abort the error page either.
            self._error = message
            print("recipes: the recipes do not build; every page shows why until a save fixes it:\n"
                  + self._error, file=sys.stderr, flush=True)
            self._count_no_warnings()
            return config
        self._error = None
        # 404.html sends any other casing of a provider or recipe URL to the page (a static host
        # cannot look up paths without regard to case; the redirect pages cover only two casings).
        config.extra["recipe_paths"] = self._site.case_index()
        log.info("recipes: %d recipes, %d pages, %d API files in %.2fs (rendered: API of %d recipes, "
                 "%d recipe pages, builder data of %d)", len(self._catalog.recipes), len(self._site.pages),
                 len(self._api), time.perf_counter() - started, len(self.rendered["api"]),
                 len(self.rendered["pages"]), len(self.rendered["builder"]))
        return config

    @staticmethod
    def _count_no_warnings() -> None:
        """Detach MkDocs' strict-mode warning counter for this build only: the error page lacks
        the generated pages that nav and links expect, and must be served, not aborted."""
        from mkdocs.utils import CountHandler

        logger = logging.getLogger("mkdocs")
        for handler in [h for h in logger.handlers if isinstance(h, CountHandler)]:
            logger.removeHandler(handler)

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
        if self._error is not None:
            from builder.site.html.build_error import error_markdown

            if self._outputs is not None:
                self._outputs.fail(files, config.site_dir)
            self._files = files
            files.append(File.generated(config, "index.md", content=error_markdown(self._error)))
            return files
        site, self._files = self._site, files
        make = self._file_maker(config, files)
        clashes = [uri for uri in site.pages if files.get_file_from_path(uri) is not None]
        if clashes:
            raise PluginError("Generated pages collide with files in docs_dir: " + ", ".join(sorted(clashes)))
        for page in site.pages.values():
            # Only home and browse are in the nav; the rest are reached through them.
            inclusion = InclusionLevel.UNDEFINED if page.kind in ("home", "browse") else InclusionLevel.NOT_IN_NAV
            f = make(page.src_uri, self._made_from(page), content=page.markdown, inclusion=inclusion)
            f.edit_uri = f"{self._recipes_rel}/{page.source}" if page.source else None
            files.append(f)
        # Case redirects only where `Foo/` and `foo/` are two folders (see SiteBuild.case_files).
        cased = site.case_files if _case_sensitive(Path(config.site_dir)) else {}
        for path, data in {**self._api, **site.files, **self._extras, **self._cards, **cased,
                           **self._brand_files()}.items():
            files.append(make(path, data, content=data))
        folder = self._base(config) / self.config.assets_dir
        for src in self._assets(config):
            files.append(File.generated(config, "assets/" + src.relative_to(folder).as_posix(), abs_src_path=str(src)))
        # Hand-written docs live in site_src/docs: point their edit links there.
        docs_rel = self._docs_rel(config)
        for f in files.documentation_pages():
            if f.generated_by is None and docs_rel:
                f.edit_uri = f"{docs_rel}/{f.src_uri}"
        return files

    def _file_maker(self, config: MkDocsConfig, files: Files) -> Any:
        """`File.generated`, or while serving dirty, one that MkDocs skips when its inputs are unchanged."""
        if self._outputs is None:
            return lambda uri, made_from, **kwargs: File.generated(config, uri, **kwargs)
        from builder.site.serve_outputs import folders_stamp

        base = self._base(config)
        folders = [Path(config.docs_dir), *(base / w for w in self.config.watch), base / self.config.assets_dir]
        self._outputs.begin((tuple(self._site.pages), config.extra.get("recipe_paths"), self._code_stamp,
                             tuple(f.src_uri for f in files), folders_stamp(folders), os.stat(config.config_file_path).st_mtime_ns),
                            files)
        return lambda uri, made_from, **kwargs: self._outputs.file(config, uri, made_from, **kwargs)

    def _made_from(self, page: Any) -> Any:
        """Everything a generated page's output shows (its Markdown and what on_page_context adds)."""
        if self._outputs is None:
            return None
        extra = (self._builders.get(page.hf_id), self._builder_context(page.hf_id)["recipe_commands"]) \
            if page.kind == "recipe" else None  # contexts are memoized: compared by identity first
        return (page.markdown, self._site.sidebar(page), self._site.json_ld(page), self._site.card(page), extra)

    def _brand_files(self) -> dict[str, bytes]:
        from builder.site.html import brand

        names = {org: self._site.facts.provider(org) for org in self._site.facts.by_org()}
        return {"assets/favicon.svg": brand.LOGO_SVG.encode(), "assets/logo.svg": brand.LOGO_SVG.encode(),
                "assets/wordmark.svg": brand.WORDMARK_SVG.encode(),
                "assets/providers.css": brand.providers_css(names).encode()}

    def _docs_rel(self, config: MkDocsConfig) -> str | None:
        try:
            return Path(config.docs_dir).resolve().relative_to(self._base(config)).as_posix()
        except ValueError:
            return None

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        # Hand-written docs may embed generated content (the recipe key table of docs/authoring.md).
        from builder.models.schema import expand_key_table

        return expand_key_table(markdown) if page.file.generated_by is None else markdown

    def on_nav(self, nav: Any, *, config: MkDocsConfig, files: Files) -> Any:
        if self._outputs is not None:
            self._outputs.keep_titles(nav)
        return nav

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        if self._error is not None or page.file.src_uri not in self._site.pages:
            return html
        from builder.site.html.sanitize import clean_html

        return clean_html(html)

    def on_page_context(self, context: dict[str, Any], *, page: Page, config: MkDocsConfig, nav: Any) -> dict[str, Any]:  # type: ignore[override]
        if self._error is not None:
            return context
        generated = self._site.pages.get(page.file.src_uri)
        if config.site_url:
            context["recipe_card"] = urljoin(config.site_url, self._site.card(generated))
        if generated is None:
            from builder.site.pages.search import doc_entries
            from builder.site.pages.seo import breadcrumbs_ld

            self._docs.extend(entries := doc_entries(page))
            if self._outputs is not None:
                self._outputs.remember_doc(page.file.src_uri, page.title, entries)
            title = page.title or ""
            context["recipe_jsonld"] = breadcrumbs_ld(config.site_url, [("Recipes", ""), (title, page.url)])
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
        return {"recipe_builder": self._builders.get(hf_id),
                "recipe_commands": facts.commands if facts else ()}

    def on_env(self, env: Any, *, config: MkDocsConfig, files: Files) -> Any:
        from builder.site.serve_outputs import compiled_templates  # a new environment each build

        env.bytecode_cache = compiled_templates(self.record)  # Jinja checks sources before reuse
        return env

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        from builder.site.pages.search import INDEX, search_index

        docs = self._docs if self._outputs is None else self._outputs.doc_entries(self._files)
        (Path(config.site_dir) / INDEX).write_bytes(search_index(self._site.facts, docs))
        if self._outputs is not None and self._files is not None:
            self._outputs.finish(config.site_dir, {f.src_uri: f.dest_uri for f in self._files
                                                   if f.generated_by == "recipes"})

    def on_build_error(self, *, error: Exception) -> None:
        if self._outputs is not None:
            self._outputs.fail()

    def on_post_template(self, output_content: str, *, template_name: str, config: MkDocsConfig) -> str:
        if self._error is None or not template_name.endswith(".html"):
            return output_content
        from builder.site.html.build_error import with_banner

        return with_banner(output_content, self._error)

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        if self._error is not None:  # `recipes serve` while broken: say why on every page
            from builder.site.html.build_error import with_banner

            return with_banner(output, self._error)
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


def _host(site_url: str | None) -> str:
    """`recipes.vllm.ai` (with any base path) for the footer of share cards."""
    parts = urlsplit(site_url or "")
    return (parts.netloc + parts.path).rstrip("/")


def _case_sensitive(folder: Path) -> bool:
    """Whether `folder`'s file system tells `A` from `a` (probed with a temporary file)."""
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(prefix="case-probe-", dir=folder) as probe:
        name = Path(probe.name)
        return not name.with_name(name.name.upper()).exists()

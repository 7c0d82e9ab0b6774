"""The recipe site: Markdown pages and site files generated from the catalog, and the MkDocs adapter.

* :func:`builder.site.pages.build_site` computes every page and file (the seam MkDocs calls);
* :mod:`builder.site.plugin` is the thin MkDocs plugin (`recipes` in `mkdocs.yml`);
* the other modules are one page kind or one concern each (facts, fit matrix, guide, sanitizer).
"""
from builder.site.pages import SiteBuild, SiteOptions, SitePage, build_site

__all__ = ["SiteBuild", "SiteOptions", "SitePage", "build_site"]

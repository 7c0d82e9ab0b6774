"""The HTML allow-list every generated page passes through after Markdown rendering.

Recipe guides are Markdown written by contributors, and Markdown passes raw HTML through, so
the rendered page body is cleaned with nh3 (an html5ever-based sanitizer): no scripts, no event
handlers, no `javascript:` URLs, no forms or frames. What survives is what Markdown, the code
highlighter and our own page markup produce — tables, code blocks, heading ids and permalinks.
"""
from __future__ import annotations

import nh3

_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "del", "details",
    "div", "dl", "dt", "em", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hr", "i", "img", "input", "ins", "kbd", "li", "mark", "nav", "ol", "p", "pre", "q", "s",
    "samp", "section", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "time", "tr", "u", "ul", "var", "wbr",
}

# `id` keeps heading anchors and highlighter line anchors; `data-*` only for the hooks our own
# scripts read, so guide HTML cannot impersonate Material's `data-md-*` components.
_ATTRIBUTES = {
    "*": {"class", "id", "title", "lang", "dir", "role", "aria-label", "aria-hidden", "aria-describedby",
          "aria-labelledby", "aria-current"},
    "a": {"href", "hreflang", "name"},
    "img": {"src", "alt", "width", "height", "loading"},
    "td": {"colspan", "rowspan", "align", "style"},
    "th": {"colspan", "rowspan", "align", "scope", "style"},
    "col": {"span"},
    "colgroup": {"span"},
    "ol": {"start", "reversed"},
    "time": {"datetime"},
    "details": {"open"},
    "del": {"datetime"},
    "ins": {"datetime"},
    "input": {"checked", "disabled"},
    "div": {"data-browse-index", "data-recipe-slot", "data-search-exclude"},
    "p": {"data-search-exclude"},
    "tr": {"data-recipe"},
    "li": {"data-recipe"},
}
# Task-list checkboxes are the only inputs Markdown produces.
_ATTRIBUTE_VALUES = {"input": {"type": {"checkbox"}}}
_URL_SCHEMES = {"http", "https", "mailto"}


def clean_html(fragment: str) -> str:
    """Sanitize a rendered page body. Idempotent: cleaning clean HTML changes nothing."""
    return nh3.clean(
        fragment,
        tags=_TAGS,
        clean_content_tags={"script", "style", "template", "textarea", "title", "noscript"},
        attributes=_ATTRIBUTES,
        tag_attribute_values=_ATTRIBUTE_VALUES,
        url_schemes=_URL_SCHEMES,
        filter_style_properties={"text-align"},
        link_rel=None,
        strip_comments=True,
    )

"""What `recipes serve` shows while the recipes do not build.

MkDocs' dev server waits for a successful rebuild before it answers, so a plugin that raises on
a broken recipe leaves every page hanging with no word of why. While serving, the plugin instead
builds the hand-written pages plus a home page that lists the problems, and puts the same list in
a banner at the top of every page, until a save fixes them.
"""
from __future__ import annotations

import html
import re

BANNER_CLASS = "recipes-build-error"
_STYLE = ("margin:0;padding:.8rem 1.2rem;background:#b71c1c;color:#fff;font:14px/1.4 system-ui,sans-serif;"
          "position:relative;z-index:10")


def banner(error: str) -> str:
    """An HTML block listing the problems (escaped: recipe text never becomes markup)."""
    lines = "\n".join(html.escape(line) for line in error.splitlines())
    return (f'<div class="{BANNER_CLASS}" role="alert" style="{_STYLE}"><strong>The recipes do not build; '
            "fix these and save — this page reloads:</strong>"
            f'<pre style="white-space:pre-wrap;margin:.5rem 0 0;color:#fff;background:none">{lines}</pre></div>')


def with_banner(page_html: str, error: str) -> str:
    """`page_html` with the banner right after `<body…>` (prepended when there is no body tag)."""
    match = re.search(r"<body[^>]*>", page_html)
    if match is None:
        return banner(error) + page_html
    return page_html[:match.end()] + banner(error) + page_html[match.end():]


def error_markdown(error: str) -> str:
    """The home page while broken: the problems as a code block (Markdown never interprets them)."""
    fence = "````"
    return ("# The recipes do not build\n\nFix these problems and save; the page reloads.\n\n"
            f"{fence}text\n{error}\n{fence}\n")

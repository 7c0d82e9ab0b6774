"""A recipe's `guide` (contributor Markdown) turned into safe page Markdown.

The guide is cut at its ATX headings (outside code fences). Headings stay Markdown, as plain
text, so MkDocs gives them ids, permalinks and a table-of-contents entry; every section body is
rendered here to HTML (GitHub-style tables, fenced and highlighted code, task lists,
strikethrough, autolinks) and sanitized, then embedded as a raw HTML block that MkDocs passes
through untouched — including links, which are meant for the published site, not for MkDocs'
link checker.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass

import markdown

from builder.site.html.sanitize import clean_html

_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1")
_TAG = re.compile(r"<[^>]*>")
# Characters Python-Markdown treats specially in a heading line (`<` and `&` become entities).
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!])")

_EXTENSIONS = [
    "tables", "sane_lists", "admonition", "pymdownx.superfences", "pymdownx.highlight",
    "pymdownx.tilde", "pymdownx.tasklist", "pymdownx.magiclink", "pymdownx.details",
]
_EXTENSION_CONFIGS = {
    "pymdownx.highlight": {"use_pygments": True, "guess_lang": False},
    "pymdownx.magiclink": {"repo_url_shortener": True},
}


@dataclass(frozen=True)
class Section:
    level: int
    heading: str
    """Heading source text (inline Markdown); empty for text before the first heading."""
    body: str


def split_sections(source: str) -> list[Section]:
    """Cut at ATX headings that are not inside a fenced code block."""
    sections: list[Section] = []
    level, heading = 0, ""
    body: list[str] = []
    fence = ""
    for line in source.splitlines():
        m = _FENCE.match(line)
        if m and (not fence or (m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence))):
            fence = "" if fence else m.group(1)
        elif not fence:
            h = _ATX.match(line)
            if h:
                sections.append(Section(level, heading, "\n".join(body)))
                level, heading, body = len(h.group(1)), (h.group(2) or "").strip(), []
                continue
        body.append(line)
    sections.append(Section(level, heading, "\n".join(body)))
    return [s for s in sections if s.level or s.body.strip()]


def _converter() -> markdown.Markdown:
    return markdown.Markdown(extensions=_EXTENSIONS, extension_configs=_EXTENSION_CONFIGS)


def heading_markdown(text: str) -> str:
    """Heading text as inert Markdown: code spans kept, everything else plain escaped text."""
    out, pos = [], 0
    for m in _CODE_SPAN.finditer(text):
        out.append(_plain(text[pos:m.start()]))
        out.append(m.group(0))
        pos = m.end()
    out.append(_plain(text[pos:]))
    return "".join(out).strip()


def _plain(fragment: str) -> str:
    # Render inline Markdown, keep only the text a reader sees, and escape it again.
    if not fragment.strip():
        return fragment
    lead, trail = fragment[: len(fragment) - len(fragment.lstrip())], fragment[len(fragment.rstrip()):]
    text = html.unescape(_TAG.sub("", markdown.markdown(fragment.strip())))
    return lead + _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False)) + trail


def guide_markdown(source: str) -> str:
    """Page Markdown for a guide: Markdown headings around sanitized HTML blocks."""
    sections = split_sections(source or "")
    if not sections:
        return ""
    # One `#` heading would compete with the page title: shift everything one level down.
    shift = 1 if any(s.level == 1 for s in sections) else 0
    md = _converter()
    parts: list[str] = []
    for s in sections:
        if s.level:
            parts.append("#" * min(6, s.level + shift) + " " + heading_markdown(s.heading))
        if s.body.strip():
            body = clean_html(md.reset().convert(s.body))
            parts.append(f'<div class="guide-body">\n{body}\n</div>')
    return "\n\n".join(parts) + "\n"

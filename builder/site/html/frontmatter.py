"""YAML front matter for generated pages.

Material prints `title` and `description` into `<title>`, `<meta>` and the header without
escaping, so both arrive here HTML-escaped; every value is written as a JSON scalar (valid YAML)
so no recipe string can break out of its line.
"""
from __future__ import annotations

import json
from typing import Any

from builder.site.html.markup import esc

_ESCAPED = ("title", "description")


def front_matter(meta: dict[str, Any]) -> str:
    lines = ["---"]
    for key, value in meta.items():
        if key in _ESCAPED and isinstance(value, str):
            value = esc(" ".join(value.split()))
        lines.append(f"{key}: {json.dumps(value)}")
    lines.append("---")
    return "\n".join(lines) + "\n\n"

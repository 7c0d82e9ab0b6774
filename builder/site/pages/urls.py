"""Where the site lives: refuse to publish placeholder hosts and repositories.

`site_url` (canonical links, sitemap, robots.txt, Open Graph cards, JSON-LD) and `repo_url`
(Edit / Report an issue / Request a recipe) come from `mkdocs.yml`. A fork or a template copy
that forgot to set them would publish links to a host nobody owns, so the plugin warns about
them and `mkdocs build --strict` (what CI and `scripts/site build` run) turns that into an error.
"""
from __future__ import annotations

from urllib.parse import urlsplit

# RFC 2606 / RFC 6761 names reserved for examples and tests: never a real deployment.
_RESERVED_SUFFIXES = (".example", ".invalid", ".test", ".local")
_RESERVED_DOMAINS = ("example.com", "example.org", "example.net")
# Repository owners that are template stand-ins; `vllm-recipes` was this project's old placeholder.
_PLACEHOLDER_OWNERS = ("example", "your-org", "your-name", "your-username", "username", "owner",
                       "vllm-recipes")
# `mkdocs serve` and the browser tests build for the loopback address; that is never published.
_LOOPBACK = ("localhost", "127.0.0.1", "::1", "[::1]")


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().rstrip(".")


def placeholder_reason(url: str | None, what: str) -> str | None:
    """Why `url` (the `site_url` or `repo_url` setting, named `what`) is a placeholder, or None."""
    if not url:
        return None
    host = _host(url)
    if host in _LOOPBACK:
        return None
    if not host:
        return f"{what} {url!r} has no host"
    if host in _RESERVED_DOMAINS or any(host.endswith("." + d) for d in _RESERVED_DOMAINS) \
            or host.endswith(_RESERVED_SUFFIXES) or host in {s[1:] for s in _RESERVED_SUFFIXES}:
        return f"{what} {url!r} is a placeholder host ({host}); set it to where the site is published"
    owner = urlsplit(url).path.strip("/").split("/")[0].lower()
    if host in ("github.com", "gitlab.com") and owner in _PLACEHOLDER_OWNERS:
        return f"{what} {url!r} names a placeholder repository owner ({owner}); set it to your repository"
    return None


def placeholder_problems(site_url: str | None, repo_url: str | None) -> list[str]:
    """Every placeholder among the two settings, as messages for the build log."""
    found = [placeholder_reason(site_url, "site_url"), placeholder_reason(repo_url, "repo_url")]
    return [f for f in found if f]

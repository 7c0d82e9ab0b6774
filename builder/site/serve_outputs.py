"""`recipes serve` rebuilds only what a save changed (MkDocs dirty builds into one folder).

MkDocs' dirty build skips a file when ``File.is_modified()`` says it has not changed since the
last build into the same folder. For the files we generate (pages, API files, indexes) MkDocs
cannot know, so :class:`ServeOutputs` remembers what each was made from — a page's Markdown and
everything the templates add to it (sidebar, structured data, command builder), a static file's
bytes — and hands MkDocs a :class:`Kept` file when that is unchanged. Anything that reaches every
page (the set of pages, the navigation, the theme overrides, our templates' data, the builder's
code, a broken build) makes every output new. A hand-written page that is kept keeps its title
(the navigation of rebuilt pages shows it) and its search entries. Outputs that a save removed are
deleted from the folder once the build succeeded.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import jinja2
from mkdocs.structure.files import File


class Kept(File):
    """A generated file whose output from the last build is still right."""

    def is_modified(self) -> bool:
        return False


class Rebuilt(File):
    """A hand-written page that is always rendered again (its title feeds the navigation)."""

    def is_modified(self) -> bool:
        return True


class ServeOutputs:
    """What the last successful build wrote into the serve folder, by output path."""

    def __init__(self) -> None:
        self._made: dict[str, Any] = {}
        self._next: dict[str, Any] = {}
        self._whole: Any = None
        self._dests: dict[str, str] = {}
        self._files: dict[str, File] = {}
        self._docs: dict[str, tuple[str, list[Any]]] = {}

    def begin(self, whole: Any, files: Any) -> None:
        """Start a build; `whole` is everything that reaches every page (compared with the last),
        `files` the hand-written files (a change to any of them is in `whole`)."""
        if whole != self._whole:
            self._made, self._docs = {}, {}
        self._whole, self._next = whole, {}
        for f in files.documentation_pages():
            if f.generated_by is None and type(f) is File:
                f.__class__ = Kept if f.src_uri in self._docs else Rebuilt

    def keep_titles(self, nav: Any) -> None:
        """Kept hand-written pages are not read again: give them the title they had (the nav shows it)."""
        for page in nav.pages:
            if isinstance(page.file, Kept) and page.file.src_uri in self._docs:
                page.title = self._docs[page.file.src_uri][0]

    def remember_doc(self, uri: str, title: str, entries: list[Any]) -> None:
        self._docs[uri] = (title, entries)

    def doc_entries(self, files: Any) -> list[Any]:
        """The search entries of every hand-written page, rendered now or kept, in page order."""
        return [e for f in files.documentation_pages() if f.generated_by is None
                for e in self._docs.get(f.src_uri, ("", []))[1]]

    def file(self, config: Any, uri: str, made_from: Any, **kwargs: Any) -> File:
        """`File.generated(config, uri, **kwargs)`, as a :class:`Kept` file when `made_from` is
        what the last build made it from (bytes compare by value: no digest needed)."""
        self._next[uri] = made_from
        kept = uri in self._made and self._made[uri] == made_from
        reuse = self._files.get(uri) if kept and "inclusion" not in kwargs else None
        if isinstance(reuse, Kept):  # not a page, so nothing in it is per build: making thousands
            return reuse  # of Files anew would cost MkDocs a second
        f = (Kept if kept else File).generated(config, uri, **kwargs)
        if "inclusion" not in kwargs:
            self._files[uri] = f
        return f

    def finish(self, site_dir: str, outputs: dict[str, str]) -> None:
        """After a successful build: remove outputs of the last build that this one no longer
        makes (`outputs`: source uri → output path relative to `site_dir`), and remember this one."""
        for uri in set(self._dests) - set(outputs):
            Path(site_dir, self._dests[uri]).unlink(missing_ok=True)
        self._made, self._dests = self._next, outputs

    def quick_theme(self, config: Any) -> None:
        """:func:`quick_theme` for a configuration with theme overrides (listed again when they change)."""
        if config.theme.custom_dir:
            quick_theme(config.theme, folders_stamp([Path(config.theme.custom_dir)]))

    def fail(self, files: Any = None, site_dir: str | None = None) -> None:
        """A build that stopped midway may have written some outputs: trust none of them next time.
        With `files` (the error page's build): remove our outputs and render every hand-written
        page again (each shows the error), as a clean build would."""
        self._made, self._whole, self._files, self._docs = {}, None, {}, {}
        if files is None or site_dir is None:
            return
        for dest in self._dests.values():
            Path(site_dir, dest).unlink(missing_ok=True)
        self._dests = {}
        for f in files.documentation_pages():
            if type(f) is File:
                f.__class__ = Rebuilt


def folders_stamp(folders: list[Path]) -> tuple[tuple[str, int, int], ...]:
    """Path, size and mtime of every file below `folders` (a template or doc saved during serve)."""
    found = []
    for root in folders:
        for folder, dirs, names in os.walk(root):
            dirs.sort()
            for name in sorted(names):
                path = os.path.join(folder, name)
                try:
                    st = os.stat(path)
                except OSError:
                    continue
                found.append((path, st.st_size, st.st_mtime_ns))
    return tuple(found)


class _TemplateMemo(jinja2.BytecodeCache):
    """Compiled templates in memory, for the life of the process (`recipes serve`)."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


_TEMPLATES = _TemplateMemo()


def compiled_templates(record: Any) -> jinja2.BytecodeCache:
    """Where compiled templates are kept: beside the site's record (`recipes build`), else in memory."""
    folder = getattr(record, "memo_path", None)
    if folder is None:
        return _TEMPLATES
    path = Path(folder).with_suffix(".jinja")
    path.mkdir(parents=True, exist_ok=True)
    return jinja2.FileSystemBytecodeCache(str(path))


def quick_theme(theme: Any, stamp: Any) -> None:
    """List the theme's templates once per serve session, not once per rebuild (MkDocs walks
    every folder of the theme, thousands of icons, to find them); `stamp` says when to list again."""
    original = theme.get_env

    def get_env() -> jinja2.Environment:
        env: Any = original()
        listing = env.list_templates

        def listed(extensions: Any = None, filter_func: Any = None) -> list[str]:
            # MkDocs asks once per build, always with the same filter (the theme's static files).
            key = (tuple(theme.dirs), stamp, extensions, getattr(filter_func, "__qualname__", None))
            if key not in _LISTINGS:
                _LISTINGS[key] = listing(extensions, filter_func)
            return _LISTINGS[key]

        env.list_templates = listed
        return env  # type: ignore[no-any-return]

    theme.get_env = get_env


_LISTINGS: dict[Any, list[str]] = {}

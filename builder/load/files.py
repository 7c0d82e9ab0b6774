"""Which files of a recipe folder are inputs: the policy for symlinks and non-regular files.

Policy (documented on the Authoring page):

* A symbolic link — to a ``*.yaml`` file or to a folder such as an org — is followed when its
  target lies inside the recipe folder, and read as if it were there. A link that points outside
  the recipe folder (or nowhere, or in a loop) is an error located at the link: a recipe folder
  must be reviewable on its own, and a build must never read and echo ``/etc/…``.
* A ``*.yaml`` name that is not a regular file (a FIFO, a socket, a device) is an error: reading
  a FIFO would block forever.

Nothing is dropped silently: every skipped entry is a located problem.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

from builder.errors import Problem

SUFFIXES = (".yaml", ".yml")


def _display(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root.parent).as_posix()
    except ValueError:
        return path.as_posix()


def link_problem(root: Path, path: Path) -> Problem | None:
    """Why a symlink at `path` may not be followed (None: its target is inside `root`)."""
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):  # dangling, a loop, or unreadable
        return Problem(_display(root, path), message="is a symbolic link that points nowhere (or in a loop); "
                                                     "remove it or point it at a file inside the recipe folder")
    base = root.resolve()
    if target != base and base not in target.parents:
        return Problem(_display(root, path), message="is a symbolic link to a place outside the recipe folder "
                                                     f"({target}); recipes must live inside the folder — copy the "
                                                     "file in instead of linking to it")
    return None


def regular_problem(root: Path, path: Path) -> Problem | None:
    """A located problem when `path` (followed) is not a regular file."""
    try:
        mode = os.stat(path).st_mode
    except OSError as err:
        return Problem(_display(root, path), message=f"cannot read the file: {err.strerror or err}")
    if stat.S_ISREG(mode):
        return None
    kind = ("a FIFO (named pipe)" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a regular file")
    return Problem(_display(root, path), message=f"is {kind}, not a regular file; only regular files are read")


def walk(root: Path, directory: Path) -> tuple[list[Path], list[Problem]]:
    """YAML files below `directory` in byte-wise name order, depth-first, with the problems found.

    Symlinks inside `root` are followed (each real folder once, so a loop ends); others are problems.
    """
    files: list[Path] = []
    problems: list[Problem] = []
    seen: set[Path] = set()

    def visit(folder: Path) -> None:
        real = folder.resolve()
        if real in seen:
            return
        seen.add(real)
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name.encode("utf-8", "surrogateescape"))
        except OSError as err:
            problems.append(Problem(_display(root, folder), message=f"cannot list the folder: {err.strerror or err}"))
            return
        for e in entries:
            path = Path(e.path)
            if e.is_symlink():
                bad = link_problem(root, path)
                if bad is not None:
                    problems.append(bad)
                    continue
            if e.is_dir():
                visit(path)
            elif e.name.endswith(SUFFIXES):
                bad = regular_problem(root, path)
                if bad is None:
                    files.append(path)
                else:
                    problems.append(bad)

    visit(directory)
    return files, problems

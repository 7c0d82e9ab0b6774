"""Write an output tree atomically: build it beside the target, then swap it in.

Readers (a web server, a test, a person) see either the old tree or the new one, never a
half-written mix; a build killed midway leaves the previous output untouched.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from builder.write.guard import check_replaceable, output_lock, write_marker

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


class UnsafePath(ValueError):
    """A document path that would escape the output folder."""


def check_relative(rel: str) -> PurePosixPath:
    """Reject absolute paths, `..`, empty segments and backslashes: ids never write outside."""
    path = PurePosixPath(rel)
    if (not rel or rel.startswith("/") or "\\" in rel or "\x00" in rel
            or any(part in ("", ".", "..") for part in rel.split("/"))):
        raise UnsafePath(f"refusing to write outside the output folder: {rel!r}")
    return path


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2); False where unsupported."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    fn = getattr(libc, "renameat2", None)
    if fn is None:
        return False
    res = fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(res == 0)


def remove_tree(path: Path, workers: int = 4) -> None:
    """Delete a folder tree, its top-level subtrees in parallel (deletion is I/O bound)."""
    try:
        entries = list(os.scandir(path))
    except FileNotFoundError:
        return
    folders = [e.path for e in entries if e.is_dir(follow_symlinks=False)]
    for e in entries:
        if not e.is_dir(follow_symlinks=False):
            os.unlink(e.path)
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(lambda p: shutil.rmtree(p, ignore_errors=True), folders))
    shutil.rmtree(path, ignore_errors=True)


def _sweep_leftovers(parent: Path, name: str) -> None:
    """Remove temporary trees that an interrupted earlier build left beside the target."""
    for leftover in parent.glob(f".{name}.tmp-*"):
        remove_tree(leftover)


@contextmanager
def staging_folder(target: Path) -> Iterator[Path]:
    """A fresh folder beside `target` (same filesystem, so the final rename is atomic).

    Removed on the way out; if the process is killed instead, the next build sweeps it. The
    output lock is held throughout, so the sweep never meets another build's live staging.
    """
    target = Path(target).absolute()
    parent = target.parent
    check_replaceable(target)  # before anything is created or swept
    parent.mkdir(parents=True, exist_ok=True)
    with output_lock(target):
        check_replaceable(target)  # again: another build may have replaced it while we waited
        _sweep_leftovers(parent, target.name)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=parent))
        try:
            os.chmod(staging, 0o755)
            yield staging
        finally:
            remove_tree(staging)


def publish_folder(staging: Path, target: Path) -> None:
    """Move a finished folder into place; the old one (if any) is swapped out and removed."""
    check_replaceable(target)
    write_marker(target)  # before the swap: a kill right after it still leaves the folder ours
    if not target.exists():
        os.rename(staging, target)
        return
    if _exchange(staging, target):
        remove_tree(staging)  # staging now holds the old tree
        return
    old = target.with_name(f".{target.name}.tmp-old-{os.getpid()}")
    os.rename(target, old)
    os.rename(staging, target)
    remove_tree(old)

"""Guards around an output folder: never delete what is not ours, never race another build.

A build replaces its output folder as a whole, so a wrong ``--out`` would delete whatever is
there. Three rules keep that from losing files:

* the output folder may not be, contain, or sit inside the recipe folder (``check_separate``);
* an existing output folder is replaced only when it looks like one we wrote: it holds our
  marker file (written into every output we create), or is empty (``check_replaceable``);
* one build at a time per output folder: ``output_lock`` holds ``fcntl.flock`` on a lock file
  beside the target, so a second build waits (and says so) instead of sweeping the first
  build's live staging folder as a leftover.

Every refusal is a :class:`RecipeError` naming the folder, so the CLI prints one line.
"""
from __future__ import annotations

import errno
import fcntl
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from builder.errors import Problem, RecipeError

MARKER = ".recipes-output"
"""Suffix of the marker written beside every output folder we create (``.<name>.recipes-output``):
its presence makes the folder safe to replace. Beside, not inside: the output holds exactly the
published files (the API's file set is part of its contract)."""
MARKER_TEXT = b"Written by the vLLM recipes builder; this folder is replaced on every build.\n"
# Folders that predate the marker but are plainly ours (an API or an MkDocs site we built).
_OURS_WITHOUT_MARKER = (("models.json", "taxonomy.json"), ("sitemap.xml", "404.html"))


def _refuse(folder: Path, message: str) -> RecipeError:
    return RecipeError(Problem(folder.as_posix(), message=message))


def check_separate(out: Path, recipes: Path | None) -> None:
    """Refuse an output folder that is, contains or sits inside the recipe folder."""
    if recipes is None:
        return
    o, r = Path(out).resolve(), Path(recipes).resolve()
    if o == r:
        raise _refuse(Path(out), "the output folder is the recipe folder; a build replaces its output "
                                 "and would delete the recipes — choose another --out")
    if r in o.parents:
        raise _refuse(Path(out), f"the output folder is inside the recipe folder {recipes}; choose a "
                                 "folder outside it")
    if o in r.parents:
        raise _refuse(Path(out), f"the output folder contains the recipe folder {recipes}; a build "
                                 "replaces its output and would delete the recipes — choose another --out")


def looks_ours(folder: Path) -> bool:
    """True for a folder we may replace: our marker, no entries at all, or an output of ours
    written before the marker existed."""
    if marker_path(folder).is_file() or (folder / MARKER).is_file():  # (inside: older builds)
        return True
    try:
        if not any(os.scandir(folder)):
            return True
    except OSError:
        return False
    return any(all((folder / name).is_file() for name in names) for names in _OURS_WITHOUT_MARKER)


def check_replaceable(target: Path) -> None:
    """Refuse to replace a path that is not a folder of ours (a file, a symlink, someone's data)."""
    target = Path(target)
    if target.is_symlink():
        raise _refuse(target, "the output folder is a symbolic link; not replacing it — pass the real folder")
    if not target.exists():
        return
    if not target.is_dir():
        raise _refuse(target, "exists and is not a folder; not replacing it — choose another --out")
    if not looks_ours(target):
        raise _refuse(target, f"exists and was not written by this builder (no {marker_path(target).name} "
                              "beside it); a build "
                              "replaces its output as a whole — empty it, remove it or choose another --out")


def marker_path(folder: Path) -> Path:
    folder = Path(folder).absolute()
    return folder.with_name(f".{folder.name}{MARKER}")


def write_marker(folder: Path) -> None:
    """Mark a finished output folder as ours (the marker sits beside it)."""
    marker_path(folder).write_bytes(MARKER_TEXT)


_HELD: set[Path] = set()
"""Lock files this process holds (flock would block on a second open file of the same lock)."""


def lock_path(target: Path) -> Path:
    target = Path(target).absolute()
    return target.with_name(f".{target.name}.lock")


@contextmanager
def output_lock(target: Path, wait: bool = True) -> Iterator[None]:
    """Hold an exclusive lock on `target` for the whole build (staging, sweep and swap).

    The lock file is removed on release. Because a waiter may have opened it just before that,
    a lock counts only if the file it holds is still the one at the path (the inode check).
    """
    path = lock_path(target)
    if path in _HELD:  # re-entrant: `recipes build` holds it around a writer that takes it too
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    told = False
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as err:
                if err.errno not in (errno.EWOULDBLOCK, errno.EAGAIN) or not wait:
                    raise _refuse(Path(target), "another build is writing this output folder "
                                                f"(lock {path.name} is held); try again when it is done") from None
                if not told:
                    print(f"waiting for another build writing {target} to finish…", file=sys.stderr)
                    told = True
                fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                same = os.stat(path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
        except BaseException:
            os.close(fd)
            raise
        if same:
            break
        os.close(fd)  # the holder removed the file while we waited: lock the new one
    _HELD.add(path)
    try:
        yield
    finally:
        _HELD.discard(path)
        with suppress(OSError):
            os.unlink(path)
        os.close(fd)


@contextmanager
def guarded_output(target: Path, recipes: Path | None) -> Iterator[None]:
    """For a writer that fills `target` itself (MkDocs): refuse a folder that is not ours or
    overlaps the recipes, hold the lock while writing, and mark the finished folder as ours."""
    check_separate(target, recipes)
    check_replaceable(target)
    with output_lock(target):
        check_replaceable(target)
        yield
        if Path(target).is_dir():
            write_marker(Path(target))

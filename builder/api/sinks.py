"""Where emitted API documents go: a dict in memory, or files in a staging folder.

Both replay the reference generator's writes, including its `rm -r {base}/` before each variant,
so removal must stay cheap however many folders exist: both index what they hold by the first two
path segments (an id's `org/repo`), and a removal looks in that one bucket only.
"""
from __future__ import annotations

import os
import shutil
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from builder.jsonout import dumps_bytes
from builder.write.publish import check_relative


def _top(path: str) -> str:
    """The bucket of a path: its first two segments (a recipe or checkpoint id)."""
    return "/".join(path.split("/", 2)[:2])


class _Buckets:
    """A set of paths grouped by `_top`, so everything below one id is found without a scan."""

    def __init__(self) -> None:
        self.by_top: dict[str, set[str]] = {}

    def add(self, path: str) -> None:
        self.by_top.setdefault(_top(path), set()).add(path)

    def pop_under(self, base: str) -> list[str]:
        """Remove and return `base` itself and every path below it."""
        prefix = base + "/"
        if "/" in base:
            buckets = [self.by_top.get(_top(prefix + "x"), set())]
        else:  # a one-segment base spans buckets (ids always have two, so this is rare)
            buckets = list(self.by_top.values())
        doomed: list[str] = []
        for bucket in buckets:
            hits = [p for p in bucket if p == base or p.startswith(prefix)]
            bucket.difference_update(hits)
            doomed += hits
        return doomed


class MemorySink:
    """Output files by path, with fast removal of a directory subtree."""

    def __init__(self) -> None:
        self.files: dict[str, Any] = {}
        self._index = _Buckets()

    def put(self, path: str, value: Any) -> None:
        self.files[path] = value
        self._index.add(path)

    def remove_dir(self, base: str) -> None:
        for path in self._index.pop_under(base):
            if path == base:
                self._index.add(path)  # a file named like the folder is not below it; keep it
            else:
                del self.files[path]


class DiskSink:
    """Writes each document as soon as it is final, so memory stays flat on large catalogs.

    Files are handed to a few writer threads in batches (one future per batch, not per file:
    the per-file future and lock cost more than the write on tmpfs). Ordering still matches the
    reference: overwriting a path already handed over, or wiping `{base}/`, first waits for the
    writers.
    """

    WRITERS = 4
    BATCH = 64
    """Files per batch: about one recipe's worth."""
    MAX_PENDING = 8
    """Batches in flight; bounded so memory stays flat when the disk is slower than synthesis."""

    def __init__(self, root: Path) -> None:
        self.root = os.fspath(root)
        self.paths: set[str] = set()
        self.added: list[str] = []
        """Paths new to the folder, in order (a caller may clear it to see what one recipe adds)."""
        self._paths = _Buckets()
        self._dirs: set[str] = set()
        self._dir_index = _Buckets()
        self._batch: list[tuple[str, bytes, str]] = []
        self._batch_paths: set[str] = set()
        self._pool = ThreadPoolExecutor(self.WRITERS, thread_name_prefix="api-writer")
        self._pending: list[Future[None]] = []

    def put(self, path: str, value: Any) -> None:
        self.put_bytes(path, dumps_bytes(value))

    def put_bytes(self, path: str, data: bytes) -> None:
        check_relative(path)
        if path in self.paths and path not in self._batch_paths:
            self.flush()  # an overwrite must land after the earlier write (same batch: in order)
        folder = path.rpartition("/")[0]
        new_folder = bool(folder) and folder not in self._dirs
        if new_folder:
            self._dirs.add(folder)
            self._dir_index.add(folder)
        self._batch.append((path, data, folder if new_folder else ""))
        self._batch_paths.add(path)
        if path not in self.paths:
            self.paths.add(path)
            self.added.append(path)
            self._paths.add(path)
        if len(self._batch) >= self.BATCH:
            self._submit()

    def _submit(self) -> None:
        if not self._batch:
            return
        while len(self._pending) >= self.MAX_PENDING:
            self._pending.pop(0).result()
        batch, self._batch, self._batch_paths = self._batch, [], set()
        self._pending.append(self._pool.submit(self._write_batch, batch))

    def _write_batch(self, batch: list[tuple[str, bytes, str]]) -> None:
        for path, data, folder in batch:
            self._write(path, data, folder)

    def _write(self, path: str, data: bytes, folder: str) -> None:
        full = os.path.join(self.root, path)
        if folder:
            os.makedirs(os.path.join(self.root, folder), exist_ok=True)
        try:
            fd = os.open(full, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        except FileNotFoundError:
            # Another writer is still creating this folder; creating it here too is harmless.
            os.makedirs(os.path.dirname(full), exist_ok=True)
            fd = os.open(full, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)

    def flush(self) -> None:
        """Hand over the open batch and wait for every write; re-raise the first failure."""
        self._submit()
        pending, self._pending = self._pending, []
        for future in pending:
            future.result()

    def close(self) -> None:
        try:
            self.flush()
        finally:
            self._pool.shutdown(wait=True)

    def remove_dir(self, base: str) -> None:
        check_relative(base)
        doomed_dirs = [d for d in self._dir_index.pop_under(base) if d == base or d.startswith(base + "/")]
        if not doomed_dirs:
            return  # nothing was ever written below it in this fresh folder
        self.flush()
        target = os.path.join(self.root, base)
        if os.path.isdir(target):
            shutil.rmtree(target)
        self._dirs.difference_update(doomed_dirs)
        for path in self._paths.pop_under(base):
            if path == base:
                self._paths.add(path)  # a file of that exact name is not inside the folder
            else:
                self.paths.discard(path)


Sink = MemorySink | DiskSink

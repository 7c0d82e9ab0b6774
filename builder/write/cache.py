"""What the last build of an output folder was made from, so a rebuild does only what changed.

A build is keyed by content, never by timestamps:

* the **build key**: the builder's own code (every file of the `builder` package) and version, the
  edition and options, the vocabulary's bytes (`taxonomy.yaml`, `platforms.yaml`, `strategies/`,
  `kv_store/`) and the set of recipe files (their paths give the ids, and ids decide promotions);
* one **recipe key** per recipe file: the build key and the file's bytes.

If the build key is unchanged and the output folder is the one we wrote (same inode and mtime),
every recipe whose key is unchanged still has correct files in it: a no-op rebuild writes nothing,
and an edit re-renders the edited recipes only (the others' files are hard-linked into staging).
Any other change renders everything. The record lives in `.recipes-cache/` beside the output, never
inside it (the output folder holds exactly the published files).

This module reads input bytes but imports nothing heavy (no pydantic, no YAML), so `recipes api`
can answer "up to date" before loading anything.
"""
from __future__ import annotations

import hashlib
import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FORMAT = 1
_VOCABULARY = ("taxonomy.yaml", "platforms.yaml", "strategies", "kv_store")
_CODE_ROOT = Path(__file__).resolve().parent.parent  # the builder package


def _files_below(root: Path) -> list[Path]:
    """Every file below `root` (not following folder symlinks), sorted for a stable digest."""
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        found += [Path(folder, f) for f in files if not f.endswith(".pyc")]
    return sorted(found)


def _read(path: Path) -> bytes:
    """A file's bytes; for anything but a regular file (a FIFO would block a read forever) a
    stand-in that no successful build has recorded, so the build runs and the loader says why."""
    try:
        if stat.S_ISREG(os.stat(path).st_mode):
            return path.read_bytes()
    except OSError:
        pass
    return b"\0not a regular file\0"


def _digest_files(files: list[Path], root: Path, h: Any) -> None:
    for path in files:
        h.update(path.relative_to(root).as_posix().encode("utf-8", "surrogateescape") + b"\0")
        h.update(hashlib.sha256(_read(path)).digest())


_code_digest: str | None = None


def code_digest() -> str:
    """The builder's own files: any change to the code renders everything again."""
    global _code_digest  # computed once per process; the code does not change under us
    if _code_digest is None:
        h = hashlib.sha256(b"builder-code\0")
        _digest_files(_files_below(_CODE_ROOT), _CODE_ROOT, h)
        _code_digest = h.hexdigest()
    return _code_digest


@dataclass(frozen=True)
class Inputs:
    """Digests of one recipe folder for one kind of build."""

    build_key: str
    recipe_keys: dict[str, str]
    """Recipe file path (relative to `models/`) → its key."""
    vocabulary_key: str = ""
    """The code, the options and the vocabulary, without the set of recipe files."""


def digest_inputs(recipes: Path, options: str) -> Inputs:
    """Hash a recipe folder's bytes (`options`: edition and flags, anything else the output depends on)."""
    recipes = Path(recipes)
    h = hashlib.sha256(f"recipes-build {FORMAT}\0{code_digest()}\0{options}\0".encode())
    for name in _VOCABULARY:
        path = recipes / name
        h.update(name.encode() + b"\0")
        if path.is_dir():
            _digest_files(_files_below(path), recipes, h)
        elif path.exists():
            h.update(hashlib.sha256(_read(path)).digest())
    vocabulary_key = h.copy().hexdigest()
    models = recipes / "models"
    files = _files_below(models) if models.is_dir() else []
    names = [f.relative_to(models).as_posix() for f in files]
    h.update("\0".join(names).encode("utf-8", "surrogateescape"))  # the set of ids
    build_key = h.hexdigest()
    recipe_keys = {}
    for name, path in zip(names, files, strict=True):
        recipe_keys[name] = hashlib.sha256(build_key.encode() + b"\0" + _read(path)).hexdigest()
    return Inputs(build_key, recipe_keys, vocabulary_key)


def _stamp(folder: Path) -> list[int] | None:
    try:
        st = os.stat(folder, follow_symlinks=False)
    except OSError:
        return None
    return [st.st_ino, st.st_mtime_ns]


@dataclass(frozen=True)
class Previous:
    """The last build of the output folder, when it can be reused: recipe file → its key, and
    the record the API kept per recipe (files written, index entries, warnings)."""

    recipe_keys: dict[str, str]
    recipes: dict[str, Any]


class BuildCache:
    """The record of one output folder's last build, in `.recipes-cache/` beside it."""

    def __init__(self, recipes: Path, target: Path, options: str) -> None:
        self.target = Path(target).absolute()
        self.folder = self.target.parent / ".recipes-cache"
        self.manifest = self.folder / f"{self.target.name}.json"
        self.details = self.folder / f"{self.target.name}.recipes.json"
        self.inputs = digest_inputs(recipes, options)

    def _manifest(self) -> dict[str, Any] | None:
        try:
            data = json.loads(self.manifest.read_text("utf-8"))
        except (OSError, ValueError):
            return None
        fresh = (isinstance(data, dict) and data.get("format") == FORMAT
                 and data.get("build_key") == self.inputs.build_key and data.get("stamp") == _stamp(self.target))
        return data if fresh else None

    def up_to_date(self) -> bool:
        """True when the output folder already holds exactly what this build would write."""
        data = self._manifest()
        return data is not None and data.get("recipe_keys") == self.inputs.recipe_keys

    def previous(self) -> Previous | None:
        """What can be reused from the output folder, or None (render everything)."""
        data = self._manifest()
        if data is None:
            return None
        try:
            details = json.loads(self.details.read_text("utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(details, dict) or details.get("build_key") != self.inputs.build_key:
            return None
        return Previous(data["recipe_keys"], details.get("recipes") or {})

    def record(self, recipes: dict[str, Any] | None) -> None:
        """Remember this build; `recipes` None when per-recipe files are unknown (no reuse next time)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        if recipes is not None:
            _write_json(self.details, {"build_key": self.inputs.build_key, "recipes": recipes})
        else:
            self.details.unlink(missing_ok=True)
        _write_json(self.manifest, {
            "format": FORMAT, "build_key": self.inputs.build_key, "stamp": _stamp(self.target),
            "recipe_keys": self.inputs.recipe_keys,
        })


def _write_json(path: Path, value: Any) -> None:
    tmp = path.with_name(path.name + f".tmp-{os.getpid()}")
    tmp.write_text(json.dumps(value, separators=(",", ":")), "utf-8")
    os.replace(tmp, path)


def link_files(source: Path, dest: Path, paths: list[str], made: set[str]) -> None:
    """Hard-link `paths` from one output folder into another (a copy where links are refused):
    reused files keep their inode and mtime, and cost no bytes."""
    for rel in paths:
        folder = rel.rpartition("/")[0]
        if folder and folder not in made:
            os.makedirs(dest / folder, exist_ok=True)
            made.add(folder)
        try:
            os.link(source / rel, dest / rel)
        except PermissionError:
            import shutil

            shutil.copy2(source / rel, dest / rel)

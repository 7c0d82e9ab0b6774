"""What the last `recipes build` of a site folder was made from, kept in `.recipes-cache/` beside it.

Two records per site folder (never inside it: the folder holds exactly the published files):

* ``<site>.site.json`` — a fingerprint of every input of the build and the folder's stamp. When
  both match, the folder already holds what the build would write, and `recipes build` stops
  before loading MkDocs (a no-op rebuild writes nothing). The fingerprint covers the builder's code,
  the recipe folder (vocabulary and every recipe), the MkDocs configuration file and the folders it
  names (docs, theme overrides, assets: recorded by the last full build, which loaded the
  configuration), the environment variables the configuration reads, `SOURCE_DATE_EPOCH` (or the
  day, which the sitemap prints), the installed packages and the command's options.
* ``<site>.site.pickle`` — the per-recipe work of the last build, by content key
  (:class:`builder.site.memo.SiteMemo`), so a build after an edit renders the edited recipes only.
  Anything unreadable there is ignored: the build then renders everything.

Like :mod:`builder.write.cache`, this imports nothing heavy: the check runs before MkDocs is imported.
"""
from __future__ import annotations

import datetime
import hashlib
import json
import os
import pickle
import re
import sys
from pathlib import Path
from typing import Any

from builder.write.cache import _digest_files, _files_below, _read, _stamp, _write_json, digest_inputs

FORMAT = 1
_ENV = re.compile(rb"!ENV\s*\[?\s*['\"]?([A-Za-z_][A-Za-z0-9_]*)")


def _packages() -> list[str]:
    """Names and versions of the installed distributions (their metadata folders), for the key."""
    found: set[str] = set()
    for entry in sys.path:
        if entry.endswith("site-packages") and os.path.isdir(entry):
            found.update(name for name in os.listdir(entry) if name.endswith((".dist-info", ".egg-info")))
    return sorted(found)


def fingerprint(config_file: Path, recipes: Path, folders: list[str], options: str) -> str:
    """Digest of every input of one site build (see the module docstring)."""
    config = _read(config_file)
    h = hashlib.sha256(f"recipes-site {FORMAT}\0{sys.version}\0{options}\0".encode())
    inputs = digest_inputs(recipes, "site")
    h.update(inputs.build_key.encode() + json.dumps(inputs.recipe_keys, sort_keys=True).encode())
    h.update(hashlib.sha256(config).digest())
    for name in sorted(set(_ENV.findall(config))):
        h.update(name + b"=" + os.environb.get(name, b"\0unset") + b"\0")
    epoch = os.environ.get("SOURCE_DATE_EPOCH") or f"day {datetime.datetime.now(datetime.UTC):%Y-%m-%d}"
    h.update(f"epoch {epoch}\0".encode())
    h.update("\0".join(_packages()).encode())
    for folder in folders:
        root = Path(folder)
        h.update(b"folder\0" + os.fsencode(folder) + b"\0")
        if root.is_dir():
            _digest_files(_files_below(root), root, h)
    return h.hexdigest()


class SiteRecord:
    """The record of one site folder's last build, and the per-recipe memo beside it."""

    def __init__(self, target: Path) -> None:
        self.target = Path(target).absolute()
        folder = self.target.parent / ".recipes-cache"
        self.manifest = folder / f"{self.target.name}.site.json"
        self.memo_path = folder / f"{self.target.name}.site.pickle"

    def _data(self) -> dict[str, Any] | None:
        try:
            data = json.loads(self.manifest.read_text("utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) and data.get("format") == FORMAT else None

    def up_to_date(self, config_file: Path, options: str) -> bool:
        """True when the folder holds exactly what this build would write (nothing to do).

        The recipe folder and the other folders are the ones the last build's configuration
        named: the configuration file's bytes are part of the fingerprint, so they still are."""
        data = self._data()
        if data is None or data.get("stamp") != _stamp(self.target):
            return False
        recipes, folders = data.get("recipes"), data.get("folders")
        if not isinstance(recipes, str) or not isinstance(folders, list):
            return False
        return bool(data.get("fingerprint") == fingerprint(config_file, Path(recipes), folders, options))

    def record(self, print_: str, recipes: Path, folders: list[str]) -> None:
        self.manifest.parent.mkdir(parents=True, exist_ok=True)
        _write_json(self.manifest, {"format": FORMAT, "fingerprint": print_, "recipes": str(recipes),
                                    "folders": folders, "stamp": _stamp(self.target)})

    def forget(self) -> None:
        """Before a build: a build that fails must not leave a record that calls the folder current."""
        self.manifest.unlink(missing_ok=True)

    def load_memo(self) -> Any:
        try:
            with open(self.memo_path, "rb") as f:
                return pickle.load(f)
        except Exception:  # missing, truncated or from another version: render everything
            return None

    def save_memo(self, memo: Any) -> None:
        self.memo_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.memo_path.with_name(self.memo_path.name + f".tmp-{os.getpid()}")
        with open(tmp, "wb") as f:
            pickle.dump(memo, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, self.memo_path)

"""Build Python values from a YAML event stream with js-yaml 4 semantics (spec §3).

We consume parser *events* (from libyaml when available) instead of PyYAML's composed nodes:
libyaml's composer recurses in C and crashes on deeply nested input, while an explicit stack here
makes the depth cap, the alias-expansion cap and source positions cheap to enforce and record.

Mappings follow JavaScript object rules: keys are stringified JS-style, duplicates are fatal
(unless the earlier one came from a merge), ``<<`` merges insert keys where the ``<<`` stands, and
the finished dict is put in JS property order. An alias yields the very object its anchor built,
as in js-yaml.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)

from builder.jsonout import js_ordered, js_string
from builder.load import _yaml_scalars as sc

YamlPath = tuple  # tuple[str | int, ...]
Pos = tuple[int, int]


class LoadFailure(Exception):
    """A problem found while building values; ``yamlload`` turns it into a located RecipeError."""

    def __init__(self, message: str, mark: Any = None, path: YamlPath | None = None):
        super().__init__(message)
        self.message = message
        self.pos: Pos | None = (mark.line + 1, mark.column + 1) if mark is not None else None
        self.path = path


class _Frame:
    """One open sequence or mapping."""

    __slots__ = (
        "anchor",
        "have_key",
        "index",
        "is_map",
        "key",
        "key_mark",
        "key_pos",
        "mark",
        "merge",
        "overridable",
        "path",
        "size",
        "tag",
        "value",
    )

    def __init__(self, is_map: bool, path: YamlPath | None, tag: str | None, anchor: str | None,
                 mark: Any):
        self.is_map = is_map
        self.value: Any = {} if is_map else []
        self.path = path  # None: positions inside are not recorded (keys, merge sources)
        self.tag = tag
        self.anchor = anchor
        self.mark = mark
        self.size = 1  # nodes in this subtree, counting what aliases expand to
        self.index = 0
        self.have_key = False
        self.key: str = ""
        self.key_mark: Any = None
        self.merge = False
        self.overridable: set[str] = set()  # keys that came from a merge and may be replaced
        self.key_pos: dict[str, Pos] = {}


class Builder:
    """Turns the events of one YAML stream into ``(data, positions)``."""

    def __init__(self, next_event: Callable[[], Any], *, max_depth: int, max_alias_nodes: int,
                 max_merge_sources: int):
        self.next_event = next_event
        self.max_depth = max_depth
        self.max_alias_nodes = max_alias_nodes
        self.max_merge_sources = max_merge_sources
        self.stack: list[_Frame] = []
        self.positions: dict[YamlPath, Pos] = {(): (1, 1)}
        self.anchors: dict[str, tuple[Any, int] | None] = {}  # None: still being built
        # Timestamps are stored as their "YYYY-MM-DD" string, but where js-yaml would still see a
        # Date (a key, a merge source) it behaves differently; remember them by identity. The
        # string object is kept here too, so its id cannot be reused.
        self.stamps: dict[int, tuple[str, str]] = {}
        self.key_pos_of: dict[int, dict[str, Pos]] = {}  # mapping id -> its keys' positions
        self.alias_nodes = 0
        self.root: Any = None

    # -- driving ---------------------------------------------------------------------------

    def run(self) -> Any:
        documents = 0
        on_scalar = self.scalar
        while True:
            ev = self.next_event()
            kind = type(ev)
            if kind is ScalarEvent:
                on_scalar(ev)
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                self.start(ev, kind is MappingStartEvent)
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                self.end()
            elif kind is AliasEvent:
                self.alias(ev)
            elif kind is DocumentStartEvent:
                if documents:
                    raise LoadFailure(
                        "only one YAML document is allowed per file (a second one starts here)",
                        ev.start_mark,
                    )
                self.positions[()] = (ev.start_mark.line + 1, ev.start_mark.column + 1)
            elif kind is DocumentEndEvent:
                documents += 1
            elif kind is StreamEndEvent:
                return self.root
            elif kind is not StreamStartEvent:  # pragma: no cover - no other event types exist
                raise LoadFailure(f"unexpected YAML event {kind.__name__}", ev.start_mark)

    def context_path(self, item: bool = True) -> YamlPath:
        """Path of the innermost place being built, for locating an error.

        ``item=False`` stops at the enclosing list instead of naming the item about to be added
        (a syntax error may be found before that item exists).
        """
        for f in reversed(self.stack):
            if f.path is not None:
                if f.is_map:
                    return f.path + (f.key,) if f.have_key and not f.merge else f.path
                return f.path + (f.index,) if item else f.path
        return ()

    # -- events ----------------------------------------------------------------------------

    def scalar(self, ev: ScalarEvent) -> None:
        tag, text = ev.tag, ev.value
        is_merge = False
        if tag is None:
            if ev.implicit[0]:  # plain: resolve by its text
                value = sc.resolve_plain(text)
                is_merge = text == "<<"
            else:  # quoted or block scalar
                value = text
        elif tag == "!":  # the non-specific tag: a string, never resolved
            value = text
        elif tag in sc.SCALAR_TAGS:
            try:
                value = sc.construct_tagged(tag, text, empty=not ev.style and not text)
            except sc.ScalarError as e:
                raise LoadFailure(str(e), ev.start_mark, self.context_path()) from None
            is_merge = tag == sc.MERGE
        elif tag in sc.SEQUENCE_TAGS or tag in sc.MAPPING_TAGS:
            if ev.style or text:  # js-yaml accepts a collection tag only on a missing value
                raise self._bad_tag(tag, "a single value", ev.start_mark)
            value = {} if tag in sc.MAPPING_TAGS else []
        else:
            raise self._bad_tag(tag, "a single value", ev.start_mark)
        if type(value) is sc.Stamp:
            iso = value.iso
            self.stamps[id(iso)] = (iso, value.text)
            value = iso
        if ev.anchor is not None:
            self.anchors[ev.anchor] = (value, 1)
        self.add(value, 1, ev.start_mark, is_merge)

    def start(self, ev: Any, is_map: bool) -> None:
        if len(self.stack) >= self.max_depth:
            raise LoadFailure(
                f"lists and mappings are nested more than {self.max_depth} levels deep",
                ev.start_mark,
            )
        tag = ev.tag
        if tag is not None and tag != "!" and tag not in (sc.MAPPING_TAGS if is_map else sc.SEQUENCE_TAGS):
            raise self._bad_tag(tag, "a mapping" if is_map else "a list", ev.start_mark)
        if ev.anchor is not None:
            self.anchors[ev.anchor] = None  # an alias to it from inside is recursive
        self.stack.append(_Frame(is_map, self._child_path(), tag, ev.anchor, ev.start_mark))

    def end(self) -> None:
        f = self.stack.pop()
        value = f.value
        if f.is_map:
            value = js_ordered(value)
            if f.anchor is not None or f.path is None:  # may become a merge source
                self.key_pos_of[id(value)] = f.key_pos
        if f.tag is not None and f.tag not in ("!", sc.SEQ, sc.MAP):
            value = self._collection_tag(f.tag, value, f.mark)
        if f.anchor is not None:
            self.anchors[f.anchor] = (value, f.size)
        self.add(value, f.size, f.mark)

    def alias(self, ev: AliasEvent) -> None:
        name = ev.anchor
        if name not in self.anchors:
            raise LoadFailure(f"unknown alias *{name}: no anchor &{name} is defined before it",
                              ev.start_mark, self.context_path())
        entry = self.anchors[name]
        if entry is None:
            raise LoadFailure(
                f"alias *{name} is used inside the value it refers to; "
                "recursive structures are not supported", ev.start_mark, self.context_path(),
            )
        value, size = entry
        self.alias_nodes += size
        if self.alias_nodes > self.max_alias_nodes:
            raise LoadFailure(
                f"aliases expand to more than {self.max_alias_nodes} values; refusing to load "
                "(too many or too deeply nested aliases)", ev.start_mark, self.context_path(),
            )
        self.add(value, size, ev.start_mark)

    # -- assembling ------------------------------------------------------------------------

    def _child_path(self) -> YamlPath | None:
        if not self.stack:
            return ()
        f = self.stack[-1]
        if f.path is None:
            return None
        if not f.is_map:
            return f.path + (f.index,)
        return f.path + (f.key,) if f.have_key and not f.merge else None

    def add(self, value: Any, size: int, mark: Any, is_merge: bool = False) -> None:
        """Put a finished value into the innermost open collection (or make it the root)."""
        if not self.stack:
            self.root = value
            return
        f = self.stack[-1]
        f.size += size
        if not f.is_map:
            if f.path is not None:
                self.positions[f.path + (f.index,)] = (mark.line + 1, mark.column + 1)
            f.value.append(value)
            f.index += 1
        elif not f.have_key:
            f.have_key, f.merge, f.key_mark = True, is_merge, mark
            f.key = "" if is_merge else self._key_text(value, mark)
        else:
            f.have_key = False
            if f.merge:
                self._merge(f, value)
                return
            key, d = f.key, f.value
            if key in d and key not in f.overridable:
                first = f.key_pos[key][0]
                raise LoadFailure(f'duplicate key "{key}" (first defined on line {first})',
                                  f.key_mark, (f.path or ()) + (key,))
            d[key] = value
            if f.overridable:
                f.overridable.discard(key)
            pos = (f.key_mark.line + 1, f.key_mark.column + 1)
            f.key_pos[key] = pos
            if f.path is not None:
                self.positions[f.path + (key,)] = pos

    def _key_text(self, key: Any, mark: Any) -> str:
        """JavaScript ``String(key)`` as js-yaml applies it to mapping keys (spec §3.3)."""
        if type(key) is str:
            stamp = self.stamps.get(id(key))
            return key if stamp is None else stamp[1]
        if type(key) is list:
            parts = []
            for item in key:
                if type(item) is list:
                    raise LoadFailure("a list used as a mapping key cannot contain lists",
                                      mark, self.context_path())
                if type(item) is str and id(item) in self.stamps:
                    item = self.stamps[id(item)][1]
                parts.append("" if item is None else js_string(item))
            return ",".join(parts)
        return js_string(key)

    def _merge(self, f: _Frame, value: Any) -> None:
        """Apply ``<<: value`` to the mapping being built (js-yaml's mergeMappings)."""
        sources = value if type(value) is list else [value]
        if len(sources) > self.max_merge_sources:
            raise LoadFailure(
                f'a merge ("<<") lists {len(sources)} mappings; at most '
                f"{self.max_merge_sources} are allowed", f.key_mark, f.path,
            )
        d, here = f.value, (f.key_mark.line + 1, f.key_mark.column + 1)
        for src in sources:
            known: dict[str, Pos] = {}
            if type(src) is dict:
                items: Any = src.items()
                known = self.key_pos_of.get(id(src), known)
            elif type(src) in (list, bytes):  # JS objects too: merged by index
                items = ((str(i), v) for i, v in enumerate(src))
            elif type(src) is str and id(src) in self.stamps:
                continue  # a Date has no own properties to merge
            else:
                raise LoadFailure(
                    'cannot merge: the value of "<<" must be a mapping, an alias of one, '
                    "or a list of them", f.key_mark, f.path,
                )
            for k, v in items:
                if k not in d:
                    d[k] = v
                    f.overridable.add(k)
                    pos = known.get(k, here)
                    f.key_pos[k] = pos
                    if f.path is not None:
                        self.positions[f.path + (k,)] = pos

    def _collection_tag(self, tag: str, value: Any, mark: Any) -> Any:
        """Check and convert ``!!omap``, ``!!pairs`` and ``!!set`` like js-yaml."""
        if tag == sc.SET:
            if any(v is not None for v in value.values()):
                raise LoadFailure("!!set needs a mapping whose values are all empty",
                                  mark, self.context_path())
            return value
        pairs = [item for item in value if type(item) is dict and len(item) == 1]
        if len(pairs) != len(value):
            raise LoadFailure(f"!!{tag[len(sc.TAG):]} needs a list of single-key mappings",
                              mark, self.context_path())
        if tag == sc.OMAP:
            keys = [next(iter(p)) for p in pairs]
            if len(set(keys)) != len(keys):
                raise LoadFailure("!!omap keys must be distinct", mark, self.context_path())
            return value
        return [[k, v] for p in pairs for k, v in p.items()]  # !!pairs

    def _bad_tag(self, tag: str, kind: str, mark: Any) -> LoadFailure:
        shown = "!!" + tag[len(sc.TAG):] if tag.startswith(sc.TAG) else tag
        if not tag.startswith("!") and not tag.startswith(sc.TAG):
            shown = f"!<{tag}>"
        if tag in sc.KNOWN_TAGS:
            return LoadFailure(f"the tag {shown} cannot be used on {kind}", mark,
                               self.context_path())
        return LoadFailure(f"unknown tag {shown}", mark, self.context_path())

"""The recipe schema as users read it: JSON Schema, a key table, one-line help per key.

Everything here is derived from :class:`builder.models.Recipe` (field types, defaults and the
attribute docstrings), so the editor schema, the authoring page and the `recipes new` scaffold
cannot drift from what the loader accepts.

    recipe_json_schema()          # dict: `recipes/schema/recipe.schema.json`, `/schema/recipe.json`
    recipe_keys()                 # [KeyDoc]: every key, depth first, in model order
    expand_key_table(markdown)    # replaces `<!-- recipe-keys -->` with the Markdown table
"""
from __future__ import annotations

import json
import re
import types
import typing
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from builder.models import Recipe

SCHEMA_ID = "https://recipes.vllm.ai/schema/recipe.json"
SCHEMA_DRAFT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_FILE = "schema/recipe.schema.json"
"""Where the committed schema lives, relative to the recipe folder (editors resolve it from
the `# yaml-language-server: $schema=../../schema/recipe.schema.json` line of each recipe)."""
KEY_TABLE_MARKER = "<!-- recipe-keys -->"

# What a mapping's keys stand for, shown as `<placeholder>` in key paths.
MAP_KEY_NAMES = {
    "variants": "<variant>", "features": "<feature>", "strategy_overrides": "<strategy>",
    "hardware_overrides": "<hardware>", "hardware": "<hardware>", "hardware_opt_in_features": "<hardware>",
}
_NONE = type(None)


# -- JSON Schema -------------------------------------------------------------------------------

def recipe_json_schema() -> dict[str, Any]:
    """pydantic's schema of a recipe with an identity; `extra="forbid"` already closes objects."""
    generated = Recipe.model_json_schema()
    head = {
        "$schema": SCHEMA_DRAFT,
        "$id": SCHEMA_ID,
        "title": "vLLM recipe",
        "description": "One recipe file, models/<org>/<repo>.yaml: a model, its checkpoints "
                       "(variants) and how to serve them with vLLM. Generated from builder.models.Recipe.",
    }
    return {**head, **{k: v for k, v in generated.items() if k not in ("title", "description")}}


def schema_text() -> str:
    """The schema file's exact text (stable key order, one trailing newline)."""
    return json.dumps(recipe_json_schema(), indent=2, ensure_ascii=False) + "\n"


# -- Reading the models ------------------------------------------------------------------------

def _members(tp: Any) -> list[Any]:
    """Union members (without None), with Annotated stripped."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _members(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        return [m for arg in typing.get_args(tp) if arg is not _NONE for m in _members(arg)]
    return [tp]


def is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


Shape = Literal["model", "map", "list"]


def nested(tp: Any) -> tuple[Shape, type[BaseModel]] | None:
    """The model a field holds directly, as map values or as list items; None for plain values."""
    for member in _members(tp):
        if is_model(member):
            return "model", member
    for member in _members(tp):
        origin, args = typing.get_origin(member), typing.get_args(member)
        inner = args[-1] if args else None
        if origin in (dict, list) and inner is not None:
            model = next((m for m in _members(inner) if is_model(m)), None)
            if model is not None:
                return ("map" if origin is dict else "list"), model
    return None


def type_label(tp: Any) -> str:
    """A type in words: `text`, `list of text`, `map of name → mapping`, …"""
    members = _members(tp)
    if len(members) > 1:
        if set(members) == {int, float}:
            return "number"
        return " or ".join(dict.fromkeys(type_label(m) for m in members))
    tp = members[0]
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is Literal:
        return "one of " + ", ".join(f"`{a}`" for a in args)
    if origin is list:
        return "list of " + _grouped(args[0]) if args else "list"
    if origin is dict:
        return "map of name → " + _grouped(args[1]) if args else "map"
    if is_model(tp):
        return "mapping"
    return {str: "text", int: "integer", float: "number", bool: "true/false"}.get(tp, getattr(tp, "__name__", str(tp)))


def _grouped(tp: Any) -> str:
    label = type_label(tp)
    return f"({label})" if " or " in label else label


def describe(info: FieldInfo) -> str:
    """The field's docstring (or `description=`) on one line, else its model's docstring, else ""."""
    text = info.description or ""
    if not text and is_model(_members(info.annotation)[0]):
        text = _members(info.annotation)[0].__doc__ or ""
    return re.sub(r"\s+", " ", text).strip()


def default_of(info: FieldInfo) -> Any:
    """The default value, or PydanticUndefined when the key is required."""
    if info.is_required():
        return PydanticUndefined
    if info.default_factory is not None:
        return info.default_factory()  # type: ignore[call-arg]
    return info.default


@dataclass(frozen=True)
class KeyDoc:
    """One key of a recipe, as the authoring page lists it."""

    path: str
    """Dotted path; `<variant>`-style placeholders stand for mapping keys, `[]` for list items."""
    name: str
    type: str
    required: bool
    default: Any
    description: str


def model_keys(model: type[BaseModel], prefix: str = "") -> list[KeyDoc]:
    """Every key of `model` and of the models nested in it, depth first, in declaration order."""
    out: list[KeyDoc] = []
    for name, info in model.model_fields.items():
        path = prefix + name
        default = default_of(info)
        out.append(KeyDoc(path, name, type_label(info.annotation), default is PydanticUndefined,
                          None if default is PydanticUndefined else default, describe(info)))
        inner = nested(info.annotation)
        if inner is not None:
            shape, child = inner
            step = {"model": ".", "map": f".{MAP_KEY_NAMES.get(name, '<name>')}.", "list": "[]."}[shape]
            out += model_keys(child, path + step)
    return out


def recipe_keys() -> list[KeyDoc]:
    return model_keys(Recipe)


# -- The authoring page's key table ------------------------------------------------------------

def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _default_cell(key: KeyDoc) -> str:
    if key.required:
        return "**required**"
    if key.default is None:
        return "—"
    return "`" + json.dumps(key.default, ensure_ascii=False) + "`"


def key_table() -> str:
    """A Markdown table of every recipe key (path, type, default, meaning)."""
    rows = ["| Key | Type | Default | Meaning |", "| --- | --- | --- | --- |"]
    for key in recipe_keys():
        rows.append(f"| `{_cell(key.path)}` | {_cell(key.type)} | {_default_cell(key)} | {_cell(key.description)} |")
    return "\n".join(rows) + "\n"


def expand_key_table(markdown: str) -> str:
    """Replace the key-table marker of a page (the authoring guide) with the generated table."""
    if KEY_TABLE_MARKER not in markdown:
        return markdown
    return markdown.replace(KEY_TABLE_MARKER, key_table())

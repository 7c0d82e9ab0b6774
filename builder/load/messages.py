"""Turn pydantic's validation errors into located, plain-word problems.

pydantic reports a failing union once per branch and names branches in the location
(`docker_image.str`); we drop those steps by following the location through the data itself.
"""
from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ValidationError

from builder.errors import Problem, dotted

_EXPECTED = {
    "string_type": "text (a string)",
    "int_type": "a whole number",
    "float_type": "a number",
    "bool_type": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping of keys to values",
    "model_type": "a mapping of keys to values",
    "model_attributes_type": "a mapping of keys to values",
    "int_from_float": "a whole number",
}


def _describe(value: Any) -> str:
    if value is None:
        return "an empty value (null)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f'the text "{shown}"'
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _is_union_tag(step: Any) -> bool:
    """pydantic names union branches in locations (`str`, `list[str]`, `InstallStep`, `function-after[…]`)."""
    return isinstance(step, str) and (
        step in ("str", "int", "float", "bool", "none") or "[" in step or step[:1].isupper()
        or step.startswith(("function-", "constrained-")))


def _data_path(data: Any, loc: tuple) -> tuple[tuple, Any, bool]:
    """The location without union-branch steps, the value there, and whether it exists in the data."""
    path: list = []
    node = data
    exists = True
    for step in loc:
        in_map = isinstance(node, dict) and isinstance(step, str) and step in node
        in_list = isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node)
        if in_map or in_list:
            node = node[step]
        elif _is_union_tag(step):
            continue
        else:
            node, exists = None, False
        path.append(step)
    return tuple(path), node, exists


def _model_at(model: type, loc: tuple) -> type[BaseModel] | None:
    """The pydantic model class describing the mapping at `loc` (for did-you-mean hints)."""
    current: Any = model
    for step in loc:
        current = _unwrap(current)
        if current is None:
            return None
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(step) if isinstance(step, str) else None
            if field is None:
                return None
            current = field.annotation
        else:
            origin = typing.get_origin(current)
            args = typing.get_args(current)
            if origin is dict and args:
                current = args[1]
            elif origin is list and args:
                current = args[0]
            else:
                return None
    current = _unwrap(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(tp: Any) -> Any:
    """Strip Optional/Union/Annotated down to the first model or container type."""
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            members = [a for a in typing.get_args(tp) if a is not type(None)]
            models = [a for a in members if isinstance(a, type) and issubclass(a, BaseModel)]
            containers = [a for a in members if typing.get_origin(a) in (dict, list)]
            tp = (models or containers or members or [None])[0]
        else:
            return tp


def _message(err: dict, model: type[BaseModel], loc: tuple, value: Any, exists: bool) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        key = loc[-1]
        cls = _model_at(model, loc[:-1])
        hint = ""
        if cls is not None:
            close = difflib.get_close_matches(str(key), list(cls.model_fields), n=1)
            hint = f' (did you mean "{close[0]}"?)' if close else f" (known keys: {', '.join(cls.model_fields)})"
        return f'unknown key "{key}"{hint}'
    if kind == "missing":
        return f'required key "{loc[-1]}" is missing'
    if kind in _EXPECTED:
        return f"expected {_EXPECTED[kind]}, got {_describe(value)}"
    if kind == "literal_error":
        return f"must be one of {err.get('ctx', {}).get('expected', '')}, got {_describe(value)}"
    if kind in ("too_short", "string_too_short"):
        return "must not be empty"
    if kind == "string_pattern_mismatch":
        return f"{_describe(value)} is not allowed here: {err['msg'].lower()}"
    msg = err["msg"]
    if kind == "value_error" and msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    return f"{msg} (got {_describe(value)})" if exists and value is not None and kind != "value_error" else msg


def problems_from_validation(error: ValidationError, model: type[BaseModel], data: Any,
                             where: Callable[[tuple], tuple[int, int]], display: str) -> list[Problem]:
    grouped: dict[tuple, list[tuple[Any, Any, bool]]] = {}  # (pydantic's ErrorDetails, value, exists)
    for err in error.errors(include_url=False):
        loc, value, exists = _data_path(data, tuple(err["loc"]))
        grouped.setdefault(loc, []).append((err, value, exists))
    problems = []
    for loc, errs in grouped.items():
        kinds = {e["type"] for e, _, _ in errs}
        err, value, exists = errs[0]
        line, col = where(loc[:-1]) if err["type"] == "missing" else where(loc)
        if "finite_number" in kinds:
            message = f"must be a finite number, got {_describe(value)}"
        elif {"int_type", "float_type"} <= kinds:
            # A union of whole and decimal numbers: say "a number", not the first branch's words.
            message = f"expected a number, got {_describe(value)}"
        else:
            # A union fails once per branch; the first branch's message stands for the place.
            message = _message(err, model, loc, value, exists)
        problems.append(Problem(display, line, col, dotted(loc), message))
    return problems

"""Find every `vllm serve` argument list in a recipe or strategy and report located warnings.

The walk is defensive: it only follows mappings and lists, so malformed input (which the schema
check reports as errors) never stops the lint.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from builder.check.lint.argv import ArgIssue, given_dests, lint_args
from builder.check.lint.options import VllmOptions
from builder.errors import Problem, dotted
from builder.models import Catalog

KeyPath = tuple[str | int, ...]
Where = Callable[[KeyPath], tuple[int, int]]
ArgList = tuple[KeyPath, list[Any]]


def is_omni(data: object) -> bool:
    """Omni recipes are served by vLLM-Omni, whose options are not in vLLM's table."""
    tasks = _sub(_sub(data, "meta"), "tasks")
    return isinstance(tasks, list) and "omni" in tasks


def recipe_arg_lists(data: object) -> Iterator[ArgList]:
    """Every argument list of a recipe, with its key path (none for an omni recipe)."""
    if not isinstance(data, Mapping) or is_omni(data):
        return
    yield from _list_at(data, ("model", "base_args"))
    for name, variant in _members(data.get("variants")):
        yield from _list_at(variant, ("extra_args",), ("variants", name))
        for hw, block in _members(_sub(variant, "hardware_overrides")):
            yield from _list_at(block, ("extra_args",), ("variants", name, "hardware_overrides", hw))
    for name, feature in _members(data.get("features")):
        yield from _list_at(feature, ("args",), ("features", name))
        for gen, block in _members(_sub(feature, "hardware_overrides")):
            yield from _list_at(block, ("args",), ("features", name, "hardware_overrides", gen))
    for gen, block in _members(data.get("hardware_overrides")):
        yield from _list_at(block, ("extra_args",), ("hardware_overrides", gen))
    for strategy, block in _members(data.get("strategy_overrides")):
        prefix: KeyPath = ("strategy_overrides", strategy)
        yield from _list_at(block, ("extra_args",), prefix)
        yield from _list_at(block, ("vllm_args",), prefix)
        for gen, hw_block in _members(_sub(block, "hardware_overrides")):
            yield from _list_at(hw_block, ("extra_args",), prefix + ("hardware_overrides", gen))
        if strategy == "pd_cluster":  # only the PD strategy reads per-role blocks
            for role in ("prefill", "decode"):
                yield from _list_at(block, (role, "vllm_args"), prefix)
                yield from _list_at(block, (role, "extra_args"), prefix)


def strategy_arg_lists(data: object) -> Iterator[ArgList]:
    """The argument lists of a strategy file (``vllm_args``, and per role for pd_cluster)."""
    if not isinstance(data, Mapping):
        return
    yield from _list_at(data, ("vllm_args",))
    for role in ("prefill", "decode"):
        yield from _list_at(data, (role, "vllm_args"))


def lint_recipe(data: dict, where: Where, path: str, options: VllmOptions) -> list[Problem]:
    """Warnings for every argument of a recipe that vLLM would reject or misread."""
    return lint_arg_lists(list(recipe_arg_lists(data)), where, path, options)


def lint_strategy(data: dict, where: Where, path: str, options: VllmOptions) -> list[Problem]:
    """Warnings for the arguments of a strategy file."""
    return lint_arg_lists(list(strategy_arg_lists(data)), where, path, options)


def lint_arg_lists(
    lists: list[ArgList], where: Where, path: str, options: VllmOptions
) -> list[Problem]:
    """Lint lists that end up in the same command, each finding pointing at its list item."""
    return sorted(
        problem_for(issue, keypath, where, path)
        for keypath, issue in issues_in(lists, options)
    )


def issues_in(lists: list[ArgList], options: VllmOptions) -> Iterator[tuple[KeyPath, ArgIssue]]:
    """The raw findings with their list's key path (for counting by rule)."""
    # A parser plugin given in any list makes unregistered parser names acceptable everywhere.
    given = given_dests([items for _, items in lists], options)
    for keypath, items in lists:
        for issue in lint_args(items, options, given):
            yield keypath, issue


def problem_for(issue: ArgIssue, keypath: KeyPath, where: Where, path: str) -> Problem:
    item = keypath + (issue.index,)
    line, column = _locate(where, item)
    return Problem(path, line, column, format_keypath(item), issue.message, severity="warning")


format_keypath = dotted
"""Kept as the lint package's name for the shared key-path formatter."""


def _locate(where: Where, keypath: KeyPath) -> tuple[int, int]:
    try:
        line, column = where(keypath)
    except (LookupError, TypeError, ValueError):  # a position is a help, never a reason to fail
        return 0, 0
    return line, column


def _list_at(node: object, keys: tuple[str, ...], prefix: KeyPath = ()) -> Iterator[ArgList]:
    value: object = node
    for key in keys:
        value = _sub(value, key)
    if isinstance(value, list):
        yield prefix + keys, value


def _sub(node: object, key: str) -> object:
    return node.get(key) if isinstance(node, Mapping) else None


def _members(node: object) -> Iterator[tuple[str, object]]:
    if isinstance(node, Mapping):
        yield from ((str(k), v) for k, v in node.items())


def lint_catalog(catalog: Catalog, options: VllmOptions) -> list[Problem]:
    """Warnings for every strategy and recipe file that parsed, even one the schema rejected."""
    out: list[Problem] = []
    for strategy in catalog.strategy_sources:
        if isinstance(strategy.data, dict) and strategy.where is not None:
            out += lint_strategy(strategy.data, strategy.where, strategy.display, options)
    for recipe in catalog.recipe_sources:
        if isinstance(recipe.data, dict) and recipe.where is not None:
            out += lint_recipe(recipe.data, recipe.where, recipe.display, options)
    return out

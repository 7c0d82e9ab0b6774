"""Recipe lint: `vllm serve` arguments that vLLM would reject or misread.

Warnings, not errors: a recipe with a misspelt option still builds, but its command fails when a
user runs it. The checks read the option table of one vLLM release (``VllmOptions``); the walk
over a recipe's argument lists lives in ``documents``, the per-list checks in ``argv``.

    options = VllmOptions.load()              # the table shipped in builder/data
    problems = lint_recipe(loaded.data, loaded.where, "models/org/repo.yaml", options)
"""
from __future__ import annotations

from builder.check.lint.argv import (
    BAD_VALUE,
    CONFIG_KEY,
    JOINED,
    PARSER_NAME,
    PLACEHOLDER,
    RULES,
    UNKNOWN_OPTION,
    ArgIssue,
    lint_args,
)
from builder.check.lint.documents import (
    format_keypath,
    issues_in,
    lint_arg_lists,
    lint_catalog,
    lint_recipe,
    lint_strategy,
    recipe_arg_lists,
    strategy_arg_lists,
)
from builder.check.lint.options import ConfigSpec, OptionSpec, VllmOptions

__all__ = [
    "BAD_VALUE",
    "CONFIG_KEY",
    "JOINED",
    "PARSER_NAME",
    "PLACEHOLDER",
    "RULES",
    "UNKNOWN_OPTION",
    "ArgIssue",
    "ConfigSpec",
    "OptionSpec",
    "VllmOptions",
    "format_keypath",
    "issues_in",
    "lint_arg_lists",
    "lint_args",
    "lint_catalog",
    "lint_recipe",
    "lint_strategy",
    "recipe_arg_lists",
    "strategy_arg_lists",
]

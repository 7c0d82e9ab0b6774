"""Check one list of `vllm serve` arguments against the option table.

A recipe's argument lists are joined into one argv, so each list is read the way vLLM's parser
reads argv: an option item, then the items that are its values. Every finding names the index of
the item to fix. Only what is certain is reported: a value that is a shell variable (``$HEAD_IP``)
is checked no further than "a number was expected here".
"""
from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from builder.check.lint.options import OptionSpec, Resolved, VllmOptions

# The kinds of finding, for counting and filtering (the brief's rules a–f).
JOINED = "joined-flag-value"
UNKNOWN_OPTION = "unknown-option"
CONFIG_KEY = "config-key"
PARSER_NAME = "parser-name"
PLACEHOLDER = "placeholder-number"
BAD_VALUE = "bad-value"
RULES = (JOINED, UNKNOWN_OPTION, CONFIG_KEY, PARSER_NAME, PLACEHOLDER, BAD_VALUE)

# argparse reads these as values, not options, because no vLLM option looks like a number.
_NEGATIVE_NUMBER = re.compile(r"^-\d+$|^-\d*\.\d+$")
_LEVELS = frozenset({"0", "1", "2", "3"})
_SHELL_EXPANSION = re.compile(r"\$[{(A-Za-z_]")

_PARSER_OPTIONS = {
    # dest -> (registry attribute, plugin dest that may register more names, words for users)
    "tool_call_parser": ("tool_call_parsers", "tool_parser_plugin", "tool-call parser"),
    "reasoning_parser": ("reasoning_parsers", "reasoning_parser_plugin", "reasoning parser"),
}


@dataclass(frozen=True)
class ArgIssue:
    """One finding in an argument list: ``index`` is the position of the item to fix."""

    index: int
    rule: str
    message: str


@dataclass(frozen=True)
class _Token:
    index: int
    text: str


def is_option(text: str) -> bool:
    """Whether vLLM's parser takes this argv item for an option rather than a value."""
    return len(text) > 1 and text.startswith("-") and not _NEGATIVE_NUMBER.match(text)


def given_dests(lists: Iterable[Sequence[object]], options: VllmOptions) -> frozenset[str]:
    """The option dests used anywhere in these lists (a parser plugin in one list covers all)."""
    found: set[str] = set()
    for items in lists:
        for item in items:
            if isinstance(item, str) and is_option(item):
                name = item.split("=", 1)[0].split()[0].split(".", 1)[0]
                spec = options.resolve(name).spec
                if spec is not None:
                    found.add(spec.dest)
    return frozenset(found)


def lint_args(
    items: Sequence[object],
    options: VllmOptions,
    given: frozenset[str] = frozenset(),
) -> list[ArgIssue]:
    """Check one argument list. ``given`` holds the dests used elsewhere in the same document."""
    tokens, issues = _tokenise(items)
    checker = _Checker(options, given | given_dests([items], options), issues)
    checker.run(tokens)
    return issues


def _tokenise(items: Sequence[object]) -> tuple[list[_Token], list[ArgIssue]]:
    tokens: list[_Token] = []
    issues: list[ArgIssue] = []
    for index, item in enumerate(items):
        if not item:
            continue  # falsy items are dropped before the command is built
        if isinstance(item, bool) or not isinstance(item, (str, int, float)):
            continue  # not an argument at all: the schema check reports it
        text = str(item)
        name = text.split("=", 1)[0]
        if is_option(text) and any(c.isspace() for c in name):
            pieces = _split_words(text)
            shown = ", ".join(f'"{p}"' for p in pieces)
            issues.append(ArgIssue(index, JOINED, (
                f'option and value in one item: vLLM receives "{text}" as a single unknown '
                f"argument; write separate items {shown}"
            )))
            tokens.extend(_Token(index, p) for p in pieces)
        else:
            tokens.append(_Token(index, text))
    return tokens, issues


def _split_words(text: str) -> list[str]:
    """The items a joined "option value" item should have been."""
    name, rest = text.split(None, 1)
    rest = rest.strip()
    if rest[:1] in ("{", "["):
        return [name, rest]  # unquoted JSON: keep it whole
    try:
        return [name, *shlex.split(rest)]
    except ValueError:  # unbalanced quotes: a whitespace split is still a useful hint
        return [name, *rest.split()]


class _Checker:
    """Walks the tokens of one list, consuming each option's values as argparse would."""

    def __init__(self, options: VllmOptions, given: frozenset[str], issues: list[ArgIssue]):
        self.options = options
        self.given = given
        self.issues = issues

    def add(self, index: int, rule: str, message: str) -> None:
        self.issues.append(ArgIssue(index, rule, message))

    def run(self, tokens: list[_Token]) -> None:
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            i += 1
            if not is_option(tok.text):
                self.add(tok.index, BAD_VALUE, (
                    f'"{tok.text}" follows no option that takes a value; vLLM rejects it '
                    "as an extra argument"
                ))
                continue
            i = self._option(tok, tokens, i)

    def _option(self, tok: _Token, tokens: list[_Token], i: int) -> int:
        """Check the option at ``tok``; return the position after its values."""
        text = tok.text
        name, eq, inline = text.partition("=")
        inline_value = inline if eq else None
        # vLLM rewrites -O3, -O=3 and "-O 3" to --optimization-level before parsing.
        if text.startswith("-O") and len(text) > 2:
            name, inline_value = "--optimization-level", text[3:] if text[2] == "=" else text[2:]
        elif text == "-O" and (nxt := _next_value(tokens, i)) is not None and nxt.text in _LEVELS:
            name = "--optimization-level"
        base, dot, sub = name.partition(".")
        resolved = self.options.resolve(base)
        spec = resolved.spec
        if spec is None:
            self._unknown(tok, resolved)
            while i < len(tokens) and not is_option(tokens[i].text):
                i += 1  # its values: how many is unknowable, and they are not the problem
            return i
        if resolved.abbreviation_of:
            self.add(tok.index, UNKNOWN_OPTION, (
                f'"{base}" is an abbreviation of "{resolved.abbreviation_of}"; vLLM accepts it '
                "only while no other option starts the same way, so write it in full"
            ))
        if dot:
            return self._dotted(tok, name, spec, sub, inline_value, tokens, i)
        if spec.is_flag:
            return self._flag(tok, name, inline_value, tokens, i)
        values: list[_Token] = []
        if inline_value is not None:
            values.append(_Token(tok.index, inline_value))
        else:
            while (nxt := _next_value(tokens, i)) is not None:
                values.append(nxt)
                i += 1
                if spec.nargs in "1?":
                    break
        if not values and spec.nargs in "1+":
            self.add(tok.index, BAD_VALUE, f"{name} needs a value, but none follows it")
        for value in values:
            self._value(spec, name, value)
        return i

    def _unknown(self, tok: _Token, resolved: Resolved) -> None:
        written = resolved.written
        if resolved.ambiguous:
            listed = ", ".join(resolved.ambiguous[:4]) + (", …" if len(resolved.ambiguous) > 4 else "")
            message = f'ambiguous option "{written}": it is the start of {listed}'
        else:
            message = f'unknown option "{written}"'
            suggestion = self.options.suggest_option(written)
            if suggestion:
                message += f' (did you mean "{suggestion}"?)'
        self.add(tok.index, UNKNOWN_OPTION, message)

    def _flag(self, tok: _Token, name: str, inline: str | None, tokens: list[_Token], i: int) -> int:
        if inline is not None:
            self.add(tok.index, BAD_VALUE, f'{name} takes no value, but "{inline}" is given with "="')
        elif (nxt := _next_value(tokens, i)) is not None:
            self.add(nxt.index, BAD_VALUE, (
                f'{name} takes no value, so vLLM rejects the "{nxt.text}" after it as an extra argument'
            ))
            i += 1
        return i

    def _dotted(
        self, tok: _Token, name: str, spec: OptionSpec, sub: str, inline: str | None,
        tokens: list[_Token], i: int,
    ) -> int:
        # vLLM turns --opt.key value into --opt '{"key": value}': always exactly one value.
        if inline is None:
            nxt = _next_value(tokens, i)
            if nxt is None:
                self.add(tok.index, BAD_VALUE, f"{name} needs a value, but none follows it")
            else:
                i += 1
        key = sub.split(".", 1)[0].removesuffix("+")
        config = self.options.configs.get(spec.dest)
        if spec.is_flag or spec.value_type in ("int", "float"):
            self.add(tok.index, CONFIG_KEY, f'{spec.name} takes no sub-keys, so "{name}" is rejected')
        elif config is not None and config.checked_by_vllm and key not in config.keys:
            self.add(tok.index, CONFIG_KEY, self._key_message(spec, key))
        return i

    def _key_message(self, spec: OptionSpec, key: str) -> str:
        config = self.options.configs[spec.dest]
        message = (
            f'unknown key "{key}" for {spec.name}: vLLM {self.options.version}\'s '
            f"{config.class_name} does not accept it"
        )
        suggestion = self.options.suggest_key(config, key)
        return message + (f' (did you mean "{suggestion}"?)' if suggestion else "")

    def _value(self, spec: OptionSpec, name: str, tok: _Token) -> None:
        value = tok.text
        numeric = spec.value_type in ("int", "float")
        if _SHELL_EXPANSION.search(value):
            if numeric:
                what = "a whole number" if spec.value_type == "int" else "a number"
                self.add(tok.index, PLACEHOLDER, (
                    f'{name} expects {what}, but "{value}" is a shell variable; vLLM rejects it '
                    "unless the shell replaces it, which the JSON argv never does"
                ))
            return
        if numeric and not _parses(value, spec.value_type):
            what = "a whole number" if spec.value_type == "int" else "a number"
            self.add(tok.index, BAD_VALUE, f'{name} expects {what}, not "{value}"')
            return
        if spec.choices and not _in_choices(value, spec):
            self.add(tok.index, BAD_VALUE, (
                f'"{value}" is not a choice of {name} (choose one of: {", ".join(spec.choices)})'
            ))
        if spec.dest in self.options.configs:
            self._config_json(spec, name, tok)
        if spec.dest in _PARSER_OPTIONS:
            self._parser_name(spec, name, tok)

    def _config_json(self, spec: OptionSpec, name: str, tok: _Token) -> None:
        if not tok.text.lstrip().startswith("{"):
            return  # not JSON text; other forms are the config class's business
        try:
            value = json.loads(tok.text)
        except json.JSONDecodeError as exc:
            self.add(tok.index, BAD_VALUE,
                     f"the value of {name} is not valid JSON ({exc.msg} at character {exc.pos + 1})")
            return
        config = self.options.configs[spec.dest]
        if isinstance(value, dict) and config.checked_by_vllm:
            for key in value:
                if key not in config.keys:
                    self.add(tok.index, CONFIG_KEY, self._key_message(spec, key))

    def _parser_name(self, spec: OptionSpec, name: str, tok: _Token) -> None:
        registry, plugin_dest, words = _PARSER_OPTIONS[spec.dest]
        known: frozenset[str] = getattr(self.options, registry)
        if tok.text in known or plugin_dest in self.given:
            return
        plugin = self.options.by_dest(plugin_dest)
        message = (
            f'unknown {words} "{tok.text}" for {name}: vLLM {self.options.version} registers no such '
            f"parser and no {plugin.name if plugin else 'plugin'} is given"
        )
        suggestion = self.options.suggest_parser(known, tok.text)
        if suggestion:
            message += f' (did you mean "{suggestion}"?)'
        self.add(tok.index, PARSER_NAME, message)


def _next_value(tokens: list[_Token], i: int) -> _Token | None:
    if i < len(tokens) and not is_option(tokens[i].text):
        return tokens[i]
    return None


def _parses(value: str, value_type: str) -> bool:
    try:
        int(value) if value_type == "int" else float(value)
    except ValueError:
        return False
    return True


def _in_choices(value: str, spec: OptionSpec) -> bool:
    if spec.value_type == "int" and _parses(value, "int"):
        return int(value) in {int(c) for c in spec.choices if _parses(c, "int")}
    # vLLM's type converters sometimes normalise case; never report what may be accepted.
    return value.lower() in {c.lower() for c in spec.choices}

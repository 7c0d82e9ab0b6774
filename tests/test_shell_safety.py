"""A pasted command runs exactly the argv the API publishes, for any value a recipe may hold.

Each example goes into a tiny recipe's feature args, is synthesized, and the shown `command`
(and `docker_command`) is run by real bash with `vllm`/`docker` defined as functions that print
their arguments NUL-separated. Inputs the validator rejects (builder.check.crossrefs: unquoted text with
shell characters, NUL characters, `$NAME` placeholders in unquoted text) are the only ones skipped.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
from factory import recipe, write_recipes
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from builder.check import load_catalog
from builder.errors import Problem, RecipeError
from builder.models import Catalog
from builder.synth import Selection, deploy
from builder.text import INVISIBLE

BASH = shutil.which("bash")
pytestmark = pytest.mark.skipif(BASH is None, reason="bash is not installed")

# Functions that print each argument followed by NUL. HOME='~' makes bash's tilde expansion of
# `-v ~/.cache/…` give back the literal `~` that docker_argv keeps (spec §6.13).
PRELUDE = "vllm() { printf '%s\\0' \"$@\"; }\ndocker() { printf '%s\\0' \"$@\"; }\nHOME='~'\n"

SHELL_CHARS = list(" '\"$\\`{}[]*?~!#&;|<>()\n\t\r,=:%@+-_./") + ["é", "€", "🙂", "\u2028", "\x00", "\x7f"]
weird_text = st.text(alphabet=st.sampled_from(SHELL_CHARS) | st.sampled_from("aZ09") |
                     st.characters(exclude_categories=("Cs",)), max_size=24)
json_text = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6).map(lambda v: json.dumps(v, ensure_ascii=False, separators=(",", ":")))
values = weird_text | json_text


def bash_argv(command: str) -> list[str]:
    """What the shell passes to the printing functions when it runs `command`.

    A `$NAME` placeholder (`-e A=$HEAD_IP`, printed raw as spec §6.13 says) is for the reader's shell
    to fill in; here each one is set to its own text, so expanding it changes nothing."""
    names = {m: "$" + m for m in re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", command)}
    done = subprocess.run([BASH, "--noprofile", "--norc", "-c", PRELUDE + command], capture_output=True,
                          env={**names, "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C"}, timeout=10)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    return [part.decode("utf-8") for part in done.stdout.split(b"\0")[:-1]]


def synthesize(args: list[str], env: dict[str, str] | None = None) -> tuple[Catalog | None, list[Problem]]:
    """Load a tiny recipe whose feature `f` has `args`; the catalog, or the validator's findings."""
    with tempfile.TemporaryDirectory() as tmp:
        model: dict[str, Any] = {"model_id": "example/tiny", "base_args": [], "base_env": env or {}}
        root = write_recipes(Path(tmp) / "recipes", {"example/tiny": recipe(model=model, features={"f": {"args": args}})})
        try:
            catalog = load_catalog(root)
        except RecipeError as err:
            return None, err.problems + list(getattr(err, "warnings", []))
        return catalog, list(catalog.warnings)


def launch_of(catalog: Catalog):
    entry = catalog.entry("example/tiny")
    assert entry is not None
    return deploy(catalog, entry.recipe, Selection("default", "h200", "single_node_tp", features=("f",))).launches[0]


def assert_round_trip(args: list[str], env: dict[str, str] | None = None) -> bool:
    """True when checked; False when the validator rejects the input (then it must say why)."""
    catalog, problems = synthesize(args, env)
    if problems:
        assert all(p.line > 0 and p.message for p in problems)
        return False
    assert catalog is not None
    launch = launch_of(catalog)
    assert bash_argv(launch.command) == list(launch.argv[1:])
    assert bash_argv(launch.docker_command) == [str(a) for a in launch.docker_argv[1:]]
    return True


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(first=values, second=values)
@example(first='{"method": "mtp", "num_speculative_tokens": 1}', second="it's a \"quoted\" $HOME `x` \\ *.py")
@example(first="line one\nline two", second="ünïcødé 🙂 [a-z]? ~root !! #c")
@example(first="", second="-starts-with-dash")
@example(first="", second="0E0")  # a string to us, a number to YAML 1.2: the factory must quote it
def test_values_after_a_flag_round_trip(first: str, second: str) -> None:
    args = ["--chat-template", first, "--revision", second]
    checked = assert_round_trip(args)
    event("run through bash" if checked else "refused by the validator")
    # Anything quoted is safe: a value after its flag is only refused when it cannot be a
    # command-line value at all, when it would be printed unquoted (it looks like a flag), or when
    # it holds a control, bidi or zero-width character (refused in anything printed).
    if not checked:
        assert any("\x00" in v or v[:1] == "-" or INVISIBLE.search(v) for v in (first, second)), (first, second)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(["--chat-template", "--revision", "--enforce-eager", "-O3"]) | values,
                min_size=1, max_size=5))
@example(["--trust-remote-code;reboot"])
@example(["two words"])
@example(["--enforce-eager", "$(id)", "--revision", "$(id)"])
def test_any_argument_list_is_refused_or_round_trips(args: list[str]) -> None:
    """Flags and values that follow no flag are printed unquoted (spec §6.9): the validator must
    refuse every such item that the shell would change, and everything else must round-trip."""
    event("run through bash" if assert_round_trip(args) else "refused by the validator")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.from_regex(r"[A-Z][A-Z0-9_]{0,8}", fullmatch=True),
                       values | st.from_regex(r"[A-Za-z0-9_./=:@,+%-]{0,12}", fullmatch=True), min_size=1, max_size=3))
@example({"VLLM_X": "a b"})
@example({"VLLM_X": '{"k": 1}'})
@example({"A": "$A"})  # a placeholder: bash fills it in from the reader's environment
def test_docker_env_pairs_are_refused_or_round_trip(env: dict[str, str]) -> None:
    """`-e KEY=VALUE` pairs are printed raw in docker_command (spec §6.13)."""
    event("run through bash" if assert_round_trip(["--enforce-eager"], env) else "refused by the validator")


@pytest.mark.parametrize("value", [
    '{"cudagraph_mode":"FULL_AND_PIECEWISE", "custom_ops":["all"]}', "it's", "a b  c", "$NOT_A_PLACEHOLDER x",
    "back\\slash", "new\nline", "glob*?[x]", "tilde ~/x", "ünïcode", "semi;colon && echo hi",
])
def test_typical_values_are_accepted_and_round_trip(value: str) -> None:
    """The filter above must not hide ordinary values: these are accepted and checked."""
    assert assert_round_trip(["--chat-template", value]) is True


@pytest.mark.parametrize("args, reason", [
    (["--trust-remote-code;reboot"], "the shell would act on its characters ;"),
    (["--chat-template", "x\x00y"], "NUL character"),
    (["two words"], "the shell splits it"),
    (["--revision", "main", "$(id)"], "the shell would act on its characters $ ( )"),
])
def test_unsafe_unquoted_items_are_refused_with_a_reason(args: list[str], reason: str) -> None:
    _, problems = synthesize(args)
    assert any(reason in p.message and p.key.startswith("features.f.args[") for p in problems), problems

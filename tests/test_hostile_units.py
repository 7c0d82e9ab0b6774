"""Unit cases for the hostile-input guards: bash reading, printable text, input-file policy, claims."""
from __future__ import annotations

import copy
import os
from pathlib import Path

import pytest
from factory import STRATEGIES, dump, recipe, write_recipes

from builder.check import load_catalog
from builder.check.claims import Claim, clashes
from builder.errors import Problem, RecipeError
from builder.synth.safety import read_bash
from builder.text import invisible_in, safe_text

# -- bash reading of final commands ----------------------------------------------------------------

@pytest.mark.parametrize("command, chars", [
    ("vllm serve m \\\n  --port 8000", []),
    ("vllm serve m \\\n  --x '$(id); `id` | & > *'", []),
    ("vllm serve m --host $HEAD_IP --p \"$PORT\"", []),
    ("docker run -v ~/.cache/huggingface:/root/.cache/huggingface img", []),
    ("vllm-router --policy round_robin; touch /tmp/x #", [";", "#"]),
    ("vllm serve $(id)", ["$", "(", ")"]),
    ("vllm serve m `id`", ["`", "`"]),
    ("vllm serve m --x \"$(id)\"", ["$"]),
    ("vllm serve m\nrm -rf ~", ["newline", "~"]),
    ("vllm serve m --x ${IFS}", ["$", "{", "}"]),
    ("vllm serve *.py", ["*"]),
    ("vllm serve m 'unclosed", ["'"]),
])
def test_read_bash_finds_what_the_shell_would_act_on(command: str, chars: list[str]) -> None:
    assert [c for _, c in read_bash(command)] == chars


# -- printable text --------------------------------------------------------------------------------

def test_safe_text_escapes_controls_bidi_and_zero_width() -> None:
    assert safe_text("a\x1b[31mb\x07c\u202ed\u200be\tf\ng") == "a\\u001b[31mb\\u0007c\\u202ed\\u200be\tf\ng"


def test_problems_never_print_raw_escapes() -> None:
    assert "\x1b" not in str(Problem("models/x\x1b.yaml", 1, 1, "k", "bad \x07 text"))


def test_invisible_characters_are_found_in_keys_and_values() -> None:
    data = {"a": ["ok", "x\u2066y"], "k\u200d": 1, "t": "tab\tand newline\n are fine"}
    assert [(path, char) for path, char in invisible_in(data)] == [(("a", 1), "\u2066"), (("k\u200d",), "\u200d")]


def test_command_output_is_escaped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    """Even if some text slipped past the loader, `recipes command` writes no raw ESC or BEL."""
    import builder.cli.command_output as command_output
    from builder.cli import main

    folder = write_recipes(tmp_path / "recipes", {"example/tiny": recipe()})
    monkeypatch.setattr(command_output, "as_text", lambda *a: "vllm serve \x1b]0;pwned\x07 m\n")
    assert main(["command", "example/tiny", "--recipes", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\\u001b" in out


# -- input files: symlinks and special files --------------------------------------------------------

def test_symlinked_org_inside_the_folder_is_read(tmp_path: Path) -> None:
    folder = write_recipes(tmp_path / "recipes", {"example/tiny": recipe()})
    dump(folder / "shared" / "m.yaml", recipe(model={"model_id": "linked/m"}))
    (folder / "models" / "linked").symlink_to(folder / "shared", target_is_directory=True)
    assert {e.hf_id for e in load_catalog(folder).recipes} == {"example/tiny", "linked/m"}


def test_symlink_loop_is_an_error_not_a_hang(tmp_path: Path) -> None:
    folder = write_recipes(tmp_path / "recipes", {"example/tiny": recipe()})
    (folder / "models" / "example" / "loop.yaml").symlink_to(folder / "models" / "example" / "loop.yaml")
    with pytest.raises(RecipeError) as err:
        load_catalog(folder)
    assert any(p.path.endswith("loop.yaml") and "points nowhere (or in a loop)" in p.message for p in err.value.problems)


def test_folder_link_to_an_ancestor_ends(tmp_path: Path) -> None:
    folder = write_recipes(tmp_path / "recipes", {"example/tiny": recipe()})
    (folder / "models" / "example" / "again").symlink_to(folder / "models", target_is_directory=True)
    assert [e.hf_id for e in load_catalog(folder).recipes] == ["example/tiny"]


@pytest.mark.parametrize("name", ["strategies/single_node_tp.yaml", "taxonomy.yaml"])
def test_fifo_vocabulary_files_are_refused(name: str, tmp_path: Path) -> None:
    folder = write_recipes(tmp_path / "recipes", {"example/tiny": recipe()})
    (folder / name).unlink()
    os.mkfifo(folder / name)
    with pytest.raises(RecipeError) as err:
        load_catalog(folder)
    assert any(p.path.endswith(name) and "not a regular file" in p.message for p in err.value.problems)


def test_taxonomy_symlink_outside_is_refused(tmp_path: Path) -> None:
    folder = write_recipes(tmp_path / "recipes", {"example/tiny": recipe()})
    (folder / "taxonomy.yaml").rename(tmp_path / "taxonomy.yaml")
    (folder / "taxonomy.yaml").symlink_to(tmp_path / "taxonomy.yaml")
    with pytest.raises(RecipeError) as err:
        load_catalog(folder)
    assert any("outside the recipe folder" in p.message for p in err.value.problems)


# -- output-path claims ------------------------------------------------------------------------------

def test_folders_differing_in_case_do_not_clash_by_themselves() -> None:
    """The public reference has Google/ recipes beside promoted google/ checkpoints."""
    claims = [Claim("Google/a.json", False, "x", owner="a"), Claim("Google", True, "x", owner="a"),
              Claim("google/b.json", False, "y", owner="b"), Claim("google", True, "y", owner="b")]
    assert clashes(claims) == []


def test_file_and_folder_on_one_path_clash() -> None:
    claims = [Claim("org/m.json", False, "x", owner="a"), Claim("org/M.json", True, "y", owner="b")]
    assert [(a.source, b.source) for a, b in clashes(claims)] == [("x", "y")]


def test_a_strategy_copy_under_another_name_is_checked_on_final_commands(tmp_path: Path) -> None:
    strategies = copy.deepcopy(STRATEGIES)
    strategies["pd_split"] = dict(copy.deepcopy(STRATEGIES["pd_cluster"]), name="pd_split")
    folder = write_recipes(tmp_path / "recipes", {"example/tiny": recipe(
        compatible_strategies=["single_node_tp", "pd_split"],
        strategy_overrides={"pd_split": {"decode": {"env": {"X": "ok"}, "extra_args": ["a;b"]}}})},
        strategies=strategies)
    from builder.api import build_api

    with pytest.raises(RecipeError) as err:
        build_api(load_catalog(folder))
    problem = err.value.problems[0]
    assert problem.path.endswith("tiny.yaml") and problem.key == "strategy_overrides.pd_split.decode.extra_args[0]"


# -- whole folders: no traceback, whatever they hold ----------------------------------------------

@pytest.mark.parametrize("folder", ["recipes", "../shared/reference/upstream-2026-06-27/recipes",
                                    "../shared/reference/upstream-2026-08-21/recipes"])
def test_validate_never_prints_a_traceback(folder: str) -> None:
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[1]
    if not (repo / folder).is_dir():
        pytest.skip(f"{folder} is absent")
    done = subprocess.run([sys.executable, "-m", "builder", "validate", "--recipes", folder], cwd=repo,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode in (0, 1) and "Traceback" not in done.stdout + done.stderr
    assert done.stdout.strip().splitlines()[-1].endswith(("found", "file", "files"))

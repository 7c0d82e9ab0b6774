"""Recipe lint: each rule with a case it must report and a look-alike it must not."""
from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from builder.check.lint import (
    BAD_VALUE,
    CONFIG_KEY,
    JOINED,
    PARSER_NAME,
    PLACEHOLDER,
    UNKNOWN_OPTION,
    VllmOptions,
    lint_args,
    lint_recipe,
    lint_strategy,
)

OPTIONS = VllmOptions.load()
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
REFERENCE = SHARED / "reference" / "upstream-2026-06-27" / "recipes"


def stand_in_load(text: str) -> tuple[Any, Callable[[tuple], tuple[int, int]]]:
    """Parsed data plus 1-based positions, until builder.load.yamlload is available."""
    root = yaml.compose(text)

    def where(keypath: tuple) -> tuple[int, int]:
        node = root
        for key in keypath:
            if isinstance(key, int):
                node = node.value[key]
            else:
                node = next(v for k, v in node.value if k.value == key)
        return node.start_mark.line + 1, node.start_mark.column + 1

    return yaml.safe_load(text), where


def load_file(path: Path) -> tuple[Any, Callable[[tuple], tuple[int, int]]]:
    try:
        from builder.load.yamlload import load_yaml_file
    except ImportError:
        return stand_in_load(path.read_text(encoding="utf-8"))
    loaded = load_yaml_file(path)
    return loaded.data, loaded.where


def found(items: list[object]) -> list[tuple[int, str]]:
    return [(i.index, i.rule) for i in lint_args(items, OPTIONS)]


def messages(items: list[object]) -> list[str]:
    return [i.message for i in lint_args(items, OPTIONS)]


# --- the table -----------------------------------------------------------------------------

def test_shipped_table_records_its_vllm_version() -> None:
    assert OPTIONS.version == "0.33.0"
    assert OPTIONS.get("-tp") is OPTIONS.get("--tensor-parallel-size")


@pytest.mark.skipif(not SHARED.is_dir(), reason="needs ../shared (the vLLM option table it copies)")
def test_shipped_table_is_the_shared_vllm_table() -> None:
    shipped = Path(__file__).resolve().parents[1] / "builder" / "data" / "vllm_serve_options.json"
    assert shipped.read_bytes() == (SHARED / "vllm" / "serve-options-0.33.0.json").read_bytes()


# --- a) flag and value in one item ----------------------------------------------------------

def test_joined_flag_and_value_is_reported_with_the_split_spelled_out() -> None:
    assert messages(["--max-model-len auto"]) == [
        'option and value in one item: vLLM receives "--max-model-len auto" as a single '
        'unknown argument; write separate items "--max-model-len", "auto"'
    ]


def test_joined_json_or_quoted_value_is_split_where_vllm_expects_it() -> None:
    assert messages(['--compilation-config {"mode": 0}'])[0].endswith(
        'write separate items "--compilation-config", "{"mode": 0}"')
    assert messages(["--chat-template 'a b.jinja'"])[0].endswith(
        'write separate items "--chat-template", "a b.jinja"')


def test_spaces_inside_an_equals_value_are_not_a_joined_item() -> None:
    assert found(["--max-model-len", "auto"]) == []
    assert found(['--hf-overrides={"rope_scaling": {"factor": 4}}']) == []


def test_joined_item_still_has_its_option_checked() -> None:
    assert found(["--max-model-lenght 4096"]) == [(0, JOINED), (0, UNKNOWN_OPTION)]


# --- b) options vLLM does not have ----------------------------------------------------------

def test_unknown_option_suggests_the_real_spelling() -> None:
    assert messages(["--tool-call-parser-plugin", "parser.py"]) == [
        'unknown option "--tool-call-parser-plugin" (did you mean "--tool-parser-plugin"?)'
    ]


def test_unknown_option_without_a_close_match_has_no_suggestion() -> None:
    assert messages(["--frobnicate"]) == ['unknown option "--frobnicate"']


@pytest.mark.parametrize("items", [
    ["--tool-parser-plugin", "parser.py"],
    ["--tool_parser_plugin", "parser.py"],            # underscores for dashes
    ["--port=8001"],                                  # --flag=value
    ["-tp", "8"],                                     # short spelling
    ["--no-enforce-eager"],                           # listed negative form
    ["--no-enable-flashinfer-autotune"],              # --no-<flag> on any boolean
    ["--disable-expert-parallel"],
    ["-O3"],                                          # vLLM's -O<level>
    ["-O=2"],
    ["-O", "1"],
])
def test_real_spellings_are_accepted(items: list[object]) -> None:
    assert found(items) == []


def test_abbreviation_is_reported_as_fragile_and_ambiguous_prefix_as_unknown() -> None:
    assert messages(["--max-model", "4096"]) == [
        '"--max-model" is an abbreviation of "--max-model-len"; vLLM accepts it only while no '
        "other option starts the same way, so write it in full"
    ]
    assert found(["--max-num", "8"]) == [(0, UNKNOWN_OPTION)]
    assert messages(["--max-num", "8"])[0].startswith('ambiguous option "--max-num": it is the start of')


def test_no_prefix_is_not_accepted_on_an_option_that_takes_a_value() -> None:
    assert found(["--no-port"]) == [(0, UNKNOWN_OPTION)]


# --- c) config keys -------------------------------------------------------------------------

def test_unknown_key_in_config_json_is_reported() -> None:
    assert messages(["--compilation-config", '{"cudagraph_mode": "FULL", "use_inductor": true}']) == [
        'unknown key "use_inductor" for --compilation-config: vLLM 0.33.0\'s CompilationConfig '
        "does not accept it"
    ]


def test_unknown_dotted_key_is_reported_with_a_suggestion() -> None:
    assert found(["-cc.cudagraph_mod", "FULL"]) == [(0, CONFIG_KEY)]
    assert messages(["-cc.cudagraph_mod", "FULL"])[0].endswith('(did you mean "cudagraph_mode"?)')
    assert found(["--attention-config.use_trtllm_ragged_deepseek_prefill=True"]) == [(0, CONFIG_KEY)]


@pytest.mark.parametrize("items", [
    ["--compilation-config", '{"mode": 0, "cudagraph_mode": "FULL_DECODE_ONLY"}'],
    ["-cc.cudagraph_mode", "FULL"],
    ["-cc.pass_config.fuse_allreduce_rms=False"],     # only the first level is the class's
    ["--compilation_config.cudagraph_mode=FULL"],     # underscores before the dot
    ["--speculative-config", '{"anything": 1}'],      # vLLM does not check these keys
    ["--speculative-config.bar", "1"],
])
def test_known_or_unchecked_config_keys_pass(items: list[object]) -> None:
    assert found(items) == []


def test_broken_config_json_is_reported() -> None:
    assert found(["--compilation-config", '{"mode": 0,}']) == [(1, BAD_VALUE)]


# --- d) parser names ------------------------------------------------------------------------

def test_unknown_parser_names_are_reported() -> None:
    assert messages(["--tool-call-parser", "nemotron_json"]) == [
        'unknown tool-call parser "nemotron_json" for --tool-call-parser: vLLM 0.33.0 registers '
        "no such parser and no --tool-parser-plugin is given"
    ]
    assert found(["--reasoning-parser", "qwen"]) == [(1, PARSER_NAME)]
    assert messages(["--reasoning-parser", "qwen"])[0].endswith('(did you mean "qwen3"?)')


@pytest.mark.parametrize("items", [
    ["--tool-call-parser", "kimi_k2", "--reasoning-parser", "deepseek_r1"],
    ["--tool-parser-plugin", "p.py", "--tool-call-parser", "nemotron_json"],
    ["--reasoning-parser-plugin", "p.py", "--reasoning-parser", "mine"],
])
def test_registered_or_plugin_provided_parsers_pass(items: list[object]) -> None:
    assert found(items) == []


# --- e) shell placeholders where a number is expected ---------------------------------------

def test_placeholder_for_a_number_is_reported() -> None:
    assert found(["--data-parallel-rpc-port", "$PREFILL_DP_RPC_PORT"]) == [(1, PLACEHOLDER)]
    assert found(["--gpu-memory-utilization", "${UTIL}"]) == [(1, PLACEHOLDER)]


def test_placeholder_for_a_string_passes() -> None:
    assert found(["--master-addr", "$HEAD_IP", "--data-parallel-address", "$HEAD_IP"]) == []
    assert found(["--data-parallel-rpc-port", "13345"]) == []


# --- f) values: none allowed, one missing, not a choice -------------------------------------

def test_value_after_a_flag_is_reported_on_the_value() -> None:
    assert messages(["--enforce-eager", "true"]) == [
        '--enforce-eager takes no value, so vLLM rejects the "true" after it as an extra argument'
    ]
    assert found(["--trust-remote-code", "--enforce-eager=true"]) == [(1, BAD_VALUE)]


def test_missing_value_is_reported_on_the_option() -> None:
    assert found(["--port", "--enforce-eager"]) == [(0, BAD_VALUE)]
    assert messages(["--kv-cache-dtype"]) == ["--kv-cache-dtype needs a value, but none follows it"]


def test_values_outside_the_choices_or_not_numbers_are_reported() -> None:
    assert messages(["--dtype", "bfloat17"]) == [
        '"bfloat17" is not a choice of --dtype (choose one of: auto, bfloat16, float, float16, '
        "float32, half)"
    ]
    assert found(["--max-lora-rank", "48"]) == [(1, BAD_VALUE)]
    assert messages(["--max-num-seqs", "lots"]) == ['--max-num-seqs expects a whole number, not "lots"']


@pytest.mark.parametrize("items", [
    ["--dtype", "bfloat16"],
    ["--dtype", "$DTYPE"],                            # unknown until the shell expands it
    ["--max-lora-rank", "64"],
    ["--served-model-name", "a", "b"],                # takes several values
    ["--api-key=secret"],
    ["--max-model-len", "auto"],                      # a plain value option takes any text
    ["--tensor-parallel-size", 8],                    # a YAML number is still a value
    ["--kv-cache-dtype", "fp8", None, ""],            # empty items are dropped
])
def test_well_formed_values_pass(items: list[object]) -> None:
    assert found(items) == []


def test_stray_value_without_an_option_is_reported() -> None:
    assert found(["--port=8000", "8001"]) == [(1, BAD_VALUE)]


# --- whole documents: every argument list, located ------------------------------------------

RECIPE = textwrap.dedent("""\
    meta:
      tasks: [text]
    model:
      base_args:
        - "--trust-remote-code"
        - "--max-model-len 32768"
    features:
      tool_calling:
        args:
          - "--tool-call-parser"
          - "my_parser"
      plugin:
        args: ["--tool-parser-plugin", "my_parser.py"]
    variants:
      fp8:
        extra_args: ["--dtype", "fp9"]
        hardware_overrides:
          h200:
            extra_args: ["-cc.nope", "1"]
    hardware_overrides:
      hopper:
        extra_args: ["--enforce-eager", "yes"]
    strategy_overrides:
      single_node_tp:
        vllm_args: ["--max-num-seqs", "$SEQS"]
        hardware_overrides:
          amd:
            extra_args: ["--tool-call-parser-plugin"]
      pd_cluster:
        prefill:
          vllm_args: ["--block-size"]
    """)


def test_recipe_problems_point_at_each_list_item() -> None:
    data, where = stand_in_load(RECIPE)
    problems = lint_recipe(data, where, "models/org/m.yaml", OPTIONS)
    assert {p.severity for p in problems} == {"warning"}
    assert [f"{p.path}:{p.line}:{p.column}: {p.key}" for p in problems] == [
        "models/org/m.yaml:6:7: model.base_args[1]",
        "models/org/m.yaml:16:29: variants.fp8.extra_args[1]",
        "models/org/m.yaml:19:22: variants.fp8.hardware_overrides.h200.extra_args[0]",
        "models/org/m.yaml:22:37: hardware_overrides.hopper.extra_args[1]",
        "models/org/m.yaml:25:35: strategy_overrides.single_node_tp.vllm_args[1]",
        "models/org/m.yaml:28:22: strategy_overrides.single_node_tp.hardware_overrides.amd.extra_args[0]",
        "models/org/m.yaml:31:19: strategy_overrides.pd_cluster.prefill.vllm_args[0]",
    ]
    # the plugin in another feature makes "my_parser" acceptable
    assert not any("my_parser" in p.message for p in problems)


def test_recipe_without_mistakes_and_omni_recipes_report_nothing() -> None:
    clean = 'model:\n  base_args: ["--trust-remote-code", "-tp", "8"]\n'
    assert lint_recipe(*stand_in_load(clean), "c.yaml", OPTIONS) == []
    omni = 'meta:\n  tasks: [omni]\nmodel:\n  base_args: ["--omni", "--deploy-config", "x"]\n'
    assert lint_recipe(*stand_in_load(omni), "o.yaml", OPTIONS) == []


def test_malformed_sections_are_skipped_not_crashed_on() -> None:
    odd = "model: 3\nvariants: [a]\nfeatures:\n  f: {args: '--x'}\n"
    assert lint_recipe(*stand_in_load(odd), "odd.yaml", OPTIONS) == []


def test_strategy_vllm_args_and_roles_are_linted() -> None:
    text = 'vllm_args: ["--enable-expert-parallel"]\nprefill:\n  vllm_args: ["--port", "$P"]\n'
    problems = lint_strategy(*stand_in_load(text), "strategies/s.yaml", OPTIONS)
    assert [str(p) for p in problems] == [
        'strategies/s.yaml:3:25: warning: prefill.vllm_args[1]: --port expects a whole number, but '
        '"$P" is a shell variable; vLLM rejects it unless the shell replaces it, which the JSON '
        "argv never does"
    ]


# --- the reference recipes, with their known mistakes ---------------------------------------

@pytest.mark.reference
@pytest.mark.skipif(not REFERENCE.is_dir(), reason="reference recipes not found at ../shared")
@pytest.mark.parametrize(("name", "expected"), [
    ("nvidia/NVIDIA-Nemotron-Nano-9B-v2", [
        (34, "features.tool_calling.args[1]",
         'unknown option "--tool-call-parser-plugin" (did you mean "--tool-parser-plugin"?)'),
        (37, "features.tool_calling.args[4]",
         'unknown tool-call parser "nemotron_json" for --tool-call-parser: vLLM 0.33.0 registers '
         "no such parser and no --tool-parser-plugin is given"),
    ]),
    ("XiaomiMiMo/MiMo-V2.5-Pro", [
        (24, "model.base_args[1]",
         'option and value in one item: vLLM receives "--max-model-len auto" as a single unknown '
         'argument; write separate items "--max-model-len", "auto"'),
    ]),
    ("moonshotai/Kimi-K2.5", [
        (99, "hardware_overrides.blackwell.extra_args[0]",
         'unknown key "use_trtllm_ragged_deepseek_prefill" for --attention-config: vLLM 0.33.0\'s '
         "AttentionConfig does not accept it"),
    ]),
    ("zai-org/GLM-5.2", []),
])
def test_reference_recipes(name: str, expected: list[tuple[int, str, str]]) -> None:
    display = f"models/{name}.yaml"
    data, where = load_file(REFERENCE / display)
    problems = lint_recipe(data, where, display, OPTIONS)
    assert [(p.path, p.line, p.key, p.message) for p in problems] == [
        (display, line, key, message) for line, key, message in expected
    ]


@pytest.mark.reference
@pytest.mark.skipif(not REFERENCE.is_dir(), reason="reference recipes not found at ../shared")
def test_reference_strategies_are_clean() -> None:
    for path in sorted((REFERENCE / "strategies").glob("*.yaml")):
        data, where = load_file(path)
        assert lint_strategy(data, where, path.name, OPTIONS) == [], path.name

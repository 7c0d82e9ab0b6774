"""The shell check's fast path (`_QUIET`) answers exactly what reading the text in full answers."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from builder.synth.safety import _bash_findings, read_bash

PIECES = list("ab -=/\\'\"\t\n$;|&<>()`*?[]{}!#~:._") + ["$HEAD_IP", "~/.cache/huggingface:", "\\\n", "\r", "é"]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=16).map("".join))
def test_fast_path_agrees_with_reading_in_full(text: str) -> None:
    assert _bash_findings.__wrapped__(text) == tuple(read_bash(text))


def test_commands_the_builder_writes_take_the_fast_path() -> None:
    command = ("docker run --gpus all \\\n  -v ~/.cache/huggingface:/root/.cache/huggingface \\\n"
               "  -e NCCL_SOCKET_IFNAME=$IFACE_NAME vllm/vllm-openai:v1 \\\n"
               "  --compilation-config '{\"level\": 3}' --master-addr \"$HEAD_IP\"")
    assert _bash_findings.__wrapped__(command) == () == tuple(read_bash(command))
    assert [c for _, c in _bash_findings.__wrapped__(command + " ; rm -rf ~")] == [";", "~"]

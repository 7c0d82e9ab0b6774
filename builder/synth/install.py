"""The install block shown with every recipe: pip, docker pull, extra dependencies (spec §6.14)."""
from __future__ import annotations

from typing import Any

from builder.models import Recipe

from builder.synth.docker import BRANDS

PIP_STABLE = "uv venv\nsource .venv/bin/activate\nuv pip install -U vllm --torch-backend auto"
PIP_NIGHTLY = ("uv venv\nsource .venv/bin/activate\nuv pip install -U vllm --pre \\\n"
               "  --extra-index-url https://wheels.vllm.ai/nightly/cu130 \\\n"
               "  --extra-index-url https://download.pytorch.org/whl/cu130 \\\n"
               "  --index-strategy unsafe-best-match")
FALLBACK_IMAGE = "vllm/vllm-openai:latest"


ROUTER_INSTALL = "uv pip install vllm-router"
"""How the prefill/decode router is installed (spec §4.7)."""


def install_image(docker_image: Any) -> str:
    """The NVIDIA (CUDA 13 first) image to `docker pull`."""
    def from_cuda_map(value: dict) -> str:
        return value.get("cu130") or value.get("cu129") or FALLBACK_IMAGE

    if not docker_image:
        return FALLBACK_IMAGE
    if isinstance(docker_image, str):
        return docker_image
    if isinstance(docker_image, dict):
        if any(k in docker_image for k in BRANDS):
            value = docker_image.get("nvidia")
            if isinstance(value, str):
                return value
            if isinstance(value, dict) and ("cu129" in value or "cu130" in value):
                return from_cuda_map(value)
            return FALLBACK_IMAGE
        if "cu129" in docker_image or "cu130" in docker_image:
            return from_cuda_map(docker_image)
    return FALLBACK_IMAGE


def install_block(recipe: Recipe, raw_dependencies: Any) -> dict[str, Any]:
    """`model.install` of the recipe document; `raw_dependencies` is echoed verbatim."""
    cfg = recipe.model.install
    nightly = recipe.model.nightly_required is True
    block: dict[str, Any] = {}
    pip = cfg.pip if cfg else None
    if pip is not False:
        step = pip if not isinstance(pip, bool) and pip is not None else None
        command = (step.command if step and step.command else None) or (PIP_NIGHTLY if nightly else PIP_STABLE)
        note = step.note if step and step.note else None
        if not note and nightly:
            note = f"vLLM {recipe.model.min_vllm_version or ''} isn't released yet \u2014 nightly required."
        block["pip"] = {"command": command, "note": note} if note else {"command": command}
    docker = cfg.docker if cfg else None
    if docker is not False:
        step = docker if not isinstance(docker, bool) and docker is not None else None
        command = (step.command if step and step.command else None) or "docker pull " + install_image(recipe.model.docker_image)
        note = step.note if step and step.note else None
        block["docker"] = {"command": command, "note": note} if note else {"command": command}
    if isinstance(raw_dependencies, list) and raw_dependencies:
        block["extras"] = raw_dependencies
    return block

"""The install block shown with every recipe: pip, docker pull, extra dependencies (spec §6.14).

:func:`install_block` is the recipe document's (hardware-blind, as the public API has it);
:func:`install_for` is the block for one variant on one hardware, which the command builder shows.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from builder.models import HardwareProfile, Recipe, Variant
from builder.synth.docker import BRANDS, brand_key, image_for

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


# -- the install block of one hardware (the command builder's Install row) ------------------------

PIP_ROCM = ("uv venv --python 3.12\nsource .venv/bin/activate\n"
            "uv pip install -U vllm --extra-index-url https://wheels.vllm.ai/rocm/")
PIP_CPU = ("uv venv --python 3.12\nsource .venv/bin/activate\n"
           "uv pip install -U vllm --extra-index-url https://wheels.vllm.ai/nightly/cpu --torch-backend cpu")
BRAND_LABEL = {"nvidia": "CUDA", "amd": "ROCm", "tpu": "TPU", "intel": "CPU"}


@dataclass(frozen=True)
class HardwareInstall:
    """How to get vLLM onto one hardware profile for one variant: what the Install row shows.

    The docker tab pulls exactly the image the `docker run` form of that selection runs, so the
    two can never disagree; the pip tab follows the brand (CUDA wheels, ROCm index, CPU index)
    and is absent where vLLM ships no wheel (TPU) or the recipe turned pip off.
    """

    label: str
    """`CUDA`, `ROCm`, `TPU` or `CPU`: what the block installs for."""
    pip: tuple[str, str] | None
    """(command, note), or None when there is no pip route on this hardware."""
    docker: tuple[str, str] | None
    cuda129: tuple[str | None, str | None] | None = None
    """(pip command, docker command) for hosts on CUDA 12.9 (NVIDIA only; None elsewhere)."""
    extras: tuple[tuple[str, str, bool], ...] = ()
    """Recipe dependencies: (command, note without an `Optional:` prefix, optional)."""


def _cu129_image(image: str) -> str:
    """The CUDA 12.9 build of a CUDA 13 tag: `-cu129` suffix, or `:cu129-nightly` for nightlies."""
    name, _, tag = image.rpartition(":")
    if not name:
        return image
    if tag == "nightly":
        return f"{name}:cu129-nightly"
    return image if tag.endswith("-cu129") else f"{image}-cu129"


def _clean_note(note: str) -> str:
    # Authors often write "Optional: …" themselves; the page adds its own chip.
    text = note.strip()
    return text[len("optional:"):].lstrip() if text.lower().startswith("optional:") else text


def install_for(recipe: Recipe, variant: Variant, hw: str, profile: HardwareProfile) -> HardwareInstall:
    """The install block for `variant` on `hw` (see :class:`HardwareInstall`)."""
    brand = brand_key(profile)
    cfg = recipe.model.install
    nightly = recipe.model.nightly_required is True
    pip_cfg = cfg.pip if cfg else None
    pip: tuple[str, str] | None = None
    pip129: str | None = None
    if pip_cfg is not False and brand != "tpu":
        step = pip_cfg if not isinstance(pip_cfg, bool) and pip_cfg is not None else None
        note = (step.note if step and step.note else "") or (
            f"vLLM {recipe.model.min_vllm_version or ''} isn't released yet \u2014 nightly required." if nightly else "")
        if step and step.command:
            pip = (step.command, note)
        else:
            base = {"nvidia": PIP_NIGHTLY if nightly else PIP_STABLE, "amd": PIP_ROCM, "intel": PIP_CPU}[brand]
            pip = (base, note)
            if brand == "nvidia" and nightly:
                pip129 = PIP_NIGHTLY.replace("cu130", "cu129")
    docker_cfg = cfg.docker if cfg else None
    docker: tuple[str, str] | None = None
    docker129: str | None = None
    image = image_for(recipe, variant, hw, profile)
    if docker_cfg is not False and image is not None:
        step = docker_cfg if not isinstance(docker_cfg, bool) and docker_cfg is not None else None
        note = step.note if step and step.note else ""
        if step and step.command:
            docker = (step.command, note)
        else:
            docker = ("docker pull " + image, note or (
                "Default tag ships CUDA 13. Switch to cu129 if your host is on CUDA 12.9." if brand == "nvidia" else ""))
            if brand == "nvidia":
                docker129 = "docker pull " + _cu129_image(image)
    cuda = (pip129, docker129) if (pip129 or docker129) else None
    extras = tuple((d.command, _clean_note(d.note), d.optional) for d in recipe.dependencies)
    return HardwareInstall(BRAND_LABEL[brand], pip, docker, cuda, extras)

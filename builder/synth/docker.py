"""Container images and the `docker run` wrapper (spec §6.13)."""
from __future__ import annotations

from typing import Any, Optional

from builder.models import HardwareProfile, Recipe, Variant

from builder.jsonout import js_str
from builder.synth.shell import CONTINUATION

BRANDS = ("nvidia", "amd", "tpu", "intel")
CUDA_KEYS = ("cu129", "cu130")

DEFAULT_IMAGE = {
    "nvidia": "vllm/vllm-openai:latest",
    "amd": "vllm/vllm-openai-rocm:latest",
    "tpu": "vllm/vllm-tpu:latest",
    "intel": "vllm/vllm-openai-cpu:latest-x86_64",
}
NIGHTLY_IMAGE = {
    "nvidia": "vllm/vllm-openai:nightly",
    "amd": "vllm/vllm-openai-rocm:nightly",
    "tpu": "vllm/vllm-tpu:nightly",
}

# Device access per brand: (text form with its own line break, argv form).
GPU_FLAGS = {
    "nvidia": ("--gpus all", ["--gpus", "all"]),
    "amd": ("--device=/dev/kfd --device=/dev/dri" + CONTINUATION + "--security-opt seccomp=unconfined --group-add video",
            ["--device=/dev/kfd", "--device=/dev/dri", "--security-opt", "seccomp=unconfined", "--group-add", "video"]),
    "tpu": ("--privileged --network host" + CONTINUATION + "-v /dev/shm:/dev/shm",
            ["--privileged", "--network", "host", "-v", "/dev/shm:/dev/shm"]),
    "intel": ("--shm-size=16g", ["--shm-size", "16g"]),
}
HF_CACHE = "~/.cache/huggingface:/root/.cache/huggingface"


def brand_key(profile: HardwareProfile) -> str:
    gen = profile.generation if profile.generation else profile.gpu_generation
    if gen == "tpu":
        return "tpu"
    if profile.brand == "AMD":
        return "amd"
    if gen == "cpu" or profile.brand == "Intel":
        return "intel"
    return "nvidia"


def _is_cuda_map(value: Any) -> bool:
    return isinstance(value, dict) and any(k in value for k in CUDA_KEYS)


def image_for(recipe: Recipe, variant: Variant, hw: str, profile: HardwareProfile) -> Optional[str]:
    """The image a rendering runs in; None only for nightly recipes on Intel CPUs (no such image)."""
    brand = brand_key(profile)
    override = variant.hardware_overrides.get(hw)
    if override is not None and isinstance(override.docker_image, str):
        return override.docker_image
    for source in (variant.docker_image, recipe.model.docker_image):
        if isinstance(source, str):
            if brand == "nvidia":
                return source
        elif isinstance(source, dict):
            if any(k in source for k in BRANDS):
                value = source.get(brand)
                if isinstance(value, str):
                    return value
                if brand == "nvidia" and _is_cuda_map(value):
                    break  # CUDA maps pick a build at install time; renderings use the default
            elif brand == "nvidia" and _is_cuda_map(source):
                break
    table = NIGHTLY_IMAGE if recipe.model.nightly_required is True else DEFAULT_IMAGE
    return table.get(brand)


def docker_forms(brand: str, image: Optional[str], env: dict[str, Any], port: int,
                 model: str, lines: list[str], argv: list[str]) -> tuple[str, list[Any]]:
    """`docker run …` as text and argv for a `vllm serve` command of the given lines/argv."""
    gpu_text, gpu_argv = GPU_FLAGS[brand]
    text = (f"docker run {gpu_text}{CONTINUATION}--privileged --ipc=host -p {port}:{port}{CONTINUATION}"
            f"-v {HF_CACHE} \\")
    env_pairs = [f"{key}={js_str(value)}" for key, value in env.items()]
    for pair in env_pairs:
        text += f"\n  -e {pair} \\"
    text += f"\n  {image if image is not None else 'undefined'} {model}"
    if lines:
        text += CONTINUATION + CONTINUATION.join(lines)
    d_argv: list[Any] = ["docker", "run", *gpu_argv, "--privileged", "--ipc=host", "-p", f"{port}:{port}", "-v", HF_CACHE]
    for pair in env_pairs:
        d_argv += ["-e", pair]
    d_argv.append(image)
    d_argv += argv[2:]
    return text, d_argv

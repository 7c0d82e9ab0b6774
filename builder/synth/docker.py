"""Container images and the `docker run` wrapper (spec §6.13; 2026-08 §6.13: XPU, CUDA-map images,
bind mounts for config paths and local model paths)."""
from __future__ import annotations

from typing import Any

from builder.jsonout import js_str
from builder.models import HardwareProfile, Recipe, Variant

from .edition import NEWEST, Edition
from .shell import CONTINUATION

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
    "amd": ("--device=/dev/kfd --device=/dev/dri" + CONTINUATION
            + "--security-opt seccomp=unconfined --group-add video",
            ["--device=/dev/kfd", "--device=/dev/dri", "--security-opt", "seccomp=unconfined", "--group-add", "video"]),
    "tpu": ("--privileged --network host" + CONTINUATION + "-v /dev/shm:/dev/shm",
            ["--privileged", "--network", "host", "-v", "/dev/shm:/dev/shm"]),
    "intel": ("--shm-size=16g", ["--shm-size", "16g"]),
    "xpu": ("--device /dev/dri" + CONTINUATION + "-v /dev/dri/by-path:/dev/dri/by-path --shm-size=16g",
            ["--device", "/dev/dri", "-v", "/dev/dri/by-path:/dev/dri/by-path", "--shm-size", "16g"]),
}
XPU_IMAGE = "vllm/vllm-openai-xpu:latest"
CONFIG_PATH_SUFFIX = "_CONFIG_PATH"
HF_CACHE = "~/.cache/huggingface:/root/.cache/huggingface"


def brand_key(profile: HardwareProfile) -> str:
    gen = profile.generation if profile.generation else profile.gpu_generation
    if gen == "tpu":
        return "tpu"
    if profile.brand == "AMD":
        return "amd"
    if gen in ("cpu", "xpu") or profile.brand == "Intel":
        return "intel"
    return "nvidia"


def is_xpu(profile: HardwareProfile) -> bool:
    return (profile.generation if profile.generation else profile.gpu_generation) == "xpu"


def flags_key(profile: HardwareProfile, edition: Edition = NEWEST) -> str:
    """Which device flags `docker run` gets: the brand's, or Intel XPU's (2026-08)."""
    return "xpu" if edition.docker_2026_08 and is_xpu(profile) else brand_key(profile)


def mounts(model: str, env: dict[str, Any]) -> list[str]:
    """Extra read-only bind mounts: a local model path, then every `*_CONFIG_PATH` value (2026-08)."""
    out = [f"{model}:{model}:ro"] if model.startswith("/") else []
    for key, value in env.items():
        if key.endswith(CONFIG_PATH_SUFFIX):
            text = js_str(value)
            out.append(f"{text}:{text}:ro")
    return out


def _cuda_image(value: dict) -> str | None:
    return value.get("cu130") or value.get("cu129") or None


def _is_cuda_map(value: Any) -> bool:
    return isinstance(value, dict) and any(k in value for k in CUDA_KEYS)


def image_for(recipe: Recipe, variant: Variant, hw: str, profile: HardwareProfile,
              edition: Edition = NEWEST) -> str | None:
    """The image a rendering runs in; None only for nightly recipes on Intel CPUs (no such image)."""
    brand = brand_key(profile)
    override = variant.hardware_overrides.get(hw)
    if override is not None and isinstance(override.docker_image, str):
        return override.docker_image
    cuda_map: dict | None = None
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
                    cuda_map = value
                    break
            elif brand == "nvidia" and _is_cuda_map(source):
                cuda_map = source
                break
    if cuda_map is not None and edition.docker_2026_08:
        # 2026-08: the CUDA 13 build (else 12.9) is the rendered image; June used the default.
        picked = _cuda_image(cuda_map)
        if picked:
            return picked
    if edition.docker_2026_08 and is_xpu(profile):
        return XPU_IMAGE  # there is no nightly XPU image
    table = NIGHTLY_IMAGE if recipe.model.nightly_required is True else DEFAULT_IMAGE
    return table.get(brand)


def docker_forms(brand: str, image: str | None, env: dict[str, Any], port: int,
                 model: str, lines: list[str], argv: list[str],
                 extra_mounts: list[str] | None = None) -> tuple[str, list[Any]]:
    """`docker run …` as text and argv for a `vllm serve` command of the given lines/argv."""
    gpu_text, gpu_argv = GPU_FLAGS[brand]
    extra_mounts = extra_mounts or []
    prereq = (f"# {model} must already exist on the host \u2014 bind-mounted read-only below.\n"
              if extra_mounts and model.startswith("/") else "")
    text = (f"{prereq}docker run {gpu_text}{CONTINUATION}--privileged --ipc=host -p {port}:{port}{CONTINUATION}"
            f"-v {HF_CACHE} \\")
    for mount in extra_mounts:
        text += f"\n  -v {mount} \\"
    env_pairs = [f"{key}={js_str(value)}" for key, value in env.items()]
    for pair in env_pairs:
        text += f"\n  -e {pair} \\"
    text += f"\n  {image if image is not None else 'undefined'} {model}"
    if lines:
        text += CONTINUATION + CONTINUATION.join(lines)
    d_argv: list[Any] = ["docker", "run", *gpu_argv, "--privileged", "--ipc=host", "-p", f"{port}:{port}",
                         "-v", HF_CACHE]
    for mount in extra_mounts:
        d_argv += ["-v", mount]
    for pair in env_pairs:
        d_argv += ["-e", pair]
    d_argv.append(image)
    d_argv += argv[2:]
    return text, d_argv

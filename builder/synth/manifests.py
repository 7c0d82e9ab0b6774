"""A single-node selection as a file: `docker-compose.yaml` and a Kubernetes manifest.

Beyond upstream (issue 12): the same deployment `deploy` computed, written as files a user can
apply as is. The container runs the image of the `docker run` form with entrypoint `vllm serve`
and the command's remaining argv as its arguments, so entrypoint + args equal the command's argv
exactly; environment variables are the launch's. Kubernetes gets one Deployment (one pod, the
node's accelerators) and one Service on the serving port.

Every scalar is written as a JSON string (valid YAML), so no recipe value can change the YAML's
structure. The page assembles the same text from `frame` (all but the argument and environment
lines, which it fills from the command it shows); tests check both against this module.
"""
from __future__ import annotations

import json
import re
from typing import Any

from builder.jsonout import js_str
from builder.models import HardwareProfile
from builder.synth.deployment import SERVE_PORT, Launch
from builder.synth.docker import brand_key

ARGS = "@ARGS@"
ENV = "@ENV@"
ENTRYPOINT = ("vllm", "serve")
RESOURCE = {"nvidia": "nvidia.com/gpu", "amd": "amd.com/gpu", "tpu": "google.com/tpu"}


def _q(value: Any) -> str:
    return json.dumps(js_str(value) if not isinstance(value, str) else value, ensure_ascii=False)


def port_of(launch: Launch) -> str:
    """The port a launch listens on (`--port`, else vLLM's default)."""
    args = [str(a) for a in launch.argv]
    return next((args[i + 1] for i, a in enumerate(args[:-1]) if a == "--port"), str(SERVE_PORT))


def frame(kind: str, profile: HardwareProfile, image: str, port: str, name: str) -> str:
    """The file with `@ARGS@` / `@ENV@` lines where the argument and env items go ("compose"/"k8s")."""
    brand = brand_key(profile)
    gpus = profile.gpu_count or 1
    if kind == "compose":
        device = ("    deploy:\n      resources:\n        reservations:\n          devices:\n"
                  "            - driver: \"nvidia\"\n              count: \"all\"\n              capabilities: [\"gpu\"]\n"
                  if brand == "nvidia" else
                  "    devices:\n      - \"/dev/kfd\"\n      - \"/dev/dri\"\n    group_add:\n      - \"video\"\n"
                  if brand == "amd" else "    privileged: true\n")
        return ("services:\n  vllm:\n"
                f"    image: {_q(image)}\n    entrypoint: {json.dumps(list(ENTRYPOINT))}\n"
                f"    command:\n      {ARGS}\n    environment:\n      {ENV}\n"
                f"    ports:\n      - \"{port}:{port}\"\n    ipc: \"host\"\n"
                "    volumes:\n      - \"~/.cache/huggingface:/root/.cache/huggingface\"\n" + device)
    limits = f"            limits:\n              {json.dumps(RESOURCE[brand])}: {gpus}\n" if brand in RESOURCE else ""
    return ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
            f"  name: {_q(name)}\nspec:\n  replicas: 1\n  selector:\n    matchLabels:\n      app: {_q(name)}\n"
            f"  template:\n    metadata:\n      labels:\n        app: {_q(name)}\n    spec:\n      containers:\n"
            f"        - name: \"vllm\"\n          image: {_q(image)}\n          command: {json.dumps(list(ENTRYPOINT))}\n"
            f"          args:\n            {ARGS}\n          env:\n            {ENV}\n"
            f"          ports:\n            - containerPort: {port}\n"
            + (f"          resources:\n{limits}" if limits else "") +
            "          volumeMounts:\n            - name: \"shm\"\n              mountPath: \"/dev/shm\"\n"
            "            - name: \"hf-cache\"\n              mountPath: \"/root/.cache/huggingface\"\n"
            "      volumes:\n        - name: \"shm\"\n          emptyDir:\n            medium: \"Memory\"\n"
            "        - name: \"hf-cache\"\n          emptyDir: {}\n"
            "---\napiVersion: v1\nkind: Service\nmetadata:\n"
            f"  name: {_q(name)}\nspec:\n  selector:\n    app: {_q(name)}\n  ports:\n"
            f"    - port: {port}\n      targetPort: {port}\n")


def fill(text: str, args: list[str], env: list[tuple[str, str]], kind: str) -> str:
    """Put the items in: one `- "arg"` per token; env as a map (compose) or name/value list (k8s)."""
    out = []
    for line in text.split("\n"):
        indent = line[:len(line) - len(line.lstrip())]
        if line.strip() == ARGS:
            out += [f"{indent}- {json.dumps(a, ensure_ascii=False)}" for a in args]
        elif line.strip() == ENV:
            if not env:
                out[-1] += " {}" if kind == "compose" else " []"
            for key, value in env:
                out += ([f"{indent}{key}: {json.dumps(value, ensure_ascii=False)}"] if kind == "compose" else
                        [f"{indent}- name: {json.dumps(key)}", f"{indent}  value: {json.dumps(value, ensure_ascii=False)}"])
        else:
            out.append(line)
    return "\n".join(out)


def manifest(kind: str, launch: Launch, profile: HardwareProfile, image: str, name: str) -> str:
    """`docker-compose.yaml` ("compose") or the Kubernetes manifest ("k8s") of a single-node launch."""
    args = [str(a) for a in launch.argv[len(ENTRYPOINT):]]
    env = [(k, js_str(v)) for k, v in launch.env.items()]
    return fill(frame(kind, profile, image, port_of(launch), name), args, env, kind)


def k8s_name(model_id: str) -> str:
    """A DNS-1123 name for the Deployment and Service, from the checkpoint's repository name."""
    name = re.sub(r"[^a-z0-9-]+", "-", model_id.rsplit("/", 1)[-1].lower()).strip("-")[:63].strip("-")
    return name or "vllm"

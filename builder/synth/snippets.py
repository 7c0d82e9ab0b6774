"""Client examples for a deployment: a cURL request, a `vllm bench serve` run, an OpenAI-SDK script.

Spec §2.9 (cURL and Bench popovers), plus the Python snippet upstream lacks. Everything is read
from the deployment itself: the client talks to the launch clients connect to (the single server,
the head node, or the prefill/decode router), on the port that launch listens on, and names the
model as the server does (`--served-model-name` when the command sets it).
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from builder.synth.deployment import SERVE_PORT, Deployment, Launch


@dataclass(frozen=True)
class Snippets:
    curl: str
    bench: str
    python: str
    base_url: str
    """`http://host:port` the examples talk to; `$VARS` are filled by the page's Env popover."""


def _flag(argv: tuple[str, ...], name: str) -> str | None:
    args = [str(a) for a in argv]
    for i, a in enumerate(args[:-1]):
        if a == name:
            return args[i + 1]
    return None


def client_launch(dep: Deployment) -> Launch:
    """The launch clients connect to: the router, else the head node, else the single server."""
    for role in ("router", "head", "serve"):
        for launch in dep.launches:
            if launch.role == role and launch.rank == 0:
                return launch
    return dep.launches[0]


def endpoint(dep: Deployment) -> tuple[str, str]:
    """(host, port) of the client-facing launch, as placeholders where the user must fill them."""
    if dep.kv is not None and dep.kv.router is not None:  # Mooncake instances behind vllm-router
        return "$ROUTER_HOST", "$ROUTER_PORT"
    launch = client_launch(dep)
    if launch.role == "router":
        return _flag(launch.argv, "--host") or "$ROUTER_HOST", _flag(launch.argv, "--port") or "$ROUTER_PORT"
    host = "$HEAD_IP" if launch.role == "head" else "localhost"
    return host, _flag(launch.argv, "--port") or str(SERVE_PORT)


def served_name(dep: Deployment) -> str:
    """The model name requests must use: `--served-model-name`, else the served checkpoint."""
    for launch in dep.launches:
        if launch.role != "router":
            return _flag(launch.argv, "--served-model-name") or str(launch.argv[2])
    return ""


def snippets(dep: Deployment) -> Snippets:
    host, port = endpoint(dep)
    model = served_name(dep)
    base = f"http://{host}:{port}"
    body = json.dumps({"model": model, "messages": [{"role": "user", "content": "Hello"}], "max_tokens": 32})
    curl = (f"curl {base}/v1/chat/completions \\\n  -H \"Content-Type: application/json\" \\\n"
            f"  -d '{body}'")
    bench = (f"vllm bench serve \\\n  --model {model} \\\n  --host {host} \\\n  --port {port} \\\n"
             "  --dataset-name random \\\n  --random-input-len 1024 \\\n  --random-output-len 1024 \\\n"
             "  --num-prompts 100 \\\n  --max-concurrency 32")
    python = ("# pip install openai\nfrom openai import OpenAI\n\n"
              f"client = OpenAI(base_url=\"{base}/v1\", api_key=\"EMPTY\")\n"
              f"reply = client.chat.completions.create(\n    model={json.dumps(model)},\n"
              "    messages=[{\"role\": \"user\", \"content\": \"Hello\"}],\n    max_tokens=32,\n)\n"
              "print(reply.choices[0].message.content)")
    return Snippets(curl, bench, python, base)

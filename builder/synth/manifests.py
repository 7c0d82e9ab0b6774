"""Selections as files (issue 12, beyond upstream): `docker-compose.yaml` and Kubernetes manifests.

The same launches `deploy` computed, written as files a user can apply as is. A file is a
*template* plus the launches it is filled with:

* inline values ``@IMAGE@`` (the image of the `docker run` form), ``@NAME@`` (a DNS-1123 name),
  ``@GPUS@`` (accelerators of one node) and ``@SIZE@`` (nodes of a LeaderWorkerSet group);
* marker lines, replaced by one YAML item per token of a launch: ``@ARGS@`` / ``@ENV@`` /
  ``@ENVMAP@`` for the launch shown (``@ENVMAP@`` is compose's ``KEY: value`` form), and
  ``@ARGS:i@`` / ``@ENV:i@`` / ``@SH:i@`` for launch *i* of its group (a pool's or the cluster's
  nodes in rank order). A marker may end with a JSON object of substitutions: a key starting with
  ``-`` replaces the value after that flag, any other key replaces a whole token or env value.
  ``@SH:i@`` writes the launch as one ``exec vllm serve …`` line for ``/bin/sh -c``: the stored
  command lines joined by spaces, so their shell quoting is kept.

The page stores the templates and fills them from the command it shows (files.js); :func:`fill`
is the reference both are tested against. Every scalar of a template is a JSON string (valid
YAML), so no recipe value can change the file's structure. Which template fits which launch, and
the substitutions that turn rank 1 into every worker, are decided in :mod:`builder.synth.lws`.
"""
from __future__ import annotations

import json
import re
import shlex
from collections.abc import Mapping, Sequence

from builder.jsonout import js_str
from builder.models import HardwareProfile
from builder.synth.deployment import SERVE_PORT, Launch
from builder.synth.docker import brand_key
from builder.synth.shell import CONTINUATION

ARGS, ENV, ENVMAP, SH = "@ARGS@", "@ENV@", "@ENVMAP@", "@SH@"
IMAGE, NAME, GPUS, SIZE = "@IMAGE@", "@NAME@", "@GPUS@", "@SIZE@"
ENTRYPOINT = ("vllm", "serve")
SHELL = ("/bin/sh", "-c")
RESOURCE = {"nvidia": "nvidia.com/gpu", "amd": "amd.com/gpu", "tpu": "google.com/tpu"}
LWS_NAME = "leaderworkerset.sigs.k8s.io/name"
LWS_INDEX = "leaderworkerset.sigs.k8s.io/worker-index"
_MARKER = re.compile(r"@(ARGS|ENV|ENVMAP|SH)(?::(\d+))?@(?: (\{.*\}))?")


def port_of(launch: Launch) -> str:
    """The port a launch listens on (`--port`, else vLLM's default)."""
    args = [str(a) for a in launch.argv]
    return next((args[i + 1] for i, a in enumerate(args[:-1]) if a == "--port"), str(SERVE_PORT))


def marker(what: str, index: int | None = None, subs: Mapping[str, str] | None = None) -> str:
    head = f"@{what}@" if index is None else f"@{what}:{index}@"
    return head + (" " + json.dumps(dict(subs), separators=(",", ":")) if subs else "")


def compose(profile: HardwareProfile, port: str, cluster: bool) -> str:
    """One compose service running the shown launch. A node of a cluster (multi-node, a PD pool)
    uses the host's network: its peers reach it at the node's address ($HEAD_IP, $PREFILL_NODE_1)."""
    brand = brand_key(profile)
    device = ("    deploy:\n      resources:\n        reservations:\n          devices:\n"
              "            - driver: \"nvidia\"\n              count: \"all\"\n              capabilities: [\"gpu\"]\n"
              if brand == "nvidia" else
              "    devices:\n      - \"/dev/kfd\"\n      - \"/dev/dri\"\n    group_add:\n      - \"video\"\n"
              if brand == "amd" else "    privileged: true\n")
    net = "    network_mode: \"host\"\n" if cluster else f"    ports:\n      - \"{port}:{port}\"\n"
    return ("services:\n  vllm:\n"
            f"    image: \"{IMAGE}\"\n    entrypoint: {json.dumps(list(ENTRYPOINT))}\n"
            f"    command:\n      {ARGS}\n    environment:\n      {ENVMAP}\n"
            f"{net}    ipc: \"host\"\n"
            "    volumes:\n      - \"~/.cache/huggingface:/root/.cache/huggingface\"\n" + device)


def pod(profile: HardwareProfile, indent: str, args: str, env: str, port: str | None, shell: bool = False) -> str:
    """A pod spec with one `vllm` container holding the node's accelerators."""
    brand, i = brand_key(profile), indent
    command = SHELL if shell else ENTRYPOINT
    limits = f"{i}    resources:\n{i}      limits:\n{i}        {json.dumps(RESOURCE[brand])}: {GPUS}\n" if brand in RESOURCE else ""
    return (f"{i}containers:\n{i}  - name: \"vllm\"\n{i}    image: \"{IMAGE}\"\n"
            f"{i}    command: {json.dumps(list(command))}\n{i}    args:\n{i}      {args}\n{i}    env:\n{i}      {env}\n"
            + (f"{i}    ports:\n{i}      - containerPort: {port}\n" if port else "") + limits +
            f"{i}    volumeMounts:\n{i}      - name: \"shm\"\n{i}        mountPath: \"/dev/shm\"\n"
            f"{i}      - name: \"hf-cache\"\n{i}        mountPath: \"/root/.cache/huggingface\"\n"
            f"{i}volumes:\n{i}  - name: \"shm\"\n{i}    emptyDir:\n{i}      medium: \"Memory\"\n"
            f"{i}  - name: \"hf-cache\"\n{i}    emptyDir: {{}}\n")


def _service(name: str, selector: Mapping[str, str], port: str) -> str:
    pairs = "".join(f"    {k}: {json.dumps(v)}\n" for k, v in selector.items())
    return (f"---\napiVersion: v1\nkind: Service\nmetadata:\n  name: \"{name}\"\nspec:\n  selector:\n{pairs}"
            f"  ports:\n    - port: {port}\n      targetPort: {port}\n")


def deployment(profile: HardwareProfile, port: str, suffix: str = "") -> str:
    """A Deployment of one pod running the shown launch, and a Service on its port."""
    name = NAME + suffix
    return ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
            f"  name: \"{name}\"\nspec:\n  replicas: 1\n  selector:\n    matchLabels:\n      app: \"{name}\"\n"
            f"  template:\n    metadata:\n      labels:\n        app: \"{name}\"\n    spec:\n"
            + pod(profile, "      ", ARGS, ENV, port) + _service(name, {"app": name}, port))


def leader_worker_set(profile: HardwareProfile, port: str, suffix: str, leader: Mapping[str, str],
                      worker: Mapping[str, str], shell: bool, workers_serve: bool) -> str:
    """A LeaderWorkerSet of one group: the leader runs launch 0, the worker template launch 1 with
    the rank-specific values taken from LWS's own env (`worker`); a Service on the serving pods.
    The Service has its own name: LWS names its headless Service after the set."""
    name = NAME + suffix
    selector = {LWS_NAME: name} if workers_serve else {LWS_NAME: name, LWS_INDEX: "0"}
    work = marker("SH" if shell else "ARGS", 1, worker)
    return ("apiVersion: leaderworkerset.x-k8s.io/v1\nkind: LeaderWorkerSet\nmetadata:\n"
            f"  name: \"{name}\"\nspec:\n  replicas: 1\n  leaderWorkerTemplate:\n    size: {SIZE}\n"
            "    restartPolicy: \"RecreateGroupOnPodRestart\"\n    leaderTemplate:\n      spec:\n"
            + pod(profile, "        ", marker("ARGS", 0, leader), marker("ENV", 0, leader), port)
            + "    workerTemplate:\n      spec:\n"
            + pod(profile, "        ", work, marker("ENV", 1, worker), port if workers_serve else None, shell)
            + _service(name + "-api", selector, port))


def swap(tokens: Sequence[str], subs: Mapping[str, str]) -> list[str]:
    """Tokens with the substitutions applied: after a flag key, or a whole token equal to a key."""
    out = []
    for i, tok in enumerate(tokens):
        prev = tokens[i - 1] if i else ""
        if prev.startswith("-") and prev in subs:
            out.append(subs[prev])
        elif not tok.startswith("-") and tok in subs:
            out.append(subs[tok])
        else:
            out.append(tok)
    return out


def shell_line(launch: Launch, subs: Mapping[str, str]) -> str:
    """`exec` + the launch's command lines joined by spaces, a line's value swapped where a key says."""
    lines = launch.command.split(CONTINUATION)
    out = [lines[0]]
    for line in lines[1:]:
        tokens = shlex.split(line)
        swapped = swap(tokens, subs)
        out.append(line if swapped == tokens else " ".join([tokens[0], *swapped[1:]]))
    return "exec " + " ".join(out)


def env_items(launch: Launch, subs: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    subs = subs or {}
    return [(k, subs.get(js_str(v), js_str(v))) for k, v in launch.env.items()]


def fill(template: str, values: Mapping[str, str], shown: Launch | None, group: Sequence[Launch] = ()) -> str:
    """The file: values put in, each marker line replaced by its launch's items."""
    out: list[str] = []
    for line in template.split("\n"):
        indent, found = line[:len(line) - len(line.lstrip())], _MARKER.fullmatch(line.strip())
        if found is None:
            for key, value in values.items():
                line = line.replace(key, value)
            out.append(line)
            continue
        what, index, subs_text = found.groups()
        launch = shown if index is None else group[int(index)]
        assert launch is not None
        subs: dict[str, str] = json.loads(subs_text) if subs_text else {}
        if what == "ARGS":
            out += [f"{indent}- {json.dumps(a, ensure_ascii=False)}" for a in swap(launch.argv[len(ENTRYPOINT):], subs)]
        elif what == "SH":
            out.append(f"{indent}- {json.dumps(shell_line(launch, subs), ensure_ascii=False)}")
        else:
            env = env_items(launch, subs)
            if not env:
                out[-1] += " {}" if what == "ENVMAP" else " []"
            for key, value in env:
                out += ([f"{indent}{key}: {json.dumps(value, ensure_ascii=False)}"] if what == "ENVMAP" else
                        [f"{indent}- name: {json.dumps(key)}", f"{indent}  value: {json.dumps(value, ensure_ascii=False)}"])
    return "\n".join(out)


def values(image: str, name: str, profile: HardwareProfile, size: int = 1) -> dict[str, str]:
    return {IMAGE: image, NAME: name, GPUS: str(profile.gpu_count or 1), SIZE: str(size)}


def manifest(kind: str, launch: Launch, profile: HardwareProfile, image: str, name: str) -> str:
    """`docker-compose.yaml` ("compose") or the Deployment + Service ("k8s") of a single-node launch."""
    port = port_of(launch)
    template = compose(profile, port, False) if kind == "compose" else deployment(profile, port)
    return fill(template, values(image, name, profile), launch)


def k8s_name(model_id: str) -> str:
    """A DNS-1123 name for the workloads and Services, from the checkpoint's repository name
    (short enough for LWS pod names and the `-prefill-api` suffixes)."""
    name = re.sub(r"[^a-z0-9-]+", "-", model_id.rsplit("/", 1)[-1].lower()).strip("-")[:40].strip("-")
    return name or "vllm"

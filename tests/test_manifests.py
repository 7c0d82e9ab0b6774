"""The "as a file" view: every compose file and Kubernetes manifest of our recipes' selections
parses as YAML, and each pod runs exactly the command `deploy` computed for its node.

Kubernetes is emulated where it matters: `$(VAR)` references in args and env are expanded as the
kubelet does, with the variables LeaderWorkerSet puts in each pod (`LWS_LEADER_ADDRESS` = the
head's placeholder, `LWS_WORKER_INDEX` = the rank), and a `/bin/sh -c` container is really run
by /bin/sh with a stand-in `vllm` on PATH that prints its argv. So for every rank r the worker
template, given LWS_WORKER_INDEX=r, runs node r's argv and env byte for byte.
"""
from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from builder.check import load_catalog
from builder.jsonout import js_str
from builder.models import Catalog, RecipeEntry
from builder.site.command_builder.space import PD, combo, pd_selection, pool_layouts
from builder.synth import Deployment, Launch, Selection, SynthesisError, deploy
from builder.synth.docker import brand_key
from builder.synth.lws import files, group_of
from builder.synth.manifests import RESOURCE, k8s_name, manifest, port_of
from builder.synth.select import listed_hardware, strategy_kind

REPO = Path(__file__).resolve().parents[1]
EVERY_STRATEGY = ("zai-org/GLM-5.2", "moonshotai/Kimi-K3", "MiniMaxAI/MiniMax-M3", "Qwen/Qwen3-0.6B",
                  "meta-llama/Llama-3.1-8B-Instruct", "openai/gpt-oss-20b")
"""Recipes whose every strategy is checked (single node, TP, DEP, tp_pp, tp_dp, PD, AMD, TPU, Intel);
the others by their recommended selection per pair."""
LEADER = {"node": "$HEAD_IP", "prefill": "$PREFILL_NODE_1", "decode": "$DECODE_NODE_1"}
"""The placeholder of each group's head node, which `LWS_LEADER_ADDRESS` stands for."""
_REF = re.compile(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)")
_VAR = re.compile(r"\$([A-Z_][A-Z0-9_]*)")
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: these files are long


def load_all(text: str) -> list[Any]:
    return list(yaml.load_all(text, Loader=LOADER))


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(REPO / "recipes")


@pytest.fixture(scope="module")
def fake_vllm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory whose `vllm` prints its argv, NUL-separated (what /bin/sh would exec)."""
    path = tmp_path_factory.mktemp("bin")
    (path / "vllm").write_text("#!/bin/sh\nprintf 'vllm\\0'\nprintf '%s\\0' \"$@\"\n")
    (path / "vllm").chmod(0o755)
    return path


def kubelet(text: str, env: dict[str, str]) -> str:
    """Kubernetes' `$(VAR)` expansion: defined names are replaced, `$$` is `$`, the rest stays."""
    return _REF.sub(lambda m: "$" if m.group(0) == "$$" else env.get(m.group(1), m.group(0)), text)


def pod_run(container: dict[str, Any], lws_env: dict[str, str], bin_dir: Path) -> tuple[list[str], dict[str, str]]:
    """The argv a container's process gets and its environment (LWS's variables left out)."""
    env = dict(lws_env)
    for item in container.get("env") or []:
        env[item["name"]] = kubelet(item["value"], env)
    argv = [kubelet(x, env) for x in container["command"] + container["args"]]
    if argv[:2] == ["/bin/sh", "-c"]:
        # Placeholders stay literal, as in the shown command: $HEAD_IP expands to "$HEAD_IP".
        names = {n: "$" + n for n in _VAR.findall(argv[2])}
        done = subprocess.run(argv, env={**names, **env, "PATH": f"{bin_dir}{os.pathsep}/usr/bin:/bin"},
                              capture_output=True, text=True, check=True)
        argv = done.stdout.split("\0")[:-1]
    return argv, {k: v for k, v in env.items() if k not in lws_env}


def selections(catalog: Catalog, entry: RecipeEntry, every: bool = True) -> list[Selection]:
    """Per usable pair: the recommendation; with `every`, each offered strategy too (2 and 3
    nodes, PD pools of 0-2 nodes)."""
    out: list[Selection] = []
    for variant in entry.recipe.variants:
        for hw in listed_hardware(catalog, entry, variant):
            c = combo(catalog, entry, variant, hw)
            if c is None:
                continue
            out.append(c.recommended)
            for name in c.strategies if every else ():
                kind = strategy_kind(catalog, name)
                if kind == "multi_node":
                    out += [Selection(variant, hw, name, n, c.default_features) for n in (2, 3)]
                elif kind == PD:
                    out += [pd_selection(c, name, lay, c.default_features) for lay in pool_layouts(catalog, c, ("tp", "dep"))
                            if lay is not None and lay.prefill_nodes == lay.decode_nodes <= 2
                            and lay.prefill_mode == lay.decode_mode]
                else:
                    out.append(Selection(variant, hw, name, 1, c.default_features))
    return out


def check_compose(dep: Deployment, launch: Launch, text: str) -> None:
    service = load_all(text)[0]["services"]["vllm"]
    assert service["entrypoint"] + service["command"] == list(launch.argv)
    assert (service["environment"] or {}) == {k: js_str(v) for k, v in launch.env.items()}
    assert service["image"] == dep.docker_image
    assert ("network_mode" in service) == (len(dep.launches) > 1)


def check_k8s(dep: Deployment, launch: Launch, text: str, catalog: Catalog, bin_dir: Path) -> str:
    workload, service = load_all(text)
    group, profile = group_of(dep, launch), catalog.profile(dep.selection.hardware)
    family = "node" if launch.role in ("head", "worker") else launch.role
    if workload["kind"] == "Deployment":
        assert len(group) == 1
        pods = [workload["spec"]["template"]]
        assert service["spec"]["selector"] == pods[0]["metadata"]["labels"] == workload["spec"]["selector"]["matchLabels"]
    else:
        assert workload["apiVersion"] == "leaderworkerset.x-k8s.io/v1" and workload["kind"] == "LeaderWorkerSet"
        spec = workload["spec"]["leaderWorkerTemplate"]
        assert spec["size"] == len(group) > 1
        pods = [spec["leaderTemplate"]] + [spec["workerTemplate"]] * (len(group) - 1)
        labels = {"leaderworkerset.sigs.k8s.io/name": workload["metadata"]["name"]}
        if "--data-parallel-hybrid-lb" not in group[1].argv:
            labels["leaderworkerset.sigs.k8s.io/worker-index"] = "0"  # only the leader serves
        assert service["spec"]["selector"] == labels
        assert service["metadata"]["name"] != workload["metadata"]["name"]  # LWS's headless Service has that name
    assert service["kind"] == "Service"
    assert service["spec"]["ports"] == [{"port": int(port_of(launch)), "targetPort": int(port_of(launch))}]
    for rank, (pod, node) in enumerate(zip(pods, group, strict=True)):
        container = pod["spec"]["containers"][0]
        assert container["image"] == dep.docker_image
        if brand_key(profile) in RESOURCE:
            assert container["resources"]["limits"] == {RESOURCE[brand_key(profile)]: profile.gpu_count}
        lws = ({"LWS_LEADER_ADDRESS": LEADER[family], "LWS_WORKER_INDEX": str(rank), "LWS_GROUP_SIZE": str(len(group))}
               if workload["kind"] == "LeaderWorkerSet" else {})
        argv, env = pod_run(container, lws, bin_dir)
        assert argv == list(node.argv), (rank, container)
        assert env == {k: js_str(v) for k, v in node.env.items()}
    return str(workload["kind"])


def deployments(catalog: Catalog) -> Iterator[tuple[Selection, Deployment]]:
    """Every selection the file tests cover (see `selections`) that synthesis can deploy."""
    for entry in catalog.recipes:
        if entry.recipe.is_omni:
            continue
        for sel in selections(catalog, entry, entry.hf_id in EVERY_STRATEGY):
            try:
                yield sel, deploy(catalog, entry.recipe, sel)
            except SynthesisError:
                continue


def test_every_selection_as_files(catalog: Catalog, fake_vllm: Path) -> None:
    seen: dict[str, int] = {}
    for sel, dep in deployments(catalog):
        for launch in dep.launches:
            compose, k8s = files(dep, launch, catalog.profile(sel.hardware))
            if launch.role == "router" or dep.docker_image is None:
                assert compose is k8s is None
                continue
            assert compose is not None
            check_compose(dep, launch, compose)
            if k8s is None:
                seen["none"] = seen.get("none", 0) + 1
                continue
            kind = check_k8s(dep, launch, k8s, catalog, fake_vllm)
            shell = "/bin/sh" in k8s
            key = f"{kind}:{dep.deploy_type}:{sel.strategy}{':sh' if shell else ''}"
            seen[key] = seen.get(key, 0) + 1
    assert seen["Deployment:single_node:single_node_tp"] > 50
    assert sum(seen.values()) > 1000
    for key in ("LeaderWorkerSet:multi_node:multi_node_tp", "LeaderWorkerSet:multi_node:multi_node_dep:sh",
                "LeaderWorkerSet:multi_node:multi_node_tp_pp", "LeaderWorkerSet:multi_node:multi_node_tp_dp",
                "Deployment:pd_cluster:pd_cluster", "LeaderWorkerSet:pd_cluster:pd_cluster"):
        assert seen.get(key, 0) > 0, (key, seen)


def test_kimi_tp_dp_worker_takes_its_rank_from_lws(catalog: Catalog) -> None:
    entry = catalog.entry("moonshotai/Kimi-K3")
    dep = deploy(catalog, entry.recipe, Selection("default", "h200", "multi_node_tp_dp", 3))
    _, text = files(dep, dep.launches[2], catalog.profile("h200"))
    assert text is not None
    lws = next(yaml.safe_load_all(text))["spec"]["leaderWorkerTemplate"]
    assert lws["size"] == 3
    args = lws["workerTemplate"]["spec"]["containers"][0]["args"]
    assert args[args.index("--data-parallel-start-rank") + 1] == "$(LWS_WORKER_INDEX)"
    assert args[args.index("--data-parallel-address") + 1] == "$(LWS_LEADER_ADDRESS)"
    assert "--data-parallel-start-rank" not in lws["leaderTemplate"]["spec"]["containers"][0]["args"]


def test_no_kubernetes_file_where_one_would_be_wrong(catalog: Catalog) -> None:
    """Roles sharing one node's GPUs by index, a DEP pool whose nodes bind their own addresses."""
    entry = catalog.entry("zai-org/GLM-5.2")
    profile = catalog.profile("h200")
    shared = deploy(catalog, entry.recipe, Selection("default", "h200", "pd_cluster", 1, (), 0, 0))
    assert [files(shared, x, profile)[1] for x in shared.launches] == [None, None, None]
    assert files(shared, shared.launches[0], profile)[0] is not None
    dep3 = deploy(catalog, entry.recipe, Selection("default", "h200", "pd_cluster", 1, (), 3, 3, "dep", "dep"))
    assert files(dep3, dep3.launches[0], profile)[1] is None


def test_single_node_manifest_names_and_arguments(catalog: Catalog) -> None:
    entry = catalog.entry("Qwen/Qwen3-0.6B")
    dep = deploy(catalog, entry.recipe, Selection("default", "h100", "single_node_tp"))
    launch = dep.launches[0]
    assert dep.docker_image is not None
    text = manifest("k8s", launch, catalog.profile("h100"), dep.docker_image, k8s_name(launch.argv[2]))
    assert text == files(dep, launch, catalog.profile("h100"))[1]
    assert k8s_name("acme/Some.Model_Name-FP8") == "some-model-name-fp8"
    assert len(k8s_name("x/" + "a" * 80)) == 40


def test_tokens_need_no_compose_escaping(catalog: Catalog) -> None:
    """Compose interpolates `$NAME` like the shell does for the shown command; any other `$` in an
    argument (the shell would keep it literal inside quotes) would need `$$`: none exists."""
    for _, dep in deployments(catalog):
        for launch in dep.launches:
            if launch.role != "router":
                for tok in [*launch.argv, *map(js_str, launch.env.values())]:
                    assert "$" not in tok or _VAR.fullmatch(tok), tok

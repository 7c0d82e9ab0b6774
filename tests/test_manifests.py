"""The "as a file" view: docker-compose.yaml and Kubernetes manifests of every recommended
single-node selection of our recipes parse as YAML, and each container runs the command's argv."""
from __future__ import annotations

from pathlib import Path

import yaml

from builder.check import load_catalog
from builder.jsonout import js_str
from builder.synth import deploy
from builder.synth.manifests import k8s_name, manifest
from builder.synth.select import listed_hardware, recommend

REPO = Path(__file__).resolve().parents[1]


def test_every_recommended_single_node_selection_as_files() -> None:
    catalog = load_catalog(REPO / "recipes")
    checked = 0
    for entry in catalog.recipes:
        if entry.recipe.is_omni:
            continue
        for variant in entry.recipe.variants:
            for hw in listed_hardware(catalog, entry, variant):
                sel = recommend(catalog, entry, variant, hw)
                if sel is None:
                    continue
                dep = deploy(catalog, entry.recipe, sel)
                if dep.deploy_type != "single_node" or dep.docker_image is None:
                    continue
                launch = dep.launches[0]
                name = k8s_name(str(launch.argv[2]))
                compose = yaml.safe_load(manifest("compose", launch, catalog.profile(hw), dep.docker_image, name))
                service = compose["services"]["vllm"]
                assert service["entrypoint"] + service["command"] == list(launch.argv)
                assert service["image"] == dep.docker_image
                assert (service.get("environment") or {}) == {k: js_str(v) for k, v in launch.env.items()}
                k8s = list(yaml.safe_load_all(manifest("k8s", launch, catalog.profile(hw), dep.docker_image, name)))
                assert [d["kind"] for d in k8s] == ["Deployment", "Service"]
                container = k8s[0]["spec"]["template"]["spec"]["containers"][0]
                assert container["command"] + container["args"] == list(launch.argv)
                assert container["image"] == dep.docker_image
                checked += 1
    assert checked > 50

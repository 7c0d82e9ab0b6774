"""Which file fits a launch, and how one LeaderWorkerSet reproduces every node of a group.

Offered per launch (the tab the page shows), never per deployment kind:

* a `vllm serve` launch that runs in an image gets a compose file of its own container (the
  nodes of a cluster on the host network, their peers reaching them at the node's address);
* its group — the nodes of a multi-node deployment, or of one prefill/decode pool — gets one
  Kubernetes file: a Deployment when the group is one node, else a LeaderWorkerSet
  (leaderworkerset.x-k8s.io/v1, size = nodes) whose leader runs rank 0 and whose worker template
  runs every other rank. Kubernetes fills a worker's values from what LWS puts in each pod's
  environment: `LWS_LEADER_ADDRESS` stands for the head's address placeholder (`$HEAD_IP`,
  `$PREFILL_NODE_1`), `LWS_WORKER_INDEX` for the rank. A value that is k × rank (a DEP node's
  `--data-parallel-start-rank`) needs arithmetic, so that worker runs under `/bin/sh -c`.
* nothing for the router (installed with pip, no image), nor for Kubernetes when the two PD roles
  share one node's GPUs by index (a pod gets its own GPUs), nor when one worker template cannot
  reproduce every rank (per-node addresses of a DEP pool): :func:`rank_mapping` checks each rank.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from builder.jsonout import js_str
from builder.models import HardwareProfile
from builder.synth.deployment import Deployment, Launch
from builder.synth.manifests import (
    ENTRYPOINT,
    compose,
    deployment,
    fill,
    k8s_name,
    leader_worker_set,
    port_of,
    swap,
    values,
)

LEADER_ADDRESS = "$(LWS_LEADER_ADDRESS)"
WORKER_INDEX = "$(LWS_WORKER_INDEX)"
RANK_FLAGS = ("--node-rank", "--data-parallel-start-rank")
ADDRESS_FLAGS = ("--master-addr", "--data-parallel-address")
HYBRID_LB = "--data-parallel-hybrid-lb"
_PLACEHOLDER = re.compile(r"\$[A-Z_][A-Z0-9_]*")
_TIMES_INDEX = re.compile(r"\$\(\((\d+) \* LWS_WORKER_INDEX\)\)")
_NODE_ROLES = {"head": "node", "worker": "node"}


@dataclass(frozen=True)
class RankMapping:
    """The substitutions of the leader and worker templates; `address` is the placeholder that
    `LWS_LEADER_ADDRESS` stands for."""

    address: str
    leader: dict[str, str]
    worker: dict[str, str]
    shell: bool


def after(argv: Sequence[str], flags: Sequence[str]) -> str | None:
    return next((argv[i + 1] for i, a in enumerate(argv[:-1]) if a in flags), None)


def at_rank(value: str, rank: int, address: str) -> str:
    """What a substituted value is in the pod of `rank` (the inverse the tests check)."""
    times = _TIMES_INDEX.fullmatch(value)
    if times:
        return str(int(times.group(1)) * rank)
    return value.replace(LEADER_ADDRESS, address).replace(WORKER_INDEX, str(rank))


def rank_mapping(group: Sequence[Launch]) -> RankMapping | None:
    """Leader = rank 0 as is; worker template = rank 1 with its rank values and the leader's
    address taken from LWS; None unless that reproduces every rank's argv and env exactly."""
    head, first = group[0], group[1]
    address = after(head.argv, ADDRESS_FLAGS)
    if address is None or not _PLACEHOLDER.fullmatch(address):
        return None
    leader = {address: LEADER_ADDRESS}
    worker, shell = dict(leader), False
    for flag in RANK_FLAGS:
        step = after(first.argv, (flag,))
        if step is None:
            continue
        if not step.isdigit() or int(step) < 1:
            return None
        shell = shell or step != "1"
        worker[flag] = WORKER_INDEX if step == "1" else f"$(({step} * LWS_WORKER_INDEX))"
    for rank, launch in enumerate(group):
        template, subs = (head, leader) if rank == 0 else (first, worker)
        args = [at_rank(t, rank, address) for t in swap(template.argv, subs)]
        env = {k: at_rank(subs.get(js_str(v), js_str(v)), rank, address) for k, v in template.env.items()}
        if args != list(launch.argv) or env != {k: js_str(v) for k, v in launch.env.items()}:
            return None
    return RankMapping(address, leader, worker, shell)


def group_of(dep: Deployment, launch: Launch) -> list[Launch]:
    """The launches one Kubernetes file runs: the cluster's nodes, or the launch's pool."""
    key = _NODE_ROLES.get(launch.role, launch.role)
    return [x for x in dep.launches if _NODE_ROLES.get(x.role, x.role) == key]


def groups(dep: Deployment) -> list[list[Launch]]:
    """Every group of a deployment once, in launch order."""
    out: list[list[Launch]] = []
    for launch in dep.launches:
        if not any(launch in g for g in out):
            out.append(group_of(dep, launch))
    return out


def templates(dep: Deployment, launch: Launch, profile: HardwareProfile) -> tuple[str | None, str | None]:
    """(compose, Kubernetes) templates for the launch shown; None where no file is offered."""
    if dep.docker_image is None or tuple(launch.argv[:2]) != ENTRYPOINT:
        return None, None
    group, port = group_of(dep, launch), port_of(launch)
    suffix = "" if launch.role in ("serve", "head", "worker") else "-" + launch.role
    k8s: str | None = None
    if len(group) == 1:
        if launch.pool is None or launch.pool.nodes > 0:
            k8s = deployment(profile, port, suffix)
    else:
        m = rank_mapping(group)
        if m is not None:
            k8s = leader_worker_set(profile, port, suffix, m.leader, m.worker, m.shell, HYBRID_LB in group[1].argv)
    return compose(profile, port, len(dep.launches) > 1), k8s


def files(dep: Deployment, launch: Launch, profile: HardwareProfile) -> tuple[str | None, str | None]:
    """The compose file and the Kubernetes manifest of the launch shown, filled."""
    group = group_of(dep, launch)
    out: list[str | None] = []
    for template in templates(dep, launch, profile):
        if template is None or dep.docker_image is None:
            out.append(None)
            continue
        out.append(fill(template, values(dep.docker_image, k8s_name(launch.argv[2]), profile, len(group)), launch, group))
    return out[0], out[1]

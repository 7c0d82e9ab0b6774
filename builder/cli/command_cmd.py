"""`command ORG/REPO`: print the serve command(s) for any selection, from the API's own synthesis.

With no options the selection is exactly what the JSON API recommends (`recommend()` on the
variant's default hardware); each option then changes one choice. Invalid choices stop with one
line naming the valid ones (exit 1), never a traceback.
"""
from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any, Optional

from builder.api.documents import ROUTER_INSTALL
from builder.load.catalog import Catalog, RecipeEntry, load_catalog
from builder.synth import (
    Deployment, Launch, Selection, SynthesisError, default_features, deploy, hardware_choices, hardware_list,
    recommend, strategy_choices,
)
from builder.synth.hardware import fits, incompatibility
from builder.check.commands import ensure_safe
from builder.check.printable import safe_text
from builder.synth.plan import (
    PD,
    SKIP,
    node_count,
    pd_plan,
    pool_sizes,
    recommended_strategy,
)
from builder.synth.shell import js_str, quote

EXAMPLES = """\
examples:
  recipes command zai-org/GLM-5.2                                  # what the site recommends
  recipes command zai-org/GLM-5.2 --hardware b200 --variant nvfp4
  recipes command nvidia/GLM-5.2-NVFP4                             # a variant's own checkpoint id
  recipes command zai-org/GLM-5.2 --variant bf16 --strategy multi_node_tp --nodes 4
  recipes command zai-org/GLM-5.2 --feature spec_decoding --no-feature reasoning --docker
  recipes command zai-org/GLM-5.2 --strategy pd_cluster --json

Multi-node and prefill/decode selections print one command per node (and the router); run each
on its node after setting the $PLACEHOLDERS listed at the top."""

# What the `$NAME` placeholders of synthesized commands stand for.
PLACEHOLDERS = {
    "HEAD_IP": "address of the head node (rank 0)",
    "IFACE_NAME": "network interface the nodes reach each other on",
    "ROUTER_HOST": "address the router listens on",
    "ROUTER_PORT": "port the router listens on",
}
_PLACEHOLDER = re.compile(r"\$([A-Z_][A-Z0-9_]*)")


class Invalid(Exception):
    """A choice that does not exist or cannot be combined; the message names the valid ones."""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "command", help="print the vllm serve command for a model and any selection",
        description="Print the command(s) that serve ORG/REPO, synthesized exactly as the site and the\n"
                    "JSON API do. Without options you get the recommended selection; each option changes\n"
                    "one choice.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("hf_id", metavar="ORG/REPO", help="recipe id, or the checkpoint id of one of its variants")
    p.add_argument("--hardware", metavar="H", help="hardware profile id, e.g. h200 (default: the variant's default)")
    p.add_argument("--variant", metavar="V", help="variant key, e.g. nvfp4 (default: default)")
    p.add_argument("--strategy", metavar="S", help="strategy name, e.g. multi_node_tp (default: recommended)")
    p.add_argument("--nodes", metavar="N", type=_positive, help="node count; for pd_cluster, nodes per role")
    p.add_argument("--feature", metavar="F", action="append", default=[], help="turn on a feature (repeatable)")
    p.add_argument("--no-feature", metavar="F", action="append", default=[], dest="no_feature",
                   help="turn off a feature that is on by default (repeatable)")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--docker", action="store_true", help="print `docker run` forms (env as -e flags)")
    out.add_argument("--json", action="store_true", help="print the deployment as JSON (every launch)")
    p.add_argument("--recipes", type=Path, default=Path("recipes"), help="recipe folder (default: recipes)")
    p.set_defaults(func=run)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return value


def run(args: argparse.Namespace) -> int:
    catalog = load_catalog(args.recipes)
    try:
        entry, sel, notes = resolve(catalog, args)
        dep = deploy(catalog, entry.recipe, sel)
        ensure_safe(catalog, entry, dep)
    except (Invalid, SynthesisError) as err:
        print(f"error: {safe_text(str(err))}", file=sys.stderr)
        return 1
    shortfall = _shortfall(catalog, entry, dep)
    for note in notes + ([shortfall] if shortfall else []):
        print(f"note: {safe_text(note)}", file=sys.stderr)
    # The loader refuses control characters; escaping here as well means no path to the
    # terminal can ever carry a raw ESC or BEL (JSON output escapes them itself).
    sys.stdout.write(as_json(entry, dep) if args.json else safe_text(as_text(entry, dep, args.docker)))
    return 0


# -- choosing ----------------------------------------------------------------------------------

def find_recipe(catalog: Catalog, hf_id: str) -> tuple[RecipeEntry, Optional[str]]:
    """The recipe of `hf_id`, or the parent recipe and variant key of a variant checkpoint id."""
    # Exact first; then ignoring case, as Hugging Face resolves ids.
    for same in (lambda x: x == hf_id, lambda x: x.casefold() == hf_id.casefold()):
        entry = next((e for e in catalog.recipes if same(e.hf_id)), None)
        if entry is not None:
            return entry, None
        # A checkpoint shared by two variants belongs to the later one, as in the API.
        owners = [(e, key) for e in catalog.recipes for key, v in e.recipe.variants.items()
                  if isinstance(v.model_id, str) and same(v.model_id)]
        if owners:
            return owners[-1]
    known = [e.hf_id for e in catalog.recipes]
    close = difflib.get_close_matches(hf_id, known, n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(close)}?" if close else f" (it has {len(known)} recipes)"
    raise Invalid(f"no recipe for {hf_id} in {catalog.root.as_posix()}{hint}")


def _choices(values: list[str]) -> str:
    return ", ".join(values) if values else "(none)"


def resolve(catalog: Catalog, args: argparse.Namespace) -> tuple[RecipeEntry, Selection, list[str]]:
    """The entry and the selection the options ask for, plus notes on what was chosen for them."""
    entry, implied = find_recipe(catalog, args.hf_id)
    recipe, notes = entry.recipe, []
    if recipe.is_omni:
        raise Invalid(f"{entry.hf_id} is an omni recipe: it has no synthesized vllm serve command")
    if implied is not None:
        if args.variant not in (None, implied):
            raise Invalid(f"{args.hf_id} is variant {implied} of {entry.hf_id}; "
                          f"drop --variant or ask for {entry.hf_id}")
        notes.append(f"{recipe.variants[implied].model_id} is variant {implied} of {entry.hf_id}")
    variant = args.variant or implied or "default"
    if variant not in recipe.variants:
        raise Invalid(f"unknown variant {variant!r} for {entry.hf_id}; "
                      f"choose one of: {_choices(list(recipe.variants))}")
    hw = _hardware(catalog, entry, variant, args.hardware)
    base = recommend(catalog, entry, variant, hw)
    if base is not None and base.variant != variant:
        # Only hardware that cannot be clustered swaps variants (spec §5.4); never against an explicit ask.
        if args.variant or implied:
            raise Invalid(_no_fit(catalog, entry, variant, hw))
        notes.append(f"the default variant does not fit {hw}; using variant {base.variant}, the largest that does")
        variant = base.variant
    if base is not None and not (args.strategy or args.nodes or args.feature or args.no_feature):
        return entry, base, notes  # exactly the API's recommendation
    features = _features(entry, hw, args.feature, args.no_feature)
    return entry, _layout(catalog, entry, variant, hw, base, args.strategy, args.nodes, features), notes


def _hardware(catalog: Catalog, entry: RecipeEntry, variant: str, asked: Optional[str]) -> str:
    recipe = entry.recipe
    choices = {c.id: c for c in hardware_choices(catalog, entry, variant)}
    listed = hardware_list(catalog, recipe, recipe.variants[variant])
    valid = [hw for hw in listed if hw in choices and choices[hw].listed]
    if not valid:
        reasons = sorted({c.reason for c in choices.values() if c.reason})
        raise Invalid(f"variant {variant} of {entry.hf_id} runs on no hardware profile: {'; '.join(reasons)}")
    if asked is None:
        return valid[0]
    if asked not in catalog.taxonomy.hardware_profiles:
        raise Invalid(f"unknown hardware {asked!r}; choose one of: {_choices(valid)}")
    if asked not in choices:
        raise Invalid(f"{asked} is a restricted profile that {entry.hf_id} does not list under meta.hardware; "
                      f"choose one of: {_choices(valid)}")
    if choices[asked].reason:
        raise Invalid(f"variant {variant} cannot run on {asked}: {choices[asked].reason}; "
                      f"choose one of: {_choices(valid)}")
    return asked


def _no_fit(catalog: Catalog, entry: RecipeEntry, variant: str, hw: str) -> str:
    recipe, profile = entry.recipe, catalog.profile(hw)
    chosen = recipe.variants[variant]
    fitting = [k for k, v in recipe.variants.items()
               if fits(v, profile) and not incompatibility(recipe, v, hw, profile)]
    hint = f"; variants that fit: {_choices(fitting)}" if fitting else "; no variant of this recipe fits it"
    return (f"variant {variant} needs {js_str(chosen.vram_minimum_gb)} GB but {hw} has {js_str(profile.vram_gb)} GB "
            f"and cannot be clustered{hint}")


def _features(entry: RecipeEntry, hw: str, on: list[str], off: list[str]) -> tuple[str, ...]:
    known = list(entry.recipe.features)
    for name in on + off:
        if name not in known:
            raise Invalid(f"unknown feature {name!r} for {entry.hf_id}; choose from: {_choices(known)}")
    both = sorted(set(on) & set(off))
    if both:
        raise Invalid(f"feature {both[0]} is both turned on and off")
    enabled = set(default_features(entry, hw)) | set(on)
    return tuple(name for name in known if name in enabled and name not in off)


def _layout(catalog: Catalog, entry: RecipeEntry, variant: str, hw: str, base: Optional[Selection],
            strategy: Optional[str], nodes: Optional[int], features: tuple[str, ...]) -> Selection:
    """Strategy and node counts for an explicit ask, following the API's rules where it has one."""
    recipe, profile = entry.recipe, catalog.profile(hw)
    usable = strategy_choices(catalog, entry, hw, variant)
    chosen = recipe.variants[variant]
    explicit = strategy is not None
    if strategy is None:
        fallback = recommended_strategy(recipe, node_count(chosen, profile, usable))
        strategy = recommended_strategy(recipe, nodes) if nodes else base.strategy if base else fallback
    # The recommendation itself is kept even when it is not a usable strategy, as the API does.
    if strategy not in usable and (explicit or base is None or strategy != base.strategy):
        why = f" ({hw} cannot be clustered)" if strategy in recipe.compatible_strategies else ""
        raise Invalid(f"strategy {strategy} is not available for {entry.hf_id} on {hw}{why}; "
                      f"choose one of: {_choices(usable)}")
    spec = catalog.strategies.get(strategy)
    kind = spec.deploy_type if spec is not None else "single_node"
    if kind == PD:
        plan = pd_plan(chosen, profile)
        if nodes is None and plan == SKIP:
            raise Invalid(f"variant {variant} needs more than 4 nodes per prefill/decode role on {hw}; "
                          "pass --nodes to size the pools yourself")
        n = node_count(chosen, profile, usable)
        size = nodes if nodes is not None else pool_sizes(plan, n)
        return Selection(variant, hw, strategy, n, features, size, size)
    if kind == "multi_node":
        if nodes is not None and nodes < 2:
            raise Invalid(f"strategy {strategy} spans several nodes: --nodes must be at least 2")
        return Selection(variant, hw, strategy, nodes or max(2, node_count(chosen, profile, usable)), features)
    if nodes not in (None, 1):
        multi = [s for s in usable if s in catalog.strategies and catalog.strategies[s].deploy_type == "multi_node"]
        raise Invalid(f"strategy {strategy} runs on one node; for {nodes} nodes choose one of: {_choices(multi)}")
    if base is not None and base.strategy == strategy:
        return replace(base, features=features)
    return Selection(variant, hw, strategy, 1, features)


def _shortfall(catalog: Catalog, entry: RecipeEntry, dep: Deployment) -> Optional[str]:
    """The site's VRAM warning: a single-node command whose weights exceed the node's memory."""
    sel = dep.selection
    variant, profile = entry.recipe.variants[sel.variant], catalog.profile(sel.hardware)
    if dep.deploy_type != "single_node" or fits(variant, profile):
        return None
    return (f"the {sel.variant} weights need {js_str(variant.vram_minimum_gb)} GB but one {sel.hardware} node has "
            f"{js_str(profile.vram_gb)} GB; this command will not fit")


# -- printing ----------------------------------------------------------------------------------

def _label(launch: Launch, dep: Deployment) -> Optional[str]:
    if launch.role == "serve":
        return None
    if launch.role == "head":
        return "# head (rank 0)"
    if launch.role == "router":
        return f"# router (install it with: {ROUTER_INSTALL})"
    alone = sum(other.role == launch.role for other in dep.launches) == 1
    if launch.role in ("prefill", "decode") and alone:
        return f"# {launch.role}"
    return f"# {launch.role} (rank 0)" if launch.rank == 0 else f"# {launch.role} rank {launch.rank}"


def _block(launch: Launch, docker: bool) -> str:
    if docker and launch.docker_command:
        return launch.docker_command
    exports = "".join(f"export {key}={quote(js_str(value))}\n" for key, value in launch.env.items())
    return exports + launch.command


def as_text(entry: RecipeEntry, dep: Deployment, docker: bool = False) -> str:
    sel = dep.selection
    size = f"{sel.nodes} node{'s' if sel.nodes != 1 else ''}"
    if dep.deploy_type == PD:
        size = "co-located prefill and decode" if not sel.prefill_nodes else f"{sel.prefill_nodes} node(s) per role"
    features = ", ".join(sel.features) or "none"
    head = [f"# {entry.hf_id} · variant {sel.variant} · {sel.hardware} · {sel.strategy} · {size} · "
            f"features: {features}"]
    blocks = []
    for launch in dep.launches:
        label = _label(launch, dep)
        blocks.append((label + "\n" if label else "") + _block(launch, docker))
    body = "\n\n".join(blocks)
    names = list(dict.fromkeys(_PLACEHOLDER.findall(body)))
    if names:
        head.append("# set first: " + "; ".join(f"${n} = {_placeholder_help(n)}" for n in names))
    return "\n".join(head) + "\n\n" + body + "\n"


def _placeholder_help(name: str) -> str:
    if name in PLACEHOLDERS:
        return PLACEHOLDERS[name]
    m = re.fullmatch(r"(PREFILL|DECODE)_NODE_(\d+)", name)
    if m:
        return f"address of {m.group(1).lower()} node {m.group(2)}"
    if name.endswith("_DP_RPC_PORT"):
        return f"a free port for the {name.split('_')[0].lower()} pool's data-parallel RPC"
    return "your value"


def _launch_json(launch: Launch) -> dict[str, Any]:
    return {"role": launch.role, "rank": launch.rank, "env": launch.env, "command": launch.command,
            "argv": list(launch.argv), "docker_command": launch.docker_command,
            "docker_argv": list(launch.docker_argv) if launch.docker_argv else None}


def as_json(entry: RecipeEntry, dep: Deployment) -> str:
    sel = dep.selection
    doc: dict[str, Any] = {
        "hf_id": entry.hf_id, "variant": sel.variant, "hardware": sel.hardware, "strategy": sel.strategy,
        "node_count": dep.node_count, "features": list(sel.features), "deploy_type": dep.deploy_type,
        "docker_image": dep.docker_image, "env": dep.env,
        "launches": [_launch_json(launch) for launch in dep.launches],
    }
    if dep.deploy_type == PD:
        doc["pool_nodes"] = {"prefill": sel.prefill_nodes, "decode": sel.decode_nodes}
        doc["router_config"] = dep.router_config
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"

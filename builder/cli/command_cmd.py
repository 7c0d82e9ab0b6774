"""`command ORG/REPO`: print the serve command(s) for any selection, from the API's own synthesis.

With no options the selection is exactly what the JSON API recommends (`recommend()` on the
variant's default hardware); each option then changes one choice. Invalid choices stop with one
line naming the valid ones (exit 1), never a traceback.
"""
from __future__ import annotations

import argparse
import difflib
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from builder.cli.api_cmd import API_VERSIONS, NEWEST_VERSION
from builder.jsonout import js_str
from builder.text import safe_text

if TYPE_CHECKING:  # imported where used, so that `recipes api` does not load what this command needs
    from builder.models import Catalog, RecipeEntry
    from builder.synth import Deployment, Edition, Selection

EXAMPLES = """\
examples:
  recipes command zai-org/GLM-5.2                                  # what the site recommends
  recipes command zai-org/GLM-5.2 --hardware b200 --variant nvfp4
  recipes command nvidia/GLM-5.2-NVFP4                             # a variant's own checkpoint id
  recipes command zai-org/GLM-5.2 --variant bf16 --strategy multi_node_tp --nodes 4
  recipes command zai-org/GLM-5.2 --feature spec_decoding --no-feature reasoning --docker
  recipes command zai-org/GLM-5.2 --strategy pd_cluster --json
  recipes command zai-org/GLM-5.2 --strategy multi_node_tp --nodes 2 --as k8s   # a LeaderWorkerSet
  recipes command zai-org/GLM-5.2 --mode spec_decoding=mtp                # a feature's mode
  recipes command zai-org/GLM-5.2 --kv-store kv_store_centralized_mooncake --instances 3
  recipes command zai-org/GLM-5.2 --kv-offload simple
  recipes command zai-org/GLM-5.2 --strategy multi_node_tp_dp --nodes 2

Multi-node and prefill/decode selections print one command per node (and the router); KV-store
deployments print the Mooncake master, the store, every instance and the router; everything in
the order to start it. Run each on its node after setting the $PLACEHOLDERS listed at the top."""

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
    p.add_argument("--mode", metavar="F=M", action="append", default=[],
                   help="run feature F in mode M, e.g. spec_decoding=mtp (turns F on; repeatable)")
    p.add_argument("--kv-store", metavar="K", dest="kv_store",
                   help="wrap the strategy in a Mooncake KV-store deployment (see kv_store/)")
    p.add_argument("--instances", metavar="N", type=_positive,
                   help="vLLM instances of the KV-store deployment (default: its default_instances)")
    p.add_argument("--kv-offload", metavar="O", dest="kv_offload",
                   help="offload the KV cache with a taxonomy kv_offload option, e.g. simple")
    p.add_argument("--api-version", choices=API_VERSIONS, default=NEWEST_VERSION,
                   help=f"API edition whose rules to follow (default: {NEWEST_VERSION})")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--docker", action="store_true", help="print `docker run` forms (env as -e flags)")
    out.add_argument("--json", action="store_true", help="print the deployment as JSON (every launch)")
    out.add_argument("--as", choices=("compose", "k8s"), dest="as_file",
                     help="print it as files: docker-compose.yaml per node, or Kubernetes manifests "
                          "(Deployment, LeaderWorkerSet for several nodes) with a Service")
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
    from builder.check import load_catalog
    from builder.cli.command_output import as_files, as_json, as_text
    from builder.synth import SynthesisError, deploy, edition_named
    from builder.synth.safety import ensure_safe
    catalog = load_catalog(args.recipes)
    edition = edition_named(getattr(args, "api_version", None))
    try:
        entry, sel, notes = resolve(catalog, args, edition)
        dep = deploy(catalog, entry.recipe, sel, edition)
        ensure_safe(catalog, entry, dep)
    except (Invalid, SynthesisError) as err:
        print(f"error: {safe_text(str(err))}", file=sys.stderr)
        return 1
    shortfall = _shortfall(catalog, entry, dep)
    for note in notes + ([shortfall] if shortfall else []):
        print(f"note: {safe_text(note)}", file=sys.stderr)
    # The loader refuses control characters; escaping here as well means no path to the
    # terminal can ever carry a raw ESC or BEL (JSON output escapes them itself).
    if getattr(args, "as_file", None):
        sys.stdout.write(safe_text(as_files(dep, catalog.profile(sel.hardware), args.as_file)))
        return 0
    sys.stdout.write(as_json(entry, dep) if args.json else safe_text(as_text(entry, dep, args.docker)))
    return 0


# -- choosing ----------------------------------------------------------------------------------

def find_recipe(catalog: Catalog, hf_id: str) -> tuple[RecipeEntry, str | None]:
    """The recipe of `hf_id`, or the parent recipe and variant key of a variant checkpoint id."""
    # Exact first; then ignoring case, as Hugging Face resolves ids.
    matchers: tuple[Callable[[str], bool], ...] = (lambda x: x == hf_id, lambda x: x.casefold() == hf_id.casefold())
    for same in matchers:
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


def resolve(catalog: Catalog, args: argparse.Namespace,
            edition: Edition) -> tuple[RecipeEntry, Selection, list[str]]:
    """The entry and the selection the options ask for, plus notes on what was chosen for them."""
    from builder.synth import recommend
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
    hw = _hardware(catalog, entry, variant, args.hardware, edition)
    base = recommend(catalog, entry, variant, hw, edition)
    if base is not None and base.variant != variant:
        # Only hardware that cannot be clustered swaps variants (spec §5.4); never against an explicit ask.
        if args.variant or implied:
            raise Invalid(_no_fit(catalog, entry, variant, hw))
        notes.append(f"the default variant does not fit {hw}; using variant {base.variant}, the largest that does")
        variant = base.variant
    extra = _extras(args)
    if base is not None and not (args.strategy or args.nodes or args.feature or args.no_feature or any(extra.values())):
        return entry, base, notes  # exactly the API's recommendation
    modes = _modes(catalog, entry, variant, hw, extra["mode"])
    features = _features(entry, hw, list(args.feature) + [f for f, _ in modes], args.no_feature, variant, edition)
    sel = _layout(catalog, entry, variant, hw, base, args.strategy, args.nodes, features, edition,
                  extra["kv_store"], extra["instances"])
    sel = replace(sel, modes=modes)
    if extra["kv_offload"]:
        sel = replace(sel, kv_offload=_offload(catalog, entry, hw, sel, extra["kv_offload"]))
    return entry, sel, notes


def _extras(args: argparse.Namespace) -> dict[str, Any]:
    """The 2026-08 selections (absent when the parser predates them)."""
    return {name: getattr(args, name, None) or ([] if name == "mode" else None)
            for name in ("mode", "kv_store", "instances", "kv_offload")}


def _modes(catalog: Catalog, entry: RecipeEntry, variant: str, hw: str, asked: list[str]) -> tuple[tuple[str, str], ...]:
    from builder.synth.modes import allowed_modes
    out: list[tuple[str, str]] = []
    modal = [name for name, f in entry.recipe.features.items() if f is not None and f.modes]
    for text in asked:
        name, sep, mode = text.partition("=")
        if not sep or not mode:
            raise Invalid(f"--mode takes FEATURE=MODE, got {text!r}")
        feature = entry.recipe.features.get(name)
        if feature is None or not feature.modes:
            raise Invalid(f"feature {name!r} of {entry.hf_id} has no modes; features with modes: {_choices(modal)}")
        allowed = allowed_modes(feature, variant, hw, catalog.profile(hw))
        if mode not in allowed:
            raise Invalid(f"mode {mode!r} of {name} is not offered for variant {variant} on {hw}; "
                          f"choose one of: {_choices(allowed)}")
        out.append((name, mode))
    return tuple(out)


def _offload(catalog: Catalog, entry: RecipeEntry, hw: str, sel: Selection, name: str) -> str:
    from builder.synth.kvchoice import kv_refusal
    options = catalog.taxonomy.kv_offload
    if name not in options:
        raise Invalid(f"unknown KV offload option {name!r}; choose one of: {_choices(list(options))}")
    why = kv_refusal(catalog, entry.recipe, name, hw, sel.kv_store or sel.strategy)
    if why:
        raise Invalid(f"KV offload {name} cannot be used here: {why[0].lower() + why[1:]}")
    return name


def _kind(catalog: Catalog, strategy: str) -> str:
    spec = catalog.strategies.get(strategy)
    return spec.deploy_type if spec is not None else "single_node"


def _hardware(catalog: Catalog, entry: RecipeEntry, variant: str, asked: str | None,
              edition: Edition) -> str:
    from builder.synth import hardware_choices, hardware_list
    recipe = entry.recipe
    choices = {c.id: c for c in hardware_choices(catalog, entry, variant, edition)}
    listed = hardware_list(catalog, recipe, recipe.variants[variant], edition)
    valid = [hw for hw in listed if hw in choices and not choices[hw].incompatible]
    if not valid:
        reasons = sorted({c.incompatible for c in choices.values() if c.incompatible})
        raise Invalid(f"variant {variant} of {entry.hf_id} runs on no hardware profile: {'; '.join(reasons)}")
    if asked is None:
        return valid[0]
    if asked not in catalog.taxonomy.hardware_profiles:
        raise Invalid(f"unknown hardware {asked!r}; choose one of: {_choices(valid)}")
    if asked not in choices:
        raise Invalid(f"{asked} is a restricted profile that {entry.hf_id} does not list under meta.hardware; "
                      f"choose one of: {_choices(valid)}")
    if choices[asked].incompatible:
        raise Invalid(f"variant {variant} cannot run on {asked}: {choices[asked].incompatible}; "
                      f"choose one of: {_choices(valid)}")
    return asked


def _no_fit(catalog: Catalog, entry: RecipeEntry, variant: str, hw: str) -> str:
    from builder.synth.hardware import fits, incompatibility
    recipe, profile = entry.recipe, catalog.profile(hw)
    chosen = recipe.variants[variant]
    fitting = [k for k, v in recipe.variants.items()
               if fits(v, profile) and not incompatibility(recipe, v, hw, profile)]
    hint = f"; variants that fit: {_choices(fitting)}" if fitting else "; no variant of this recipe fits it"
    return (f"variant {variant} needs {js_str(chosen.vram_minimum_gb)} GB but {hw} has {js_str(profile.vram_gb)} GB "
            f"and cannot be clustered{hint}")


def _features(entry: RecipeEntry, hw: str, on: list[str], off: list[str], variant: str,
              edition: Edition) -> tuple[str, ...]:
    from builder.synth import default_features
    known = list(entry.recipe.features)
    for name in on + off:
        if name not in known:
            raise Invalid(f"unknown feature {name!r} for {entry.hf_id}; choose from: {_choices(known)}")
    both = sorted(set(on) & set(off))
    if both:
        raise Invalid(f"feature {both[0]} is both turned on and off")
    enabled = set(default_features(entry, hw, variant, edition)) | set(on)
    return tuple(name for name in known if name in enabled and name not in off)


def _kv_layout(catalog: Catalog, entry: RecipeEntry, variant: str, hw: str, name: str, strategy: str | None,
               nodes: int | None, features: tuple[str, ...], instances: int | None,
               edition: Edition) -> Selection:
    """A Mooncake deployment: the API's serving strategy and nodes per instance unless asked otherwise."""
    from builder.synth import strategy_choices
    from builder.synth.kvchoice import kv_refusal, store_selection
    from builder.synth.plan import PD
    kv_names = list(catalog.kv_stores)
    if not edition.kv_store:
        raise Invalid(f"KV-store deployments need API edition 2026-08 or later (asked: {edition.name})")
    if name not in catalog.kv_stores:
        raise Invalid(f"unknown KV-store deployment {name!r}; choose one of: {_choices(kv_names)}")
    why = kv_refusal(catalog, entry.recipe, name, hw, strategy or name, edition)
    if why:
        raise Invalid(f"{name} is not offered on {hw}: {why}")
    sel = store_selection(catalog, entry.recipe, variant, hw, name, strategy, nodes, features, instances)
    if isinstance(sel, str):
        usable = strategy_choices(catalog, entry, hw, variant, edition)
        serving_choices = [s for s in usable if s in catalog.strategies and _kind(catalog, s) != PD]
        raise Invalid(sel if sel.startswith("strategy") else
                      f"choose the serving strategy of {name} with --strategy, one of: {_choices(serving_choices)}")
    return sel


def _layout(catalog: Catalog, entry: RecipeEntry, variant: str, hw: str, base: Selection | None,
            strategy: str | None, nodes: int | None, features: tuple[str, ...], edition: Edition,
            kv_store: str | None = None, instances: int | None = None) -> Selection:
    """Strategy and node counts for an explicit ask, following the API's rules where it has one."""
    from builder.synth import Selection, plan_hardware, strategy_choices
    from builder.synth.plan import PD, SKIP, node_count, pd_plan, pool_sizes, recommended_strategy
    recipe, profile = entry.recipe, catalog.profile(hw)
    if strategy in catalog.kv_stores and kv_store is None:
        kv_store, strategy = strategy, None
    if kv_store is not None:
        return _kv_layout(catalog, entry, variant, hw, kv_store, strategy, nodes, features, instances, edition)
    if instances is not None:
        raise Invalid("--instances sizes a KV-store deployment; add --kv-store")
    usable = [s for s in strategy_choices(catalog, entry, hw, variant, edition) if s not in catalog.kv_stores]
    chosen = recipe.variants[variant]
    explicit = strategy is not None
    plan = plan_hardware(catalog, recipe, variant, hw, edition)
    api_nodes = {s.strategy: s.nodes for s in ([plan.recommended, *plan.alternatives] if plan else [])
                 if s.kv_store is None}
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
        pools = pd_plan(chosen, profile)
        if nodes is None and pools == SKIP:
            raise Invalid(f"variant {variant} needs more than 4 nodes per prefill/decode role on {hw}; "
                          "pass --nodes to size the pools yourself")
        n = node_count(chosen, profile, usable)
        size = nodes if nodes is not None else pool_sizes(pools, n)
        return Selection(variant, hw, strategy, n, features, size, size)
    if kind == "multi_node":
        if nodes is not None and nodes < 2:
            raise Invalid(f"strategy {strategy} spans several nodes: --nodes must be at least 2")
        default_nodes = api_nodes.get(strategy) or max(2, node_count(chosen, profile, usable))
        return Selection(variant, hw, strategy, nodes or default_nodes, features)
    if nodes not in (None, 1):
        multi = [s for s in usable if s in catalog.strategies and catalog.strategies[s].deploy_type == "multi_node"]
        raise Invalid(f"strategy {strategy} runs on one node; for {nodes} nodes choose one of: {_choices(multi)}")
    if base is not None and base.strategy == strategy:
        return replace(base, features=features)
    return Selection(variant, hw, strategy, 1, features)


def _shortfall(catalog: Catalog, entry: RecipeEntry, dep: Deployment) -> str | None:
    """The site's VRAM warning: a single-node command whose weights exceed the node's memory."""
    from builder.synth.hardware import fits
    sel = dep.selection
    variant, profile = entry.recipe.variants[sel.variant], catalog.profile(sel.hardware)
    if dep.deploy_type != "single_node" or fits(variant, profile):
        return None
    return (f"the {sel.variant} weights need {js_str(variant.vram_minimum_gb)} GB but one {sel.hardware} node has "
            f"{js_str(profile.vram_gb)} GB; this command will not fit")

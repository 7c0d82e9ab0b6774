"""API editions: the one table of rule switches between the 2026-06 and 2026-08 upstream snapshots.

An edition is a frozen value passed into synthesis and rendering; code asks `edition.<switch>`
instead of comparing version strings. `json-api.md` is the 2026-06 edition (BASE);
`json-api-2026-08.md` is the delta each switch names. Recipe keys that only exist since 2026-08
(`strategy_hardware`, `modes`, …) are read under that edition only, so the June edition renders a
newer recipe exactly as the June generator would have.
"""
from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Edition:
    name: str
    kv_store: bool
    """§1.2, §4.3a, §5.5.3, §6.15: `kv_store/` is required; kv documents and kv renderings."""
    default_variant_layers: bool
    """§6.2, §6.11: the default variant's `extra_args`/`extra_env`/exact-hardware override apply."""
    layered_overrides: bool
    """§6.5, §6.6: variant generation layer, strategy exact-hardware and PD role exact-hardware layers."""
    promote_default: bool
    """§5.6: the default variant gets its own document when its `model_id` is another checkpoint."""
    per_rank_workers: bool
    """§4.7.1, §6.3: one worker command per follower rank; `tp_dp`; DEP start rank override."""
    strategy_rules: bool
    """§5.4, §5.5, §5.7: `strategy_hardware`, GPU floors, node counts by `deploy_type`, fallback."""
    precision_hardware: bool
    """§5.2: a variant's `precision_hardware` replaces the built-in NVFP4/FP4 constraint."""
    default_hardware_rules: bool
    """§5.3: `meta.default_hardware` first; undeclared restricted profiles are not candidates."""
    feature_modes: bool
    """§6.7: `default_modes`, modal features, the feature `strategies` gate, companions."""
    tp_maps: bool
    """§6.4: hardware-keyed `tp` maps; CPU profiles are not capped at `gpu_count`."""
    docker_2026_08: bool
    """§6.13: XPU image and flags, CUDA maps yield an image, `_CONFIG_PATH`/path bind mounts."""
    pd_2026_08: bool
    """§6.12: pool modes from the effective list, `pool_modes`, snapping, router override, no `-cc`
    flag on TEP pools, per-role floors (§5.5.2)."""

    def switches(self) -> dict[str, bool]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "name"}


JUNE = Edition("2026-06", **{f.name: False for f in fields(Edition) if f.name != "name"})
AUGUST = Edition("2026-08", **{f.name: True for f in fields(Edition) if f.name != "name"})

EDITIONS = {e.name: e for e in (JUNE, AUGUST)}
NEWEST = AUGUST


def edition_named(name: str | None) -> Edition:
    """The edition for a `--api-version` / `api_version` value; None means the newest."""
    if name is None:
        return NEWEST
    try:
        return EDITIONS[name]
    except KeyError:
        raise ValueError(f'unknown API version "{name}" (known: {", ".join(EDITIONS)})') from None

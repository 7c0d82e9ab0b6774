"""Omni (any-to-any) recipes: the serve command per task and its example request (spec §2.13).

Omni recipes get no deployment matrix (no strategies, nodes or features), but each task still has
one exact command: `<serve binary> <model> <base args> [variant args] --omni`, the model being the
task's own checkpoint when it names one. The page shows one command per distinct checkpoint and
the task's own request example.
"""
from __future__ import annotations

from dataclasses import dataclass

from builder.models import Recipe
from builder.models.omni import OmniTask as OmniTaskSpec
from builder.synth.shell import finish, join_command, quote

OMNI_FLAG = "--omni"


@dataclass(frozen=True)
class OmniTask:
    id: str
    label: str
    description: str
    endpoint: str
    command: str
    """The serve command for this task, one flag per line."""
    curl: str
    vram_gb: float | None


def omni_tasks(recipe: Recipe, variant: str = "default") -> list[OmniTask]:
    """Every task of an omni recipe with its serve command (empty for other recipes)."""
    if not recipe.is_omni:
        return []
    omni = recipe.omni
    binary = (omni.serve_binary if omni and omni.serve_binary else None) or "vllm serve"
    chosen = recipe.variants.get(variant)
    extra = list(chosen.extra_args) if chosen is not None and variant != "default" else []
    _, lines = finish(tuple(str(a) for a in [*recipe.model.base_args, *extra, OMNI_FLAG]))
    out = []
    tasks: list[OmniTaskSpec | str | None] = list(omni.tasks if omni else []) or [None]
    for task in tasks:
        if isinstance(task, str) or task is None:
            tid = task or "serve"
            out.append(OmniTask(tid, tid.replace("_", " ").title(), "", "", _command(binary, recipe.model.model_id, lines),
                                "", None))
            continue
        model = task.model_id or (chosen.model_id if chosen is not None and chosen.model_id else recipe.model.model_id)
        out.append(OmniTask(task.id, task.label or task.id, task.description or "", task.endpoint or "",
                            _command(binary, model, lines), (task.curl or "").rstrip("\n"), task.vram_minimum_gb))
    return out


def _command(binary: str, model: str, lines: tuple[str, ...]) -> str:
    return join_command(f"{binary} {quote(model)}", list(lines))

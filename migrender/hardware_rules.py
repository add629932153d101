"""Rules that need the GPU catalog and the placement engine.

They answer what mig-parted would otherwise only find out on the node, hours
later, as ``nvidia.com/mig.config.state=failed``: a model or layout name that
does not exist for that GPU, a profile of another GPU, slices that do not fit.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from migrender.catalog import GpuModel, load_catalog
from migrender.geometry import Fit, fit
from migrender.layout import resolve
from migrender.problems import Problem
from migrender.rules import RuleContext, pool_path, rule, warning
from migrender.spec import NodePool


def pool_models(ctx: RuleContext) -> Iterator[tuple[NodePool, GpuModel]]:
    """Pools whose GPU the catalog knows (the others get their own error)."""
    catalog = load_catalog()
    for pool in ctx.spec.pools:
        model = catalog.lookup(pool.gpu)
        if model is not None:
            yield pool, model


def _layout_ok(pool: NodePool, model: GpuModel) -> bool:
    """Whether the pool's layout names only things the model has (so it can be resolved)."""
    if pool.layout_name is not None:
        return pool.layout_name in model.layouts
    return all(name in model.profiles for g in pool.groups for name, _ in g.slices)


@rule
def known_gpu(ctx: RuleContext) -> Iterator[Problem]:
    catalog = load_catalog()
    for pool in ctx.spec.pools:
        if catalog.lookup(pool.gpu) is None:
            close = catalog.suggest(pool.gpu)
            hint = (
                f"did you mean {' or '.join(repr(c) for c in close)}?"
                if close
                else "run `migrender catalog` for the known models"
            )
            yield ctx.doc.problem(
                pool_path(pool, "gpu"), "unknown-gpu", f"unknown GPU model '{pool.gpu}'", hint
            )


@rule
def gpu_supports_mig(ctx: RuleContext) -> Iterator[Problem]:
    for pool, model in pool_models(ctx):
        if model.mig:
            continue
        wants_mig = (
            pool.layout_name not in (None, "all-disabled")
            if not pool.is_custom
            else any(g.enabled for g in pool.groups)
        )
        if wants_mig:
            yield ctx.doc.problem(
                pool_path(pool, "gpu"),
                "no-mig",
                f"the {model.name} ({model.id}) has no MIG",
                "use mig: all-disabled, or a MIG-capable GPU (`migrender catalog`)",
            )


@rule
def known_layout(ctx: RuleContext) -> Iterator[Problem]:
    for pool, model in pool_models(ctx):
        name = pool.layout_name
        if name is None or name in model.layouts or not model.mig:
            continue
        close = difflib.get_close_matches(name, list(model.layouts), n=3, cutoff=0.6)
        hint = (
            f"did you mean {' or '.join(repr(c) for c in close)}?"
            if close
            else f"the {model.id} has: {', '.join(model.layouts)}"
        )
        yield ctx.doc.problem(
            pool_path(pool, "mig"),
            "unknown-layout",
            f"the {model.id} has no named layout '{name}'",
            hint,
        )


@rule
def known_profiles(ctx: RuleContext) -> Iterator[Problem]:
    for pool, model in pool_models(ctx):
        if not model.mig:
            continue
        for group in pool.groups:
            for name, _ in group.slices:
                if name in model.profiles:
                    continue
                close = difflib.get_close_matches(name, list(model.profiles), n=1, cutoff=0.6)
                hint = (f"did you mean '{close[0]}'? " if close else "") + (
                    f"the {model.id} offers {', '.join(model.profiles)}"
                )
                yield ctx.doc.problem(
                    pool_path(pool, "mig", group.index, "slices", name),
                    "unknown-profile",
                    f"the {model.id} has no MIG profile '{name}'",
                    hint,
                    at_key=True,
                )


@rule
def slices_fit(ctx: RuleContext) -> Iterator[Problem]:
    """Each group's slices must fit on one GPU under the real placement rules."""
    for pool, model in pool_models(ctx):
        if not model.mig or not _layout_ok(pool, model):
            continue
        for group in pool.groups:
            if not group.enabled or not group.slices:
                continue
            result = fit(model, dict(group.slices))
            here = pool_path(pool, "mig", group.index, "slices")
            if not result.ok:
                yield ctx.doc.problem(
                    here,
                    "does-not-fit",
                    f"these slices do not fit on one {model.id}: {result.reason}",
                    "see `migrender catalog " + model.id + "` for profiles and placements",
                )
            elif result.stranded_compute or result.stranded_memory:
                yield warning(
                    ctx.doc,
                    here,
                    "stranded",
                    f"this layout leaves {_stranded_text(model, result)} of each GPU unusable",
                    "no further profile fits in what is left; consider a layout that uses it",
                )


def _stranded_text(model: GpuModel, result: Fit) -> str:
    parts = []
    compute, memory = result.stranded_compute, result.stranded_memory
    if compute:
        parts.append(f"{compute} compute slice{'s' if compute != 1 else ''}")
    if memory:
        gb = memory * model.memory_gb // model.memory_slices
        parts.append(f"{memory} memory slice{'s' if memory != 1 else ''} (~{gb} GB)")
    return " and ".join(parts)


@rule
def single_strategy_named(ctx: RuleContext) -> Iterator[Problem]:
    """Under ``single``, a named layout must give every GPU one and the same profile."""
    if ctx.spec.operator.mig_strategy != "single":
        return
    for pool, model in pool_models(ctx):
        if pool.layout_name is None or pool.layout_name not in model.layouts:
            continue
        layout = model.layouts[pool.layout_name] or {}
        if len(layout) > 1:
            yield ctx.doc.problem(
                pool_path(pool, "mig"),
                "single-strategy",
                f"migStrategy single allows one profile per node; '{pool.layout_name}' "
                f"uses {', '.join(layout)}",
                "use an all-<profile> layout, or migStrategy: mixed",
            )


def offered_profiles(ctx: RuleContext) -> dict[str, list[str]]:
    """MIG profile -> ids of the models of the pools that offer it."""
    offered: dict[str, list[str]] = {}
    for pool, model in pool_models(ctx):
        if not model.mig or not _layout_ok(pool, model):
            continue
        for name in resolve(pool, model).profiles:
            models = offered.setdefault(name, [])
            if model.id not in models:
                models.append(model.id)
    return offered


@rule
def openshift_ai_profiles_offered(ctx: RuleContext) -> Iterator[Problem]:
    ai = ctx.spec.openshift_ai
    if ai is None or ai.profiles is None:
        return
    offered = offered_profiles(ctx)
    for entry in ai.profiles:
        if entry.profile in offered:
            continue
        hint = (
            f"the cluster offers {', '.join(sorted(offered))}"
            if offered
            else "no pool offers a MIG profile"
        )
        yield ctx.doc.problem(
            ("openshiftAI", "profiles", entry.index, "profile"),
            "ai-profile-not-offered",
            f"no node pool offers MIG profile '{entry.profile}'",
            hint,
        )

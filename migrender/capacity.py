"""Capacity plan: what a cluster spec offers to workloads once mig-manager has applied it.

Answers the questions a reviewer asks of a layout change before it reaches the nodes: how
many slices of each profile each pool (and the cluster) advertises, under which extended
resource name the pods must ask for them, and how much of each GPU the layout leaves
unusable. Pure: a validated :class:`ClusterSpec` in, frozen data and strings out; the CLI
does the reading and printing.

Counting rules:

* per node, a profile's slices are ``count per GPU x GPUs of the assignment``, summed over
  the pool's assignments; the pool total multiplies by the number of listed nodes (a pool
  that only names MachineSets has 0 nodes: its per-node figures apply to each node the
  MachineSet brings up);
* GPUs with MIG disabled are whole GPUs, advertised as ``nvidia.com/gpu`` with the model's
  full memory; GPUs with MIG enabled but no instances offer nothing;
* stranded capacity is :func:`migrender.geometry.fit`'s: free slices next to which no
  further instance could be created.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from migrender.catalog import Catalog, GpuModel, load_catalog
from migrender.geometry import fit
from migrender.layout import Assignment, pool_model, resolve
from migrender.naming import PROFILE_LABEL, resource_name
from migrender.spec import ClusterSpec, NodePool

__all__ = [
    "WHOLE_GPU_RESOURCE",
    "ClusterPlan",
    "GroupPlan",
    "PoolPlan",
    "ProfileCapacity",
    "ProfileTotal",
    "Stranded",
    "WholeGpuTotal",
    "WholeGpus",
    "format_plan_json",
    "format_plan_markdown",
    "format_plan_text",
    "markdown_table",
    "plan_cluster",
    "plan_to_dict",
    "text_table",
]

#: GPUs without MIG are advertised under this name whatever the strategy.
WHOLE_GPU_RESOURCE = "nvidia.com/gpu"


# ----------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Stranded:
    """Capacity no instance can use: compute slices, memory slices and that memory in GB."""

    compute: int = 0
    memory: int = 0
    memory_gb: int = 0

    def __bool__(self) -> bool:
        return bool(self.compute or self.memory)

    def times(self, n: int) -> Stranded:
        return Stranded(self.compute * n, self.memory * n, self.memory_gb * n)

    def plus(self, other: Stranded) -> Stranded:
        return Stranded(
            self.compute + other.compute,
            self.memory + other.memory,
            self.memory_gb + other.memory_gb,
        )


@dataclass(frozen=True)
class GroupPlan:
    """GPUs of a node with the same partitioning, and what each of them strands."""

    gpus: tuple[int, ...]
    enabled: bool  # MIG on
    slices: tuple[tuple[str, int], ...]  # per GPU, catalog order
    stranded: Stranded  # per GPU


@dataclass(frozen=True)
class ProfileCapacity:
    """One MIG profile in one pool."""

    profile: str
    resource: str  # under the cluster's strategy
    compute: int  # compute slices of one slice
    memory_slices: int  # memory slices of one slice
    memory_gb: int  # memory of one slice
    per_node: int
    total: int  # per_node x nodes


@dataclass(frozen=True)
class WholeGpus:
    """GPUs of a pool with MIG disabled."""

    per_node: int
    total: int
    memory_gb: int  # of one GPU
    resource: str = WHOLE_GPU_RESOURCE


@dataclass(frozen=True)
class PoolPlan:
    """Capacity of one node pool."""

    name: str
    gpu: str  # catalog model id
    gpu_name: str
    gpu_memory_gb: int  # of one GPU
    compute_slices: int  # of the model (0 without MIG)
    nodes: int
    node_names: tuple[str, ...]
    machine_sets: tuple[str, ...]
    gpus_per_node: int
    config_name: str  # nvidia.com/mig.config value
    groups: tuple[GroupPlan, ...]
    profiles: tuple[ProfileCapacity, ...]  # catalog order
    whole_gpus: WholeGpus | None
    idle_gpus_per_node: int  # MIG on, no instances
    stranded_per_node: Stranded
    stranded_total: Stranded
    notes: tuple[str, ...]


@dataclass(frozen=True)
class ProfileTotal:
    """One profile over the whole cluster; a name may come from several GPU models."""

    profile: str
    resource: str
    compute: int
    memory_gb: int
    count: int
    gpus: tuple[str, ...]  # model ids offering it


@dataclass(frozen=True)
class WholeGpuTotal:
    gpu: str
    memory_gb: int
    count: int
    resource: str = WHOLE_GPU_RESOURCE


@dataclass(frozen=True)
class ClusterPlan:
    """Capacity of one environment: its pools, then totals per profile and per resource."""

    name: str
    strategy: str
    pools: tuple[PoolPlan, ...]  # spec order
    nodes: int
    gpus: int
    profiles: tuple[ProfileTotal, ...]  # first seen, pools in spec order, catalog order within
    whole_gpus: tuple[WholeGpuTotal, ...]
    resources: tuple[tuple[str, int], ...]  # resource name -> count
    stranded: Stranded
    notes: tuple[str, ...]

    def resource(self, name: str) -> int:
        """How many of extended resource ``name`` the cluster advertises (0 if none)."""
        return dict(self.resources).get(name, 0)

    def profile(self, name: str) -> int:
        """How many slices of profile ``name`` the cluster offers (0 if none)."""
        return next((t.count for t in self.profiles if t.profile == name), 0)


# ----------------------------------------------------------------------------- planning


def plan_cluster(spec: ClusterSpec, catalog: Catalog | None = None) -> ClusterPlan:
    """The capacity plan of a spec that passed validation (unknown models raise ValueError)."""
    catalog = catalog or load_catalog()
    strategy = spec.operator.mig_strategy
    pools = tuple(_plan_pool(pool, pool_model(catalog, pool), strategy) for pool in spec.pools)

    profiles: dict[str, ProfileTotal] = {}
    whole: dict[str, WholeGpuTotal] = {}
    resources: dict[str, int] = {}
    stranded = Stranded()
    for pool in pools:
        for p in pool.profiles:
            seen = profiles.get(p.profile)
            gpus = seen.gpus if seen else ()
            profiles[p.profile] = ProfileTotal(
                profile=p.profile,
                resource=p.resource,
                compute=p.compute,
                memory_gb=p.memory_gb,
                count=(seen.count if seen else 0) + p.total,
                gpus=gpus if pool.gpu in gpus else (*gpus, pool.gpu),
            )
        if pool.whole_gpus is not None:
            w = whole.get(pool.gpu)
            whole[pool.gpu] = WholeGpuTotal(
                pool.gpu, pool.whole_gpus.memory_gb, (w.count if w else 0) + pool.whole_gpus.total
            )
        stranded = stranded.plus(pool.stranded_total)
    for t in profiles.values():
        resources[t.resource] = resources.get(t.resource, 0) + t.count
    for w in whole.values():
        resources[w.resource] = resources.get(w.resource, 0) + w.count

    notes = []
    if strategy == "single":
        notes.append(
            f"single strategy: each node advertises its MIG slices as {WHOLE_GPU_RESOURCE} "
            f"(one profile per node); pods choose a size with the node label {PROFILE_LABEL}"
        )
    return ClusterPlan(
        name=spec.name,
        strategy=strategy,
        pools=pools,
        nodes=sum(p.nodes for p in pools),
        gpus=sum(p.nodes * p.gpus_per_node for p in pools),
        profiles=tuple(profiles.values()),
        whole_gpus=tuple(whole.values()),
        resources=tuple(resources.items()),
        stranded=stranded,
        notes=tuple(notes),
    )


def _stranded(model: GpuModel, a: Assignment) -> Stranded:
    if not a.enabled:
        return Stranded()
    result = fit(model, dict(a.slices))
    if not result.ok:  # validation refuses this too
        raise ValueError(f"{model.id}: slices {dict(a.slices)} do not fit: {result.reason}")
    memory = result.stranded_memory
    return Stranded(
        result.stranded_compute, memory, memory * model.memory_gb // model.memory_slices
    )


def _plan_pool(pool: NodePool, model: GpuModel, strategy: str) -> PoolPlan:
    layout = resolve(pool, model)
    nodes = len(pool.nodes)
    groups = tuple(
        GroupPlan(a.gpus, a.enabled, a.slices if a.enabled else (), _stranded(model, a))
        for a in layout.assignments
    )
    per_node: dict[str, int] = {}
    whole = idle = 0
    stranded = Stranded()
    for g in groups:
        if not g.enabled:
            whole += len(g.gpus)
        elif not g.slices:
            idle += len(g.gpus)
        for name, count in g.slices:
            per_node[name] = per_node.get(name, 0) + count * len(g.gpus)
        stranded = stranded.plus(g.stranded.times(len(g.gpus)))
    profiles = tuple(
        ProfileCapacity(
            profile=p.name,
            resource=resource_name(strategy, p.name),
            compute=p.compute,
            memory_slices=p.memory,
            memory_gb=p.memory_gb,
            per_node=per_node[p.name],
            total=per_node[p.name] * nodes,
        )
        for p in model.profiles.values()
        if p.name in per_node
    )
    notes = []
    if not nodes:
        where = ", ".join(pool.machine_sets) or "none"
        notes.append(
            f"no nodes listed (MachineSets: {where}): the pool counts 0 nodes; "
            "per-node figures apply to each node a MachineSet adds"
        )
    if idle:
        notes.append(
            f"{idle} GPU{_s(idle)} per node with MIG enabled and no instances offer nothing"
        )
    return PoolPlan(
        name=pool.name,
        gpu=model.id,
        gpu_name=model.name,
        gpu_memory_gb=model.memory_gb,
        compute_slices=model.compute_slices,
        nodes=nodes,
        node_names=pool.nodes,
        machine_sets=pool.machine_sets,
        gpus_per_node=pool.gpus_per_node,
        config_name=layout.config_name,
        groups=groups,
        profiles=profiles,
        whole_gpus=WholeGpus(whole, whole * nodes, model.memory_gb) if whole else None,
        idle_gpus_per_node=idle,
        stranded_per_node=stranded,
        stranded_total=stranded.times(nodes),
        notes=tuple(notes),
    )


# ----------------------------------------------------------------------------- tables


def text_table(
    headers: Sequence[str], rows: Iterable[Sequence[str]], align: str = "", indent: str = ""
) -> list[str]:
    """Lines of a plain aligned table; ``align`` holds ``l``/``r`` per column (default l)."""
    body = [list(map(str, r)) for r in rows]
    widths = [max(len(str(c)) for c in col) for col in zip(headers, *body, strict=False)]
    lines = []
    for row in [list(headers), *body]:
        cells = [
            c.rjust(w) if align[i : i + 1] == "r" else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append((indent + "  ".join(cells)).rstrip())
    return lines


def markdown_table(
    headers: Sequence[str], rows: Iterable[Sequence[str]], align: str = ""
) -> list[str]:
    """Lines of a GitHub-flavoured markdown table; ``r`` in ``align`` right-aligns a column."""

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"

    rule = ["---:" if align[i : i + 1] == "r" else "---" for i in range(len(headers))]
    return [line(headers), "| " + " | ".join(rule) + " |", *(line(r) for r in rows)]


# ----------------------------------------------------------------------------- wording


def _s(n: int) -> str:
    return "" if n == 1 else "s"


def _gpu_list(gpus: Sequence[int]) -> str:
    """``0-3,6`` for GPU indices 0, 1, 2, 3 and 6."""
    parts: list[str] = []
    i = 0
    while i < len(gpus):
        j = i
        while j + 1 < len(gpus) and gpus[j + 1] == gpus[j] + 1:
            j += 1
        parts.append(str(gpus[i]) if i == j else f"{gpus[i]}-{gpus[j]}")
        i = j + 1
    return ",".join(parts)


def _stranded_text(s: Stranded) -> str:
    if not s:
        return "none"
    parts = []
    if s.compute:
        parts.append(f"{s.compute} compute slice{_s(s.compute)}")
    if s.memory:
        parts.append(f"{s.memory} memory slice{_s(s.memory)} ({s.memory_gb} GB)")
    return " + ".join(parts)


def _group_text(g: GroupPlan, memory_gb: int) -> str:
    if not g.enabled:
        return f"MIG off: whole GPU ({memory_gb} GB)"
    if not g.slices:
        return "MIG on, no instances"
    return ", ".join(f"{count} x {name}" for name, count in g.slices)


def _pool_heading(p: PoolPlan) -> str:
    nodes = f"{p.nodes} node{_s(p.nodes)}"
    return (
        f"{p.gpu} ({p.gpu_name}), {nodes} x {p.gpus_per_node} GPU{_s(p.gpus_per_node)}, "
        f"config {p.config_name}"
    )


def _compute(compute: int, of: int) -> str:
    return f"{compute}/{of}" if of else "all"


def _pool_rows(p: PoolPlan) -> list[list[str]]:
    rows = [
        [
            c.profile,
            c.resource,
            _compute(c.compute, p.compute_slices),
            f"{c.memory_gb} GB",
            str(c.per_node),
            str(c.total),
        ]
        for c in p.profiles
    ]
    if p.whole_gpus is not None:
        w = p.whole_gpus
        rows.append(
            [
                "whole GPU",
                w.resource,
                _compute(p.compute_slices, p.compute_slices),
                f"{w.memory_gb} GB",
                str(w.per_node),
                str(w.total),
            ]
        )
    return rows


def _total_rows(plan: ClusterPlan) -> list[list[str]]:
    rows = [
        [t.profile, t.resource, ", ".join(t.gpus), f"{t.memory_gb} GB", str(t.count)]
        for t in plan.profiles
    ]
    rows += [
        ["whole GPU", w.resource, w.gpu, f"{w.memory_gb} GB", str(w.count)] for w in plan.whole_gpus
    ]
    return rows


def _strategy_line(plan: ClusterPlan) -> str:
    if plan.strategy == "single":
        return plan.notes[0]
    return (
        "mixed strategy: each MIG slice is advertised as nvidia.com/mig-<profile>, "
        f"GPUs with MIG off as {WHOLE_GPU_RESOURCE}"
    )


_POOL_HEADERS = ("profile", "resource", "compute", "memory", "per node", "pool total")
_POOL_ALIGN = "llrrrr"
_GROUP_HEADERS = ("GPUs", "per GPU", "stranded per GPU")
_TOTAL_HEADERS = ("profile", "resource", "GPU", "memory", "count")
_TOTAL_ALIGN = "lllrr"


# ----------------------------------------------------------------------------- formatters


def format_plan_text(plans: Sequence[ClusterPlan]) -> str:
    """Aligned plain-text tables, one block per environment: pools, then cluster totals."""
    blocks = []
    for plan in plans:
        out = [f"{plan.name} (migStrategy: {plan.strategy})", f"  {_strategy_line(plan)}"]
        for p in plan.pools:
            out += ["", f"  pool {p.name}: {_pool_heading(p)}"]
            out += text_table(
                _GROUP_HEADERS,
                (
                    [_gpu_list(g.gpus), _group_text(g, p.gpu_memory_gb), _stranded_text(g.stranded)]
                    for g in p.groups
                ),
                indent="    ",
            )
            out.append("")
            rows = _pool_rows(p)
            if rows:
                out += text_table(_POOL_HEADERS, rows, _POOL_ALIGN, indent="    ")
            else:
                out.append("    offers no GPU resources")
            out.append(f"    stranded per node: {_stranded_text(p.stranded_per_node)}")
            out += [f"    note: {n}" for n in p.notes]
        out += ["", f"  cluster: {plan.nodes} node{_s(plan.nodes)}, {plan.gpus} GPU{_s(plan.gpus)}"]
        rows = _total_rows(plan)
        if rows:
            out += text_table(_TOTAL_HEADERS, rows, _TOTAL_ALIGN, indent="    ")
            out.append("")
            out += text_table(
                ("resource", "count"), ([r, str(n)] for r, n in plan.resources), "lr", "    "
            )
        else:
            out.append("    offers no GPU resources")
        out.append(f"    stranded: {_stranded_text(plan.stranded)}")
        blocks.append("\n".join(out))
    return "\n\n".join(blocks) + "\n" if blocks else ""


def format_plan_markdown(plans: Sequence[ClusterPlan]) -> str:
    """GitHub-flavoured markdown for a pull-request comment, one section per environment."""
    blocks = []
    for plan in plans:
        out = [f"### `{plan.name}` (migStrategy: {plan.strategy})", "", _strategy_line(plan)]
        for p in plan.pools:
            out += ["", f"#### Pool `{p.name}`", "", _pool_heading(p), ""]
            out += markdown_table(
                _GROUP_HEADERS,
                (
                    [_gpu_list(g.gpus), _group_text(g, p.gpu_memory_gb), _stranded_text(g.stranded)]
                    for g in p.groups
                ),
            )
            rows = _pool_rows(p)
            if rows:
                out += ["", *markdown_table(_POOL_HEADERS, rows, _POOL_ALIGN)]
            out += ["", f"Stranded per node: {_stranded_text(p.stranded_per_node)}"]
            out += [f"\n> {n}" for n in p.notes]
        out += ["", f"#### Cluster: {plan.nodes} node{_s(plan.nodes)}, {plan.gpus} GPUs", ""]
        rows = _total_rows(plan)
        if rows:
            out += markdown_table(_TOTAL_HEADERS, rows, _TOTAL_ALIGN)
            out += ["", *markdown_table(("resource", "count"), plan.resources, "lr")]
        else:
            out.append("No GPU resources offered.")
        out += ["", f"Stranded: {_stranded_text(plan.stranded)}"]
        blocks.append("\n".join(out))
    return "\n\n".join(blocks) + "\n" if blocks else ""


def _stranded_json(s: Stranded) -> dict[str, int]:
    return {"compute_slices": s.compute, "memory_slices": s.memory, "memory_gb": s.memory_gb}


def _pool_json(p: PoolPlan) -> dict[str, Any]:
    return {
        "name": p.name,
        "gpu": p.gpu,
        "gpu_name": p.gpu_name,
        "gpu_memory_gb": p.gpu_memory_gb,
        "nodes": p.nodes,
        "node_names": list(p.node_names),
        "machine_sets": list(p.machine_sets),
        "gpus_per_node": p.gpus_per_node,
        "config": p.config_name,
        "gpu_groups": [
            {
                "gpus": list(g.gpus),
                "mig": g.enabled,
                "slices_per_gpu": dict(g.slices),
                "stranded_per_gpu": _stranded_json(g.stranded),
            }
            for g in p.groups
        ],
        "profiles": {
            c.profile: {
                "resource": c.resource,
                "compute_slices": c.compute,
                "memory_slices": c.memory_slices,
                "memory_gb": c.memory_gb,
                "per_node": c.per_node,
                "total": c.total,
            }
            for c in p.profiles
        },
        "whole_gpus": None
        if p.whole_gpus is None
        else {
            "resource": p.whole_gpus.resource,
            "memory_gb": p.whole_gpus.memory_gb,
            "per_node": p.whole_gpus.per_node,
            "total": p.whole_gpus.total,
        },
        "idle_gpus_per_node": p.idle_gpus_per_node,
        "stranded_per_node": _stranded_json(p.stranded_per_node),
        "stranded_total": _stranded_json(p.stranded_total),
        "notes": list(p.notes),
    }


def plan_to_dict(plan: ClusterPlan) -> dict[str, Any]:
    """The JSON form of one environment's plan (key order is part of the output format)."""
    return {
        "name": plan.name,
        "strategy": plan.strategy,
        "pools": [_pool_json(p) for p in plan.pools],
        "totals": {
            "nodes": plan.nodes,
            "gpus": plan.gpus,
            "resources": dict(plan.resources),
            "profiles": {
                t.profile: {
                    "resource": t.resource,
                    "compute_slices": t.compute,
                    "memory_gb": t.memory_gb,
                    "count": t.count,
                    "gpus": list(t.gpus),
                }
                for t in plan.profiles
            },
            "whole_gpus": [
                {"gpu": w.gpu, "resource": w.resource, "memory_gb": w.memory_gb, "count": w.count}
                for w in plan.whole_gpus
            ],
            "stranded": _stranded_json(plan.stranded),
        },
        "notes": list(plan.notes),
    }


def format_plan_json(plans: Sequence[ClusterPlan]) -> str:
    """A JSON list of environments, indent 2, trailing newline."""
    return json.dumps([plan_to_dict(p) for p in plans], indent=2, ensure_ascii=False) + "\n"

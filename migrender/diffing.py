"""What a spec change does to the clusters: the review view of a pull request.

A diff of cluster.yaml shows text; a reviewer needs its consequences: which nodes get a new
``nvidia.com/mig.config`` (mig-manager drains their GPU work and repartitions them), which
nodes join or leave pools, how many slices of each profile the cluster gains or loses, and
which operator settings change. Pure: two mappings of environment name to
:class:`ClusterSpec` (``None`` for a spec that is invalid on that side) in, frozen data and
strings out; the CLI reads git and the working tree.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from migrender.capacity import WHOLE_GPU_RESOURCE, markdown_table, plan_cluster
from migrender.model import MIG_CONFIG_LABEL, PROFILE_LABEL, build_model
from migrender.spec import ClusterSpec
from migrender.validate import SpecResult

__all__ = [
    "ADDED",
    "CHANGED",
    "REMOVED",
    "UNCHANGED",
    "CapacityChange",
    "EnvDiff",
    "LabelChange",
    "Membership",
    "SettingChange",
    "compare",
    "diff_to_dict",
    "format_diff_json",
    "format_diff_markdown",
    "format_diff_text",
    "specs_by_name",
]

ADDED, REMOVED, CHANGED, UNCHANGED = "added", "removed", "changed", "unchanged"
WHOLE_GPU = "whole GPU"

# ----------------------------------------------------------------------------- data


@dataclass(frozen=True)
class LabelChange:
    """A Node or MachineSet present on both sides whose mig.config value changes."""

    kind: str  # Node | MachineSet
    name: str
    pool: str  # after the change
    before: str
    after: str


@dataclass(frozen=True)
class Membership:
    """A Node or MachineSet that joins, leaves or moves between pools."""

    kind: str
    name: str
    change: str  # added | removed | moved
    pool_before: str | None
    pool_after: str | None
    config: str  # the label it gets (added, moved) or keeps (removed)


@dataclass(frozen=True)
class CapacityChange:
    """Cluster total of one profile under one resource name, before and after."""

    profile: str
    resource: str
    before: int
    after: int

    @property
    def delta(self) -> int:
        return self.after - self.before


@dataclass(frozen=True)
class SettingChange:
    """A GPU Operator setting (named as in the spec) before and after; None: absent."""

    setting: str
    before: str | bool | None
    after: str | bool | None


@dataclass(frozen=True)
class EnvDiff:
    """Everything that changes in one environment."""

    name: str
    status: str  # added | removed | changed | unchanged
    base_invalid: bool  # invalid at the base: compared as if absent
    head_invalid: bool
    reconfigured: tuple[LabelChange, ...]
    membership: tuple[Membership, ...]
    capacity: tuple[CapacityChange, ...]
    operator: tuple[SettingChange, ...]
    other: tuple[str, ...]  # other top-level sections that changed
    notes: tuple[str, ...]
    with_reboot: bool  # mig-manager reboots reconfigured nodes (after the change)


# ----------------------------------------------------------------------------- comparing


def specs_by_name(results: Iterable[SpecResult]) -> dict[str, ClusterSpec | None]:
    """Environment name -> spec, None for an invalid one.

    An invalid spec is named by its ``metadata.name`` when that can still be read, else by
    its folder (environments/<name>/cluster.yaml), so it still lines up with the other side.
    A name used twice keeps its first valid spec (validation reports the duplicate).
    """
    found: dict[str, ClusterSpec | None] = {}
    for r in results:
        if r.ok and r.spec is not None:
            if found.get(r.spec.name) is None:
                found[r.spec.name] = r.spec
            continue
        found.setdefault(_invalid_name(r), None)
    return found


def _invalid_name(r: SpecResult) -> str:
    if r.spec is not None:
        return r.spec.name
    data = r.doc.data if r.doc is not None else None
    meta = data.get("metadata") if isinstance(data, dict) else None
    name = meta.get("name") if isinstance(meta, dict) else None
    if isinstance(name, str) and name:
        return name
    return PurePosixPath(r.path.rsplit(":", 1)[-1]).parent.name or r.path


def compare(
    before: Mapping[str, ClusterSpec | None], after: Mapping[str, ClusterSpec | None]
) -> list[EnvDiff]:
    """One EnvDiff per environment named on either side, sorted by name."""
    return [
        _compare_env(
            name,
            before.get(name),
            after.get(name),
            present=(name in before, name in after),
        )
        for name in sorted(set(before) | set(after))
    ]


def _targets(spec: ClusterSpec | None) -> dict[tuple[str, str], tuple[str, str]]:
    """(kind, name) -> (pool, mig.config value) of every labelled Node and MachineSet."""
    if spec is None:
        return {}
    model = build_model(spec)
    out = {}
    for kind, targets in (("Node", model.nodes), ("MachineSet", model.machine_sets)):
        for t in targets:
            out[(kind, t.name)] = (t.pool, dict(t.labels)[MIG_CONFIG_LABEL])
    return out


def _kind_order(key: tuple[str, str]) -> tuple[int, str]:
    return (0 if key[0] == "Node" else 1, key[1])


def _labels(
    before: ClusterSpec | None, after: ClusterSpec | None
) -> tuple[tuple[LabelChange, ...], tuple[Membership, ...]]:
    old, new = _targets(before), _targets(after)
    changes: list[LabelChange] = []
    members: list[Membership] = []
    for key in sorted(set(old) | set(new), key=_kind_order):
        kind, name = key
        if key not in old:
            pool, config = new[key]
            members.append(Membership(kind, name, "added", None, pool, config))
        elif key not in new:
            pool, config = old[key]
            members.append(Membership(kind, name, "removed", pool, None, config))
        else:
            (pool_b, config_b), (pool_a, config_a) = old[key], new[key]
            if config_b != config_a:
                changes.append(LabelChange(kind, name, pool_a, config_b, config_a))
            if pool_b != pool_a:
                members.append(Membership(kind, name, "moved", pool_b, pool_a, config_a))
    return tuple(changes), tuple(members)


def _totals(spec: ClusterSpec | None) -> dict[tuple[str, str], int]:
    """(profile, resource) -> cluster total; whole GPUs count as profile 'whole GPU'."""
    if spec is None:
        return {}
    plan = plan_cluster(spec)
    totals = {(t.profile, t.resource): t.count for t in plan.profiles}
    for w in plan.whole_gpus:
        key = (WHOLE_GPU, w.resource)
        totals[key] = totals.get(key, 0) + w.count
    return totals


def _capacity(before: ClusterSpec | None, after: ClusterSpec | None) -> tuple[CapacityChange, ...]:
    old, new = _totals(before), _totals(after)
    keys = list(new) + [k for k in old if k not in new]
    return tuple(
        CapacityChange(profile, resource, old.get((profile, resource), 0), count)
        for profile, resource in keys
        if (count := new.get((profile, resource), 0)) != old.get((profile, resource), 0)
    )


def _settings(spec: ClusterSpec | None) -> dict[str, str | bool | None]:
    op = spec.operator if spec is not None else None
    return {
        "version": op.version if op else None,
        "install": op.install if op else None,
        "migStrategy": op.mig_strategy if op else None,
        "namespace": op.namespace if op else None,
        "withReboot": op.with_reboot if op else None,
        "chart.repository": op.chart_repository if op else None,
    }


def _operator(before: ClusterSpec | None, after: ClusterSpec | None) -> tuple[SettingChange, ...]:
    old, new = _settings(before), _settings(after)
    return tuple(SettingChange(k, old[k], new[k]) for k in old if old[k] != new[k])


_OTHER = (
    ("platform", "platform"),
    ("gitops", "gitops"),
    ("repository", "repository"),
    ("argocd", "argocd"),
    ("flux", "flux"),
    ("openshift_ai", "openshiftAI"),
)


def _other(before: ClusterSpec | None, after: ClusterSpec | None) -> tuple[str, ...]:
    if before is None or after is None:
        return ()
    return tuple(key for attr, key in _OTHER if getattr(before, attr) != getattr(after, attr))


def _strategy_note(old: str, new: str) -> str:
    now = (
        f"{WHOLE_GPU_RESOURCE} (one profile per node, told apart by the node label {PROFILE_LABEL})"
        if new == "single"
        else "nvidia.com/mig-<profile>"
    )
    return (
        f"migStrategy {old} -> {new} changes the resource name of every MIG slice: "
        f"they are now advertised as {now}; workloads and OpenShift AI profiles that "
        "request the old names no longer schedule"
    )


def _compare_env(
    name: str,
    before: ClusterSpec | None,
    after: ClusterSpec | None,
    present: tuple[bool, bool],
) -> EnvDiff:
    """Present but invalid on a side (spec None) is compared as absent there, but keeps
    its status: an environment invalid at the base and valid now is changed, not added."""
    present_before, present_after = present
    reconfigured, membership = _labels(before, after)
    capacity = _capacity(before, after)
    operator = _operator(before, after)
    other = _other(before, after)
    notes = []
    if before is not None and after is not None:
        old, new = before.operator.mig_strategy, after.operator.mig_strategy
        if old != new:
            notes.append(_strategy_note(old, new))
    if any(m.change == "removed" and m.kind == "Node" for m in membership):
        notes.append(
            "nodes removed from the spec keep their current nvidia.com/mig.config label "
            "(migrender's label objects are never pruned); relabel them by hand if needed"
        )
    if not present_before:
        status = ADDED
    elif not present_after:
        status = REMOVED
    elif reconfigured or membership or capacity or operator or other:
        status = CHANGED
    else:
        status = UNCHANGED
    return EnvDiff(
        name=name,
        status=status,
        base_invalid=present_before and before is None,
        head_invalid=present_after and after is None,
        reconfigured=reconfigured,
        membership=membership,
        capacity=capacity,
        operator=operator,
        other=other,
        notes=tuple(notes),
        with_reboot=after.operator.with_reboot if after is not None else False,
    )


# ----------------------------------------------------------------------------- wording


def _value(v: str | bool | None) -> str:
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "true" if v else "false"
    return v


def _signed(n: int) -> str:
    return f"+{n}" if n > 0 else str(n)


def _status(d: EnvDiff, base: str) -> str:
    why = []
    if d.base_invalid:
        why.append(f"invalid at {base}" + ("; compared as if absent there" * (d.status == CHANGED)))
    elif d.status == ADDED:
        why.append(f"not at {base}")
    if d.head_invalid:
        why.append("invalid in the working tree")
    elif d.status == REMOVED:
        why.append("not in the working tree")
    return f"{d.status} ({'; '.join(why)})" if why else d.status


def _drain_text(d: EnvDiff) -> str:
    reboot = ", reboots them" if d.with_reboot else ""
    text = (
        f"New {MIG_CONFIG_LABEL}: mig-manager drains GPU work from these nodes{reboot} and "
        "repartitions their GPUs"
    )
    if any(c.kind == "MachineSet" for c in d.reconfigured):
        text += "; the nodes a MachineSet adds from now on come up with the new layout"
    return text


def _member_text(m: Membership) -> str:
    if m.change == "added":
        return f"added to pool {m.pool_after}, labelled {m.config}"
    if m.change == "removed":
        return f"removed from pool {m.pool_before}, keeps {m.config}"
    return f"moved from pool {m.pool_before} to {m.pool_after}"


def _summary(diffs: Sequence[EnvDiff]) -> str:
    counts = {s: sum(d.status == s for d in diffs) for s in (CHANGED, ADDED, REMOVED, UNCHANGED)}
    parts = [f"{n} {s}" for s, n in counts.items() if n]
    return ", ".join(parts) if parts else "no environments"


def format_diff_text(diffs: Sequence[EnvDiff], base: str) -> str:
    """Plain text: a summary line, then one block per environment."""
    out = [f"Changes against {base}: {_summary(diffs)}"]
    for d in diffs:
        out += ["", f"{d.name}: {_status(d, base)}"]
        if d.reconfigured:
            out.append(f"  {_drain_text(d)}:")
            out += [
                f"    {c.kind} {c.name} (pool {c.pool}): {c.before} -> {c.after}"
                for c in d.reconfigured
            ]
        if d.membership:
            out.append("  Pool membership:")
            out += [f"    {m.kind} {m.name}: {_member_text(m)}" for m in d.membership]
        if d.capacity:
            out.append("  Capacity (cluster totals):")
            out += [
                f"    {c.resource} ({c.profile}): {c.before} -> {c.after} ({_signed(c.delta)})"
                for c in d.capacity
            ]
        if d.operator:
            out.append("  GPU Operator:")
            out += [f"    {s.setting}: {_value(s.before)} -> {_value(s.after)}" for s in d.operator]
        if d.other:
            out.append(f"  Also changed: {', '.join(d.other)}")
        out += [f"  note: {n}" for n in d.notes]
    return "\n".join(out) + "\n"


def format_diff_markdown(diffs: Sequence[EnvDiff], base: str) -> str:
    """GitHub-flavoured markdown for a pull-request comment: a section per changed environment."""
    out = [f"## MIG layout changes against `{base}`", "", f"{_summary(diffs).capitalize()}."]
    for d in diffs:
        if d.status == UNCHANGED and not (d.base_invalid or d.head_invalid):
            continue
        out += ["", f"### `{d.name}`: {_status(d, base)}"]
        if d.reconfigured:
            out += ["", f"**Reconfigured.** {_drain_text(d)}.", ""]
            out += markdown_table(
                ("kind", "name", "pool", "from", "to"),
                (
                    [c.kind, f"`{c.name}`", c.pool, f"`{c.before}`", f"`{c.after}`"]
                    for c in d.reconfigured
                ),
            )
        if d.membership:
            out += ["", "**Pool membership**", ""]
            out += markdown_table(
                ("kind", "name", "change", "pool", "mig.config"),
                (
                    [
                        m.kind,
                        f"`{m.name}`",
                        m.change,
                        " -> ".join(p for p in (m.pool_before, m.pool_after) if p),
                        f"`{m.config}`",
                    ]
                    for m in d.membership
                ),
            )
        if d.capacity:
            out += ["", "**Capacity** (cluster totals)", ""]
            out += markdown_table(
                ("profile", "resource", "before", "after", "change"),
                (
                    [c.profile, f"`{c.resource}`", str(c.before), str(c.after), _signed(c.delta)]
                    for c in d.capacity
                ),
                "llrrr",
            )
        if d.operator:
            out += ["", "**GPU Operator**", ""]
            out += markdown_table(
                ("setting", "before", "after"),
                ([s.setting, _value(s.before), _value(s.after)] for s in d.operator),
            )
        if d.other:
            out += ["", f"Also changed: {', '.join(d.other)}."]
        out += [f"\n> **Note:** {n}." for n in d.notes]
    unchanged = [
        d.name for d in diffs if d.status == UNCHANGED and not (d.base_invalid or d.head_invalid)
    ]
    if unchanged:
        out += ["", "Unchanged: " + ", ".join(f"`{n}`" for n in unchanged) + "."]
    return "\n".join(out) + "\n"


def diff_to_dict(d: EnvDiff) -> dict[str, Any]:
    """The JSON form of one environment's diff (key order is part of the output format)."""
    return {
        "name": d.name,
        "status": d.status,
        "base_invalid": d.base_invalid,
        "reconfigured": [
            {"kind": c.kind, "name": c.name, "pool": c.pool, "from": c.before, "to": c.after}
            for c in d.reconfigured
        ],
        "membership": [
            {
                "kind": m.kind,
                "name": m.name,
                "change": m.change,
                "from_pool": m.pool_before,
                "to_pool": m.pool_after,
                "config": m.config,
            }
            for m in d.membership
        ],
        "capacity": [
            {"profile": c.profile, "resource": c.resource, "before": c.before, "after": c.after}
            for c in d.capacity
        ],
        "operator": [
            {"setting": s.setting, "before": s.before, "after": s.after} for s in d.operator
        ],
        "other": list(d.other),
        "notes": list(d.notes),
    }


def format_diff_json(diffs: Sequence[EnvDiff]) -> str:
    """A JSON list of environments, indent 2, trailing newline."""
    return json.dumps([diff_to_dict(d) for d in diffs], indent=2, ensure_ascii=False) + "\n"

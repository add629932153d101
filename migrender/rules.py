"""The rules a schema cannot express, one small function each.

Every rule takes a :class:`RuleContext` (the positioned document and the
normalised spec) and yields problems. Rules are registered in order with the
``@rule`` decorator; the hardware rules, which need the GPU catalog, register
the same way from :mod:`migrender.hardware_rules`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from migrender.problems import Problem, Severity
from migrender.source import Document, odd_characters
from migrender.spec import ClusterSpec, NodePool
from migrender.versions import OPERATOR_RANGE_TEXT, RHOAI_MAJORS, operator_supported


@dataclass(frozen=True)
class RuleContext:
    doc: Document
    spec: ClusterSpec


Rule = Callable[[RuleContext], Iterable[Problem]]
RULES: list[Rule] = []


def rule(fn: Rule) -> Rule:
    RULES.append(fn)
    return fn


def run_rules(ctx: RuleContext) -> list[Problem]:
    return [problem for check in RULES for problem in check(ctx)]


def pool_path(pool: NodePool, *rest: str | int) -> tuple[str | int, ...]:
    return ("nodePools", pool.index, *rest)


# A Node or MachineSet name: a DNS-1123 subdomain.
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def dns_subdomain_error(name: str) -> str:
    """Why ``name`` is not a DNS-1123 subdomain, or '' when it is one."""
    if len(name) > 253:
        return f"is {len(name)} characters long, over 253"
    if not _DNS_SUBDOMAIN.match(name):
        odd = odd_characters(name)
        return "is not a DNS-1123 subdomain" + (f": it contains {odd}" if odd else "")
    if any(len(label) > 63 for label in name.split(".")):
        return "has a dot-separated part over 63 characters"
    return ""


_SUBDOMAIN_HINT = (
    "use lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, "
    "as `kubectl get nodes` prints it"
)


@rule
def duplicate_pool_names(ctx: RuleContext) -> Iterator[Problem]:
    seen: dict[str, NodePool] = {}
    for pool in ctx.spec.pools:
        first = seen.setdefault(pool.name, pool)
        if first is not pool:
            line, _ = ctx.doc.position(pool_path(first, "name"))
            yield ctx.doc.problem(
                pool_path(pool, "name"),
                "duplicate-pool",
                f"pool name '{pool.name}' is already used by nodePools[{first.index}] "
                f"(line {line})",
                "give every pool its own name",
            )


@rule
def node_names(ctx: RuleContext) -> Iterator[Problem]:
    """Node and MachineSet names must be names Kubernetes accepts."""
    for pool in ctx.spec.pools:
        for field, names, what in (
            ("nodes", pool.nodes, "node"),
            ("machineSets", pool.machine_sets, "MachineSet"),
        ):
            for i, name in enumerate(names):
                why = dns_subdomain_error(name)
                if why:
                    yield ctx.doc.problem(
                        pool_path(pool, field, i),
                        "name",
                        f"{what} name {name!r} {why}",
                        _SUBDOMAIN_HINT,
                    )


@rule
def nodes_in_one_pool(ctx: RuleContext) -> Iterator[Problem]:
    """A node gets one nvidia.com/mig.config label, so it belongs to one pool."""
    for field, what in (("nodes", "node"), ("machineSets", "MachineSet")):
        owner: dict[str, tuple[NodePool, int]] = {}
        for pool in ctx.spec.pools:
            names = pool.nodes if field == "nodes" else pool.machine_sets
            for i, name in enumerate(names):
                first = owner.setdefault(name, (pool, i))
                if first == (pool, i):
                    continue
                first_pool, first_i = first
                line, _ = ctx.doc.position(pool_path(first_pool, field, first_i))
                where = (
                    "listed twice in this pool"
                    if first_pool is pool
                    else f"already in pool '{first_pool.name}'"
                )
                yield ctx.doc.problem(
                    pool_path(pool, field, i),
                    f"duplicate-{what.lower()}",
                    f"{what} '{name}' is {where} (line {line})",
                    f"a {what} carries one MIG layout; list it in one pool only",
                )


@rule
def pool_has_targets(ctx: RuleContext) -> Iterator[Problem]:
    for pool in ctx.spec.pools:
        if not pool.nodes and not pool.machine_sets:
            yield ctx.doc.problem(
                pool_path(pool),
                "empty-pool",
                f"pool '{pool.name}' lists no nodes and no machineSets",
                "list the Node names that get this layout under nodes",
            )


@rule
def machine_sets_need_openshift(ctx: RuleContext) -> Iterator[Problem]:
    if ctx.spec.platform == "openshift":
        return
    for pool in ctx.spec.pools:
        if pool.machine_sets:
            yield ctx.doc.problem(
                pool_path(pool, "machineSets"),
                "platform",
                "machineSets are an OpenShift feature",
                "remove machineSets or set platform: openshift",
                at_key=True,
            )


@rule
def gpu_indices(ctx: RuleContext) -> Iterator[Problem]:
    """A custom layout names every GPU index 0..gpusPerNode-1 exactly once."""
    for pool in ctx.spec.pools:
        if not pool.is_custom:
            continue
        count = pool.gpus_per_node
        seen: dict[int, tuple[int, int]] = {}
        for group in pool.groups:
            for i, gpu in enumerate(group.gpus):
                here = pool_path(pool, "mig", group.index, "gpus", i)
                if gpu >= count:
                    yield ctx.doc.problem(
                        here,
                        "gpu-index",
                        f"GPU index {gpu} is out of range for gpusPerNode: {count}",
                        f"use indices 0 to {count - 1}",
                    )
                    continue
                first = seen.setdefault(gpu, (group.index, i))
                if first != (group.index, i):
                    line, _ = ctx.doc.position(pool_path(pool, "mig", first[0], "gpus", first[1]))
                    yield ctx.doc.problem(
                        here,
                        "gpu-index",
                        f"GPU index {gpu} is already listed (line {line})",
                        "every GPU index appears in exactly one group",
                    )
        missing = [i for i in range(count) if i not in seen]
        if missing:
            yield ctx.doc.problem(
                pool_path(pool, "mig"),
                "gpu-index",
                f"GPU {'indices' if len(missing) > 1 else 'index'} "
                f"{', '.join(map(str, missing))} of pool '{pool.name}' "
                f"{'are' if len(missing) > 1 else 'is'} in no group",
                "mig-parted leaves unlisted GPUs as they are; add them to a group "
                "(enabled: false keeps them whole)",
            )


@rule
def group_slices(ctx: RuleContext) -> Iterator[Problem]:
    """A group with MIG on lists slices; a group with MIG off lists none."""
    for pool in ctx.spec.pools:
        for group in pool.groups:
            here = pool_path(pool, "mig", group.index)
            if group.enabled and not group.slices:
                yield ctx.doc.problem(
                    here,
                    "group-slices",
                    "group enables MIG but lists no slices",
                    "add slices such as {1g.10gb: 7}, or set enabled: false to keep the GPUs whole",
                )
            elif not group.enabled and group.slices:
                yield ctx.doc.problem(
                    (*here, "slices"),
                    "group-slices",
                    "group has enabled: false but lists slices",
                    "remove slices, or remove enabled: false",
                    at_key=True,
                )


@rule
def single_strategy_custom(ctx: RuleContext) -> Iterator[Problem]:
    """Under ``single`` every GPU of a node carries the same, one profile."""
    if ctx.spec.operator.mig_strategy != "single":
        return
    for pool in ctx.spec.pools:
        profiles: dict[str, int] = {}
        for group in pool.groups:
            if not group.enabled:
                yield ctx.doc.problem(
                    pool_path(pool, "mig", group.index, "enabled"),
                    "single-strategy",
                    "migStrategy single needs MIG on every GPU of a node",
                    "enable MIG on these GPUs, or use migStrategy: mixed",
                    at_key=True,
                )
            for profile, _ in group.slices:
                profiles.setdefault(profile, group.index)
        if len(profiles) > 1:
            yield ctx.doc.problem(
                pool_path(pool, "mig"),
                "single-strategy",
                f"migStrategy single allows one profile per node; pool '{pool.name}' "
                f"uses {', '.join(profiles)}",
                "use one profile on every GPU, or migStrategy: mixed",
            )


@rule
def operator_version(ctx: RuleContext) -> Iterator[Problem]:
    version = ctx.spec.operator.version
    if not operator_supported(ctx.spec.operator.version_tuple):
        yield ctx.doc.problem(
            ("gpuOperator", "version"),
            "operator-version",
            f"GPU Operator {version} is not supported",
            f"migrender renders for {OPERATOR_RANGE_TEXT}",
        )


@rule
def install_method(ctx: RuleContext) -> Iterator[Problem]:
    if ctx.spec.platform == "kubernetes" and ctx.spec.operator.install == "olm":
        yield ctx.doc.problem(
            ("gpuOperator", "install"),
            "platform",
            "install: olm (a ClusterPolicy for the OperatorHub install) is for platform: openshift",
            "use install: helm on kubernetes",
        )


@rule
def openshift_ai(ctx: RuleContext) -> Iterator[Problem]:
    ai = ctx.spec.openshift_ai
    if ai is None:
        return
    if ctx.spec.platform != "openshift":
        yield ctx.doc.problem(
            ("openshiftAI",),
            "platform",
            "openshiftAI needs platform: openshift",
            "remove openshiftAI or set platform: openshift",
            at_key=True,
        )
    if ai.major not in RHOAI_MAJORS:
        yield ctx.doc.problem(
            ("openshiftAI", "version"),
            "openshift-ai-version",
            f"OpenShift AI {ai.version} is not supported",
            "use a 2.x release (AcceleratorProfile) or a 3.x release (HardwareProfile)",
        )
    seen: dict[str, int] = {}
    for entry in ai.profiles or ():
        first = seen.setdefault(entry.profile, entry.index)
        if first != entry.index:
            line, _ = ctx.doc.position(("openshiftAI", "profiles", first))
            yield ctx.doc.problem(
                ("openshiftAI", "profiles", entry.index, "profile"),
                "duplicate-ai-profile",
                f"profile '{entry.profile}' is already listed (line {line})",
                "list each MIG profile once",
            )


def warning(
    doc: Document,
    path: tuple[str | int, ...],
    rule_id: str,
    message: str,
    hint: str = "",
    *,
    at_key: bool = False,
) -> Problem:
    return doc.problem(path, rule_id, message, hint, severity=Severity.WARNING, at_key=at_key)


@rule
def gitops_settings_used(ctx: RuleContext) -> Iterator[Problem]:
    """Settings for a GitOps tool the spec does not use are ignored: say so."""
    for tool in ("argocd", "flux"):
        if tool in ctx.doc.data and ctx.spec.gitops != tool:
            yield warning(
                ctx.doc,
                (tool,),
                "unused-settings",
                f"{tool} settings are ignored with gitops: {ctx.spec.gitops}",
                f"set gitops: {tool}, or remove {tool}",
                at_key=True,
            )

"""The render model: everything the templates print, computed once from a valid spec.

Templates hold layout only; every decision (config names, which GPUs an entry
covers, resource names under each strategy, what an operator version needs)
is made here, in plain data with a stable order, so output is byte-identical
for the same spec on any machine.
"""

from __future__ import annotations

from dataclasses import dataclass

from migrender.capacity import plan_cluster
from migrender.catalog import GpuModel, load_catalog
from migrender.layout import PoolLayout, pool_model, resolve
from migrender.naming import (
    MIG_CONFIG_LABEL,
    PROFILE_LABEL,
    object_name,
    resource_name,
    resource_suffix,
)
from migrender.spec import ArgoCD, ClusterSpec, Flux, Repository
from migrender.versions import OperatorFeatures

#: Not NVIDIA's ``default-mig-parted-config``: the operator owns and resets that one.
CONFIGMAP_NAME = "migrender-mig-parted-config"
MACHINE_API_NAMESPACE = "openshift-machine-api"


@dataclass(frozen=True)
class ConfigEntry:
    """One entry of a mig-parted config: which devices, MIG on or off, which instances."""

    device_filter: tuple[str, ...]  # empty: every device
    devices: tuple[int, ...] | None  # None: all
    mig_enabled: bool
    mig_devices: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class MigConfig:
    name: str
    entries: tuple[ConfigEntry, ...]


@dataclass(frozen=True, order=True)
class LabelTarget:
    """A Node or MachineSet and the labels migrender sets on it."""

    name: str
    pool: str
    labels: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class AIProfileOut:
    """One OpenShift AI AcceleratorProfile or HardwareProfile."""

    name: str
    profile: str
    display_name: str
    description: str
    enabled: bool
    identifier: str
    max_count: int
    node_selector: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class OpenShiftAIOut:
    major: int
    namespace: str
    profiles: tuple[AIProfileOut, ...]


@dataclass(frozen=True)
class RenderModel:
    name: str
    platform: str
    gitops: str
    install: str
    operator_version: str
    features: OperatorFeatures
    namespace: str
    mig_strategy: str
    with_reboot: bool
    chart_repository: str
    configmap_name: str
    mig_configs: tuple[MigConfig, ...]
    nodes: tuple[LabelTarget, ...]
    machine_sets: tuple[LabelTarget, ...]
    openshift_ai: OpenShiftAIOut | None
    repository: Repository
    argocd: ArgoCD
    flux: Flux

    @property
    def chart_is_oci(self) -> bool:
        return self.chart_repository.startswith("oci://")

    @property
    def machine_api_namespace(self) -> str:
        return MACHINE_API_NAMESPACE


def _config_entries(layout: PoolLayout) -> tuple[ConfigEntry, ...]:
    all_gpus = tuple(range(layout.pool.gpus_per_node))
    return tuple(
        ConfigEntry(
            device_filter=layout.model.device_ids,
            devices=None if a.gpus == all_gpus and layout.is_named else a.gpus,
            mig_enabled=a.enabled,
            mig_devices=a.slices,
        )
        for a in layout.assignments
    )


def _mig_configs(layouts: list[PoolLayout]) -> tuple[MigConfig, ...]:
    """``all-disabled`` plus every config a node is labelled with; a named layout used by
    several models becomes one config with one entry per model (its PCI ids as filter)."""
    configs: dict[str, dict[str, tuple[ConfigEntry, ...]]] = {
        "all-disabled": {"": (ConfigEntry((), None, False, ()),)}
    }
    for layout in layouts:
        if layout.config_name == "all-disabled":
            continue
        per_model = configs.setdefault(layout.config_name, {})
        per_model.setdefault(layout.model.id, _config_entries(layout))
    return tuple(
        MigConfig(name, tuple(e for _, entries in sorted(per_model.items()) for e in entries))
        for name, per_model in sorted(configs.items())
    )


def _labels(layout: PoolLayout, strategy: str) -> tuple[tuple[str, str], ...]:
    labels = [(MIG_CONFIG_LABEL, layout.config_name)]
    if strategy == "single" and layout.profiles:
        labels.append((PROFILE_LABEL, resource_suffix(layout.profiles[0])))
    return tuple(sorted(labels))


def _describe(profile: str, models: list[GpuModel]) -> str:
    first = models[0].profiles[profile]
    gpus = ", ".join(m.name for m in models)
    return (
        f"MIG slice {profile} of an {gpus}: {first.compute} of {models[0].compute_slices} "
        f"compute slices and {first.memory_gb} GB of GPU memory."
    )


def _openshift_ai(spec: ClusterSpec) -> OpenShiftAIOut | None:
    ai = spec.openshift_ai
    if ai is None:
        return None
    strategy = spec.operator.mig_strategy
    plan = plan_cluster(spec)
    catalog = load_catalog()
    owners = {
        t.profile: [m for m in map(catalog.lookup, t.gpus) if m is not None] for t in plan.profiles
    }
    most = {  # most slices of a profile on one node: the largest sensible request
        t.profile: max(
            p.per_node for pool in plan.pools for p in pool.profiles if p.profile == t.profile
        )
        for t in plan.profiles
    }
    chosen = (
        [
            (t.profile, None, None, True)
            for t in sorted(plan.profiles, key=lambda t: (t.compute, t.memory_gb, t.profile))
        ]
        if ai.profiles is None
        else [(e.profile, e.display_name, e.description, e.enabled) for e in ai.profiles]
    )
    out = []
    for profile, display_name, description, enabled in chosen:
        models = owners[profile]
        selector = ((PROFILE_LABEL, resource_suffix(profile)),) if strategy == "single" else ()
        out.append(
            AIProfileOut(
                name=object_name(profile),
                profile=profile,
                display_name=display_name or f"{' / '.join(m.name for m in models)} MIG {profile}",
                description=description if description is not None else _describe(profile, models),
                enabled=enabled,
                identifier=resource_name(strategy, profile),
                max_count=most[profile],
                node_selector=selector,
            )
        )
    return OpenShiftAIOut(ai.major, ai.namespace, tuple(out))


def build_model(spec: ClusterSpec) -> RenderModel:
    """The render model of a spec that passed validation without errors."""
    catalog = load_catalog()
    layouts = [resolve(pool, pool_model(catalog, pool)) for pool in spec.pools]
    strategy = spec.operator.mig_strategy
    nodes = sorted(
        LabelTarget(node, layout.pool.name, _labels(layout, strategy))
        for layout in layouts
        for node in layout.pool.nodes
    )
    machine_sets = sorted(
        LabelTarget(name, layout.pool.name, _labels(layout, strategy))
        for layout in layouts
        for name in layout.pool.machine_sets
    )
    op = spec.operator
    return RenderModel(
        name=spec.name,
        platform=spec.platform,
        gitops=spec.gitops,
        install=op.install,
        operator_version=op.version,
        features=OperatorFeatures(op.version_tuple),
        namespace=op.namespace,
        mig_strategy=strategy,
        with_reboot=op.with_reboot,
        chart_repository=op.chart_repository,
        configmap_name=CONFIGMAP_NAME,
        mig_configs=_mig_configs(layouts),
        nodes=tuple(nodes),
        machine_sets=tuple(machine_sets),
        openshift_ai=_openshift_ai(spec),
        repository=spec.repository,
        argocd=spec.argocd,
        flux=spec.flux,
    )

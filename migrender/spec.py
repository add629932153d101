"""The cluster spec as plain, normalised Python objects.

Built only from a document that passed the schema, so every field is known to
have the right shape; defaults that depend on other fields (the install method
and namespace follow the platform) are resolved here, once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DEFAULT_NAMESPACE = {"openshift": "nvidia-gpu-operator", "kubernetes": "gpu-operator"}
DEFAULT_INSTALL = {"openshift": "olm", "kubernetes": "helm"}
DEFAULT_CHART_REPOSITORY = "https://helm.ngc.nvidia.com/nvidia"
DEFAULT_RHOAI_NAMESPACE = "redhat-ods-applications"
DEFAULT_ARGOCD_NAMESPACE = {"openshift": "openshift-gitops", "kubernetes": "argocd"}
IN_CLUSTER = "https://kubernetes.default.svc"


@dataclass(frozen=True)
class GpuGroup:
    """GPUs of a node that share one partitioning (a custom layout entry)."""

    index: int
    gpus: tuple[int, ...]
    enabled: bool
    slices: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class NodePool:
    """Nodes with the same GPU model, count and MIG layout."""

    index: int
    name: str
    gpu: str
    gpus_per_node: int
    nodes: tuple[str, ...]
    machine_sets: tuple[str, ...]
    layout_name: str | None
    groups: tuple[GpuGroup, ...]

    @property
    def is_custom(self) -> bool:
        return self.layout_name is None


@dataclass(frozen=True)
class GpuOperator:
    install: str
    version: str
    namespace: str
    mig_strategy: str
    with_reboot: bool
    chart_repository: str

    @property
    def version_tuple(self) -> tuple[int, int, int]:
        return parse_version(self.version)


@dataclass(frozen=True)
class AIProfile:
    """One OpenShift AI profile the user chose explicitly."""

    index: int
    profile: str
    display_name: str | None
    description: str | None
    enabled: bool


@dataclass(frozen=True)
class OpenShiftAI:
    version: str
    namespace: str
    profiles: tuple[AIProfile, ...] | None  # None: auto

    @property
    def major(self) -> int:
        return int(self.version.split(".")[0])


@dataclass(frozen=True)
class Repository:
    url: str | None
    revision: str
    path: str


@dataclass(frozen=True)
class ArgoCD:
    namespace: str
    project: str
    server: str


@dataclass(frozen=True)
class Flux:
    namespace: str
    source_ref: str
    interval: str


@dataclass(frozen=True)
class ClusterSpec:
    name: str
    platform: str
    gitops: str
    repository: Repository
    argocd: ArgoCD
    flux: Flux
    operator: GpuOperator
    openshift_ai: OpenShiftAI | None
    pools: tuple[NodePool, ...]


def parse_version(text: str) -> tuple[int, int, int]:
    major, minor, patch = text.lstrip("v").split(".")
    return int(major), int(minor), int(patch)


def _pool(index: int, data: dict[str, Any]) -> NodePool:
    mig = data["mig"]
    groups: tuple[GpuGroup, ...] = ()
    if isinstance(mig, list):
        groups = tuple(
            GpuGroup(
                index=i,
                gpus=tuple(group["gpus"]),
                enabled=group.get("enabled", True),
                slices=tuple(group.get("slices", {}).items()),
            )
            for i, group in enumerate(mig)
        )
    return NodePool(
        index=index,
        name=data["name"],
        gpu=data["gpu"],
        gpus_per_node=data["gpusPerNode"],
        nodes=tuple(data.get("nodes", ())),
        machine_sets=tuple(data.get("machineSets", ())),
        layout_name=mig if isinstance(mig, str) else None,
        groups=groups,
    )


def build_spec(data: dict[str, Any]) -> ClusterSpec:
    """Normalise schema-valid data, filling every default."""
    platform = data["platform"]
    op = data["gpuOperator"]
    operator = GpuOperator(
        install=op.get("install", DEFAULT_INSTALL[platform]),
        version=op["version"],
        namespace=op.get("namespace", DEFAULT_NAMESPACE[platform]),
        mig_strategy=op.get("migStrategy", "mixed"),
        with_reboot=op.get("migManager", {}).get("withReboot", False),
        chart_repository=op.get("chart", {}).get("repository", DEFAULT_CHART_REPOSITORY),
    )
    ai = data.get("openshiftAI")
    openshift_ai = None
    if ai is not None:
        chosen = ai.get("profiles", "auto")
        openshift_ai = OpenShiftAI(
            version=ai["version"],
            namespace=ai.get("namespace", DEFAULT_RHOAI_NAMESPACE),
            profiles=None
            if chosen == "auto"
            else tuple(
                AIProfile(
                    index=i,
                    profile=p["profile"],
                    display_name=p.get("displayName"),
                    description=p.get("description"),
                    enabled=p.get("enabled", True),
                )
                for i, p in enumerate(chosen)
            ),
        )
    name = data["metadata"]["name"]
    repo = data.get("repository", {})
    argo = data.get("argocd", {})
    flux = data.get("flux", {})
    return ClusterSpec(
        name=name,
        platform=platform,
        gitops=data.get("gitops", "none"),
        repository=Repository(
            url=repo.get("url"),
            revision=repo.get("revision", "main"),
            path=repo.get("path", f"rendered/{name}"),
        ),
        argocd=ArgoCD(
            namespace=argo.get("namespace", DEFAULT_ARGOCD_NAMESPACE[platform]),
            project=argo.get("project", "default"),
            server=argo.get("server", IN_CLUSTER),
        ),
        flux=Flux(
            namespace=flux.get("namespace", "flux-system"),
            source_ref=flux.get("sourceRef", "flux-system"),
            interval=flux.get("interval", "10m"),
        ),
        operator=operator,
        openshift_ai=openshift_ai,
        pools=tuple(_pool(i, p) for i, p in enumerate(data["nodePools"])),
    )

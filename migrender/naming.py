"""Kubernetes names that follow from MIG profiles: resources, labels, object names."""

from __future__ import annotations

MIG_CONFIG_LABEL = "nvidia.com/mig.config"
#: Under the single strategy every slice is ``nvidia.com/gpu``; this label tells the
#: nodes apart by profile so OpenShift AI profiles can select them.
PROFILE_LABEL = "migrender.io/mig-profile"


def resource_suffix(profile: str) -> str:
    """A profile as the device plugin writes it in names: ``+`` becomes ``.``."""
    return profile.replace("+", ".")


def resource_name(strategy: str, profile: str) -> str:
    """The extended resource a MIG slice is advertised as under ``strategy``."""
    if strategy == "single":
        return "nvidia.com/gpu"
    return f"nvidia.com/mig-{resource_suffix(profile)}"


def object_name(profile: str) -> str:
    """A DNS-1123 object name for a profile: 1g.10gb+me -> nvidia-mig-1g-10gb-me."""
    return "nvidia-mig-" + profile.replace(".", "-").replace("+", "-")

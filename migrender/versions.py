"""Which releases of the tools migrender renders for are supported."""

from __future__ import annotations

from dataclasses import dataclass

#: GPU Operator releases the rendered output is known to fit: v24.9.0 up to
#: any v26.7 patch release.
OPERATOR_MIN = (24, 9, 0)
OPERATOR_MAX_MINOR = (26, 7)
OPERATOR_RANGE_TEXT = "GPU Operator v24.9.0 to v26.7.x"

#: OpenShift AI major releases: 2.x uses AcceleratorProfile, 3.x HardwareProfile.
RHOAI_MAJORS = (2, 3)


def operator_supported(version: tuple[int, int, int]) -> bool:
    return version >= OPERATOR_MIN and version[:2] <= OPERATOR_MAX_MINOR


@dataclass(frozen=True)
class OperatorFeatures:
    """What a GPU Operator release's ClusterPolicy CRD and chart require or default.

    Read from the CRDs and chart values of each release line (v24.9, v25.3, v25.10,
    v26.3, v26.7); the README's version table is this class in words.
    """

    version: tuple[int, int, int]

    @property
    def channel(self) -> str:
        """OLM channel of the certified operator on OpenShift: v<major>.<minor>."""
        return f"v{self.version[0]}.{self.version[1]}"

    @property
    def requires_default_runtime(self) -> bool:
        """``spec.operator.defaultRuntime`` is required by the CRD up to v25.10.x."""
        return self.version < (26, 3, 0)

    @property
    def has_cdi_default_on(self) -> bool:
        """CDI is on by default from v25.10; the console's ClusterPolicy sets it explicitly."""
        return self.version >= (25, 10, 0)

    @property
    def generates_mig_config(self) -> bool:
        """From v26.3 mig-manager builds named layouts from the hardware when no config
        name is set; a custom config (what migrender renders) still needs the name."""
        return self.version >= (26, 3, 0)

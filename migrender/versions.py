"""Which releases of the tools migrender renders for are supported."""

from __future__ import annotations

#: GPU Operator releases the rendered output is known to fit: v24.9.0 up to
#: any v26.7 patch release.
OPERATOR_MIN = (24, 9, 0)
OPERATOR_MAX_MINOR = (26, 7)
OPERATOR_RANGE_TEXT = "GPU Operator v24.9.0 to v26.7.x"

#: OpenShift AI major releases: 2.x uses AcceleratorProfile, 3.x HardwareProfile.
RHOAI_MAJORS = (2, 3)


def operator_supported(version: tuple[int, int, int]) -> bool:
    return version >= OPERATOR_MIN and version[:2] <= OPERATOR_MAX_MINOR

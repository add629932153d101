"""Rules as (spec change, expected (line, col, rule id, severity)) cases on a valid base."""

from __future__ import annotations

import pytest

from conftest import ROOT
from migrender.validate import validate_sources

BASE = (ROOT / "environments" / "eks-p5" / "cluster.yaml").read_text()


def findings(text: str) -> list[tuple[int, int, str, str]]:
    (result,) = validate_sources([("spec.yaml", text.encode())])
    return [(p.line, p.col, p.rule, str(p.severity)) for p in result.problems]


def test_base_is_clean() -> None:
    assert findings(BASE) == []


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("gitops: argocd\n", "gitops: flux\n", []),
        (
            "gitops: argocd\n",
            "gitops: flux\nargocd:\n  project: gpu\n",
            [(12, 1, "unused-settings", "warning")],
        ),
        (
            "gitops: argocd\n",
            "gitops: argocd\nflux:\n  interval: 5m\n",
            [(12, 1, "unused-settings", "warning")],
        ),
        ("mig: all-balanced", "mig: all-1g.20gb", []),
        ("mig: all-balanced", "mig: all-1g.5gb", [(26, 10, "unknown-layout", "error")]),
        ("gpu: H100-SXM5-80GB", "gpu: NVIDIA-H100-80GB-HBM3", []),
        ("gpu: H100-SXM5-80GB", "gpu: H100", [(22, 10, "unknown-gpu", "error")]),
        ("gpusPerNode: 8", "gpusPerNode: 17", [(23, 18, "schema", "error")]),
        ("version: v26.7.0", "version: v26.8.0", [(17, 12, "operator-version", "error")]),
        ("version: v26.7.0", "version: v24.9.2", []),
        ("version: v26.7.0", "version: v24.6.0", [(17, 12, "operator-version", "error")]),
        (
            "mig: all-balanced",
            "mig:\n      - gpus: [0, 1, 2, 3, 4, 5, 6, 7]\n        slices: {3g.40gb: 2}",
            [(28, 17, "stranded", "warning")],
        ),
        (
            "mig: all-balanced",
            "mig:\n      - gpus: [0, 1, 2, 3, 4, 5, 6, 7]\n"
            "        slices: {4g.40gb: 1, 3g.40gb: 1}",
            [],
        ),
        (
            "mig: all-balanced",
            "mig:\n      - gpus: [0, 1, 2, 3, 4, 5, 6, 7]\n        slices: {4g.40gb: 2}",
            [(28, 17, "does-not-fit", "error")],
        ),
    ],
)
def test_rule(old: str, new: str, expected) -> None:
    assert old in BASE
    assert findings(BASE.replace(old, new, 1)) == expected

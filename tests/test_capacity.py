"""Capacity plan: slices per pool and per cluster, resource names, stranded capacity, formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from migrender.capacity import (
    ClusterPlan,
    format_plan_json,
    format_plan_markdown,
    format_plan_text,
    plan_cluster,
)
from migrender.spec import ClusterSpec
from migrender.validate import validate_sources

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ("a100-40gb-halves", "eks-p5", "oci-h100", "rhoai-a100", "rhoai-a30")


def spec_of(name: str) -> ClusterSpec:
    """An example environment, through the real validation pipeline."""
    path = ROOT / "environments" / name / "cluster.yaml"
    [result] = validate_sources([(str(path), path.read_bytes())])
    assert result.ok, result.problems
    assert result.spec is not None
    return result.spec


def spec_from_text(text: str) -> ClusterSpec:
    [result] = validate_sources([("inline/cluster.yaml", text.encode())])
    assert result.ok, result.problems
    assert result.spec is not None
    return result.spec


def plan_of(name: str) -> ClusterPlan:
    return plan_cluster(spec_of(name))


def test_eks_p5_seed_check() -> None:
    """The contract's seed check: 8 x H100 80GB all-balanced on one node."""
    plan = plan_of("eks-p5")
    [pool] = plan.pools
    assert (pool.gpu, pool.nodes, pool.gpus_per_node, pool.config_name) == (
        "H100-SXM5-80GB",
        1,
        8,
        "all-balanced",
    )
    assert [(c.profile, c.per_node, c.total) for c in pool.profiles] == [
        ("1g.10gb", 16, 16),
        ("2g.20gb", 8, 8),
        ("3g.40gb", 8, 8),
    ]
    assert [(c.resource, c.memory_gb, c.compute) for c in pool.profiles] == [
        ("nvidia.com/mig-1g.10gb", 10, 1),
        ("nvidia.com/mig-2g.20gb", 20, 2),
        ("nvidia.com/mig-3g.40gb", 40, 3),
    ]
    assert pool.whole_gpus is None
    assert not pool.stranded_per_node
    assert plan.resources == (
        ("nvidia.com/mig-1g.10gb", 16),
        ("nvidia.com/mig-2g.20gb", 8),
        ("nvidia.com/mig-3g.40gb", 8),
    )
    assert [(t.profile, t.count) for t in plan.profiles] == [
        ("1g.10gb", 16),
        ("2g.20gb", 8),
        ("3g.40gb", 8),
    ]
    assert plan.profile("1g.10gb") == 16
    assert plan.resource("nvidia.com/gpu") == 0
    assert (plan.nodes, plan.gpus) == (1, 8)


def test_rhoai_a100_single_strategy_advertises_gpu() -> None:
    plan = plan_of("rhoai-a100")
    assert plan.strategy == "single"
    [pool] = plan.pools
    [cap] = pool.profiles
    assert (cap.profile, cap.resource, cap.per_node, cap.total) == (
        "1g.10gb",
        "nvidia.com/gpu",
        7,
        7,
    )
    assert plan.resources == (("nvidia.com/gpu", 7),)
    # 7 x 1g.10gb on an A100 80GB uses 7 of its 8 memory slices: one (10 GB) is stranded.
    assert (pool.stranded_per_node.memory, pool.stranded_per_node.memory_gb) == (1, 10)
    text = format_plan_text([plan])
    assert "advertises its MIG slices as nvidia.com/gpu" in text


def test_a100_halves_split_and_whole_gpus() -> None:
    plan = plan_of("a100-40gb-halves")
    [pool] = plan.pools
    assert pool.nodes == 2
    [cap] = pool.profiles
    assert (cap.profile, cap.resource, cap.per_node, cap.total) == (
        "3g.20gb",
        "nvidia.com/mig-3g.20gb",
        4,
        8,
    )
    assert pool.whole_gpus is not None
    assert (pool.whole_gpus.resource, pool.whole_gpus.per_node, pool.whole_gpus.memory_gb) == (
        "nvidia.com/gpu",
        2,
        40,
    )
    split, whole = pool.groups
    assert (split.gpus, split.enabled, split.stranded.compute, split.stranded.memory) == (
        (0, 1),
        True,
        1,
        0,
    )
    assert (whole.gpus, whole.enabled, bool(whole.stranded)) == ((2, 3), False, False)
    assert pool.stranded_per_node.compute == 2
    assert plan.stranded.compute == 4
    assert dict(plan.resources) == {"nvidia.com/mig-3g.20gb": 8, "nvidia.com/gpu": 4}
    assert [(w.gpu, w.count, w.memory_gb) for w in plan.whole_gpus] == [("A100-PCIE-40GB", 4, 40)]


def test_rhoai_a30() -> None:
    plan = plan_of("rhoai-a30")
    [pool] = plan.pools
    assert (pool.gpu, pool.nodes, pool.gpus_per_node) == ("A30", 2, 1)
    assert [(c.profile, c.resource, c.per_node, c.total, c.memory_gb) for c in pool.profiles] == [
        ("1g.6gb", "nvidia.com/mig-1g.6gb", 2, 4, 6),
        ("2g.12gb", "nvidia.com/mig-2g.12gb", 1, 2, 12),
    ]
    assert not plan.stranded
    assert dict(plan.resources) == {"nvidia.com/mig-1g.6gb": 4, "nvidia.com/mig-2g.12gb": 2}


MIXED_POOLS = """\
apiVersion: migrender.io/v1
kind: ClusterSpec
metadata:
  name: mixed-pools
platform: openshift
gpuOperator:
  version: v26.7.0
  migStrategy: mixed
nodePools:
  - name: h100-later
    gpu: NVIDIA-H100-80GB-HBM3
    gpusPerNode: 8
    machineSets: [gpu-h100-us-east-1a]
    mig: all-balanced
  - name: a100
    gpu: A100-SXM4-80GB
    gpusPerNode: 2
    nodes: [a-0, a-1, a-2]
    mig:
      - gpus: [0]
        slices: {1g.10gb: 7}
      - gpus: [1]
        enabled: false
  - name: l40s
    gpu: L40S
    gpusPerNode: 4
    nodes: [l-0]
    mig: all-disabled
"""


def test_machine_sets_only_pool_and_totals_across_models() -> None:
    plan = plan_cluster(spec_from_text(MIXED_POOLS))
    later, a100, l40s = plan.pools
    assert later.gpu == "H100-SXM5-80GB"  # found by its GFD alias
    assert later.nodes == 0
    assert [(c.per_node, c.total) for c in later.profiles] == [(16, 0), (8, 0), (8, 0)]
    assert any("0 nodes" in n for n in later.notes)
    assert a100.profiles[0].per_node == 7 and a100.profiles[0].total == 21
    assert l40s.profiles == () and l40s.whole_gpus is not None
    assert (l40s.whole_gpus.per_node, l40s.whole_gpus.memory_gb) == (4, 48)
    # 1g.10gb is offered by the H100 (0 nodes) and the A100 pools: one resource, both models.
    [first, *_] = plan.profiles
    assert (first.profile, first.count, first.gpus) == (
        "1g.10gb",
        21,
        ("H100-SXM5-80GB", "A100-SXM4-80GB"),
    )
    assert plan.resource("nvidia.com/gpu") == 3 + 4
    assert [(w.gpu, w.count) for w in plan.whole_gpus] == [("A100-SXM4-80GB", 3), ("L40S", 4)]
    assert (plan.nodes, plan.gpus) == (4, 3 * 2 + 4)
    assert "0 nodes" in format_plan_text([plan])


def test_json_round_trips() -> None:
    plans = [plan_of(name) for name in EXAMPLES]
    text = format_plan_json(plans)
    assert text.endswith("}\n]\n")
    data = json.loads(text)
    assert [env["name"] for env in data] == list(EXAMPLES)
    eks = data[1]
    assert eks["strategy"] == "mixed"
    assert eks["totals"]["resources"] == {
        "nvidia.com/mig-1g.10gb": 16,
        "nvidia.com/mig-2g.20gb": 8,
        "nvidia.com/mig-3g.40gb": 8,
    }
    assert {k: v["count"] for k, v in eks["totals"]["profiles"].items()} == {
        "1g.10gb": 16,
        "2g.20gb": 8,
        "3g.40gb": 8,
    }
    [pool] = eks["pools"]
    assert pool["config"] == "all-balanced"
    assert pool["profiles"]["1g.10gb"] == {
        "resource": "nvidia.com/mig-1g.10gb",
        "compute_slices": 1,
        "memory_slices": 1,
        "memory_gb": 10,
        "per_node": 16,
        "total": 16,
    }
    halves = data[0]["pools"][0]
    assert halves["whole_gpus"]["total"] == 4
    assert halves["gpu_groups"][0]["stranded_per_gpu"] == {
        "compute_slices": 1,
        "memory_slices": 0,
        "memory_gb": 0,
    }
    assert data[3]["totals"]["resources"] == {"nvidia.com/gpu": 7}


def test_markdown_has_tables() -> None:
    md = format_plan_markdown([plan_of("eks-p5")])
    lines = md.splitlines()
    assert "| profile | resource | compute | memory | per node | pool total |" in lines
    header = lines.index("| profile | resource | compute | memory | per node | pool total |")
    assert lines[header + 1].startswith("| --- |")
    assert "| 1g.10gb | nvidia.com/mig-1g.10gb | 1/7 | 10 GB | 16 | 16 |" in lines
    assert "| nvidia.com/mig-1g.10gb | 16 |" in lines
    assert md.startswith("### `eks-p5`")


def test_text_is_deterministic_and_aligned() -> None:
    plans = [plan_of(name) for name in EXAMPLES]
    first = format_plan_text(plans)
    assert first == format_plan_text([plan_cluster(spec_of(name)) for name in EXAMPLES])
    assert first.endswith("\n") and not first.endswith("\n\n")
    assert all(line == line.rstrip() for line in first.splitlines())
    eks = format_plan_text([plans[1]]).splitlines()
    row = next(line for line in eks if line.strip().startswith("1g.10gb  nvidia.com/mig-1g.10gb"))
    header = next(line for line in eks if line.strip().startswith("profile  resource"))
    # Right-aligned numbers end under their headings.
    assert row.rstrip().endswith("16") and len(row) == len(header)


def test_formatters_accept_no_plans() -> None:
    assert format_plan_text([]) == ""
    assert format_plan_markdown([]) == ""
    assert json.loads(format_plan_json([])) == []


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_example_plans(name: str) -> None:
    plan = plan_of(name)
    assert plan.name == name
    per_node = sum(c.per_node for p in plan.pools for c in p.profiles)
    assert per_node > 0

"""`migrender diff`: what a spec change does, against a base revision of a real git repository."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import ROOT
from migrender.cli import cli

EKS = (ROOT / "environments" / "eks-p5" / "cluster.yaml").read_text("utf-8")
TRAIN_NODES = ["p5-train-a", "p5-train-b"]


def _h100(train_layout: str) -> str:
    """An H100 environment with a training pool (the one that changes) and a serving pool."""
    head = EKS.split("nodePools:")[0].replace("name: eks-p5", "name: h100-train")
    return (
        head
        + "nodePools:\n"
        + "  - name: p5-train\n    gpu: H100-SXM5-80GB\n    gpusPerNode: 8\n"
        + f"    nodes: [{', '.join(TRAIN_NODES)}]\n    mig: {train_layout}\n"
        + "  - name: p5-serve\n    gpu: H100-SXM5-80GB\n    gpusPerNode: 8\n"
        + "    nodes: [p5-serve-a]\n    mig: all-7g.80gb\n"
    )


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


def _write(repo: Path, env: str, text: str) -> None:
    path = repo / "environments" / env / "cluster.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")


def _edit(repo: Path, env: str, old: str, new: str) -> None:
    path = repo / "environments" / env / "cluster.yaml"
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new), "utf-8")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example environments plus h100-train (pool p5-train all-1g.10gb), committed on main."""
    shutil.copytree(ROOT / "environments", tmp_path / "environments")
    _write(tmp_path, "h100-train", _h100("all-1g.10gb"))
    _git(tmp_path, "init", "-q", "-b", "main")
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-q", "-m", "base")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _diff(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["diff", "--base", "main", *args])
    return result.exit_code, result.stdout, result.stderr


def _json(*args: str) -> dict[str, dict]:
    code, out, _ = _diff("--format", "json", *args)
    assert code == 0
    return {env["name"]: env for env in json.loads(out)}


def test_layout_change_names_the_pool_nodes_and_slice_counts(repo: Path) -> None:
    """The acceptance check: one pool from all-1g.10gb to all-balanced."""
    _write(repo, "h100-train", _h100("all-balanced"))
    code, out, _ = _diff()
    assert code == 0
    block = out.split("h100-train: changed\n")[1].split("\n\n")[0]
    drained = [line.strip() for line in block.splitlines() if " -> all-balanced" in line]
    assert drained == [
        f"Node {n} (pool p5-train): all-1g.10gb -> all-balanced" for n in TRAIN_NODES
    ]
    assert "p5-serve-a" not in out
    assert "mig-manager drains GPU work from these nodes" in block
    # 2 nodes x 8 GPUs: 7 x 1g.10gb each before; 2 x 1g.10gb, 2g.20gb, 3g.40gb after.
    assert "nvidia.com/mig-1g.10gb (1g.10gb): 112 -> 32 (-80)" in block
    assert "nvidia.com/mig-2g.20gb (2g.20gb): 0 -> 16 (+16)" in block
    assert "nvidia.com/mig-3g.40gb (3g.40gb): 0 -> 16 (+16)" in block
    assert "7g.80gb" not in block  # the serving pool is untouched
    assert "Changes against main: 1 changed, 5 unchanged" in out

    env = _json()["h100-train"]
    assert env["status"] == "changed"
    assert env["reconfigured"] == [
        {"kind": "Node", "name": n, "pool": "p5-train", "from": "all-1g.10gb", "to": "all-balanced"}
        for n in TRAIN_NODES
    ]
    assert env["capacity"] == [
        {"profile": "1g.10gb", "resource": "nvidia.com/mig-1g.10gb", "before": 112, "after": 32},
        {"profile": "2g.20gb", "resource": "nvidia.com/mig-2g.20gb", "before": 0, "after": 16},
        {"profile": "3g.40gb", "resource": "nvidia.com/mig-3g.40gb", "before": 0, "after": 16},
    ]
    assert env["membership"] == env["operator"] == []


def test_no_changes_says_unchanged(repo: Path) -> None:
    code, out, _ = _diff()
    assert code == 0
    assert out.startswith("Changes against main: 6 unchanged\n")
    assert "eks-p5: unchanged" in out
    assert "->" not in out
    assert all(env["status"] == "unchanged" for env in _json().values())


def test_working_tree_is_read_not_the_index_and_left_alone(repo: Path) -> None:
    _edit(repo, "eks-p5", "version: v26.7.0", "version: v26.7.1")
    before = _git(repo, "status", "--porcelain")
    assert _diff()[0] == 0
    assert _git(repo, "status", "--porcelain") == before == " M environments/eks-p5/cluster.yaml\n"


def test_operator_version_change(repo: Path) -> None:
    _edit(repo, "eks-p5", "version: v26.7.0", "version: v26.7.1")
    code, out, _ = _diff("environments/eks-p5")
    assert code == 0
    assert "eks-p5: changed" in out
    assert "version: v26.7.0 -> v26.7.1" in out
    assert "Node " not in out  # no node is reconfigured
    assert _json()["eks-p5"]["operator"] == [
        {"setting": "version", "before": "v26.7.0", "after": "v26.7.1"}
    ]


def test_mig_strategy_change_renames_every_slice(repo: Path) -> None:
    _edit(repo, "rhoai-a100", "migStrategy: single", "migStrategy: mixed")
    env = _json()["rhoai-a100"]
    assert env["operator"] == [{"setting": "migStrategy", "before": "single", "after": "mixed"}]
    assert env["capacity"] == [
        {"profile": "1g.10gb", "resource": "nvidia.com/mig-1g.10gb", "before": 0, "after": 7},
        {"profile": "1g.10gb", "resource": "nvidia.com/gpu", "before": 7, "after": 0},
    ]
    assert env["reconfigured"] == []
    assert "changes the resource name of every MIG slice" in env["notes"][0]


def test_added_and_removed_environment(repo: Path) -> None:
    shutil.rmtree(repo / "environments" / "oci-h100")
    _write(
        repo,
        "eks-p5-b",
        EKS.replace("name: eks-p5", "name: eks-p5-b").replace(
            "ip-192-168-117-30", "ip-192-168-117-31"
        ),
    )
    code, out, _ = _diff()
    assert code == 0
    assert "eks-p5-b: added (not at main)" in out
    assert "oci-h100: removed (not in the working tree)" in out
    envs = _json()
    assert envs["eks-p5-b"]["status"] == "added"
    assert {
        "profile": "1g.10gb",
        "resource": "nvidia.com/mig-1g.10gb",
        "before": 0,
        "after": 16,
    } in (envs["eks-p5-b"]["capacity"])
    assert envs["oci-h100"]["status"] == "removed"
    assert [m["change"] for m in envs["oci-h100"]["membership"]] == ["removed", "removed"]
    # A removed folder named explicitly is read at the base only: not a usage error.
    code, out, _ = _diff("environments/oci-h100")
    assert code == 0
    assert "oci-h100: removed" in out


def test_node_moves_and_joins(repo: Path) -> None:
    _edit(repo, "rhoai-a30", "      - worker-1\n", "      - worker-1\n      - worker-2\n")
    env = _json()["rhoai-a30"]
    assert env["membership"] == [
        {
            "kind": "Node",
            "name": "worker-2",
            "change": "added",
            "from_pool": None,
            "to_pool": "a30-inference",
            "config": "all-balanced",
        }
    ]
    assert env["capacity"][0] == {
        "profile": "1g.6gb",
        "resource": "nvidia.com/mig-1g.6gb",
        "before": 4,
        "after": 6,
    }


def test_unknown_ref_is_a_usage_error(repo: Path) -> None:
    result = CliRunner().invoke(cli, ["diff", "--base", "no-such-branch"])
    assert result.exit_code == 2
    assert result.stderr == "migrender: error: unknown git revision 'no-such-branch'\n"
    assert result.stdout == ""


def test_not_a_git_repository_is_a_usage_error(tmp_path: Path, monkeypatch) -> None:
    shutil.copytree(ROOT / "environments", tmp_path / "environments")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    code, _, err = _diff()
    assert code == 2
    assert "not a git repository" in err
    assert len(err.splitlines()) == 1


def test_invalid_working_tree_spec_exits_1(repo: Path) -> None:
    _edit(repo, "eks-p5", "mig: all-balanced", "mig: all-2g.40gb")
    code, out, err = _diff()
    assert code == 1
    assert out == ""
    assert "environments/eks-p5/cluster.yaml:" in err
    assert ": error:" in err
    assert "nothing compared" in err


def test_invalid_at_base_is_reported_and_compared_as_absent(repo: Path) -> None:
    good = (repo / "environments" / "eks-p5" / "cluster.yaml").read_text("utf-8")
    _edit(repo, "eks-p5", "platform: kubernetes", "platform: k8s")
    _write(repo, "broken", ": : not yaml\n")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "invalid")
    _write(repo, "eks-p5", good)
    shutil.rmtree(repo / "environments" / "broken")
    code, out, err = _diff()
    assert code == 0, err
    assert "eks-p5: changed (invalid at main; compared as if absent there)" in out
    assert "nvidia.com/mig-1g.10gb (1g.10gb): 0 -> 16 (+16)" in out
    assert "broken: removed (invalid at main; not in the working tree)" in out
    envs = _json()
    assert envs["eks-p5"]["base_invalid"] is True
    assert envs["rhoai-a30"]["base_invalid"] is False


def test_markdown_format(repo: Path) -> None:
    _write(repo, "h100-train", _h100("all-balanced"))
    _edit(repo, "eks-p5", "version: v26.7.0", "version: v26.7.1")
    code, out, _ = _diff("--format", "markdown")
    assert code == 0
    assert out.startswith("## MIG layout changes against `main`\n\n2 changed, 4 unchanged.\n")
    assert "### `h100-train`: changed" in out
    assert "### `eks-p5`: changed" in out
    assert "### `oci-h100`" not in out  # unchanged environments share one line
    assert "Unchanged: `a100-40gb-halves`, `oci-h100`, `rhoai-a100`, `rhoai-a30`." in out
    assert "| Node | `p5-train-a` | p5-train | `all-1g.10gb` | `all-balanced` |" in out
    assert "| 1g.10gb | `nvidia.com/mig-1g.10gb` | 112 | 32 | -80 |" in out
    assert "| version | v26.7.0 | v26.7.1 |" in out


def test_json_format_has_stable_keys(repo: Path) -> None:
    _edit(repo, "eks-p5", "version: v26.7.0", "version: v26.7.1")
    code, out, _ = _diff("--format", "json")
    assert code == 0
    envs = json.loads(out)
    assert [e["name"] for e in envs] == sorted(e["name"] for e in envs)
    for env in envs:
        assert list(env) == [
            "name",
            "status",
            "base_invalid",
            "reconfigured",
            "membership",
            "capacity",
            "operator",
            "other",
            "notes",
        ]
    assert out == _diff("--format", "json")[1]


def test_runs_from_a_subfolder_with_relative_paths(repo: Path, monkeypatch) -> None:
    _edit(repo, "eks-p5", "version: v26.7.0", "version: v26.7.1")
    monkeypatch.chdir(repo / "environments")
    code, out, _ = _diff("eks-p5/cluster.yaml")
    assert code == 0
    assert out.startswith("Changes against main: 1 changed\n")
    assert "version: v26.7.0 -> v26.7.1" in out

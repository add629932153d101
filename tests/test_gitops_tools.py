"""The integrations as their tools run them: the Argo CD plugin and the pre-commit hooks."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
import yaml

from conftest import DATA, REFERENCE, ROOT
from kube_schemas import schema_errors

PLUGIN = ROOT / "argocd-plugin" / "plugin.yaml"


def run_plugin_generate(cwd) -> subprocess.CompletedProcess[str]:
    """Run the plugin's generate command as the sidecar would, in the app's source path."""
    command = yaml.safe_load(PLUGIN.read_text())["spec"]["generate"]["command"]
    assert command[0] == "migrender"
    return subprocess.run(
        [sys.executable, "-m", "migrender", *command[1:]],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def test_plugin_manifest_shape() -> None:
    plugin = yaml.safe_load(PLUGIN.read_text())
    assert plugin["apiVersion"] == "argoproj.io/v1alpha1"
    assert plugin["kind"] == "ConfigManagementPlugin"
    assert plugin["spec"]["discover"] == {"fileName": "cluster.yaml"}
    example = yaml.safe_load((ROOT / "argocd-plugin" / "application-example.yaml").read_text())
    assert example["spec"]["source"]["plugin"]["name"] == (
        f"{plugin['metadata']['name']}-{plugin['spec']['version']}"
    )


def test_plugin_example_application_is_valid() -> None:
    if not REFERENCE.is_dir():
        pytest.skip("upstream reference CRDs are not available")
    example = yaml.safe_load((ROOT / "argocd-plugin" / "application-example.yaml").read_text())
    assert schema_errors(example, (26, 7, 0)) == []


def test_plugin_generate_prints_the_manifests(tmp_path) -> None:
    shutil.copytree(ROOT / "environments" / "rhoai-a30", tmp_path / "app")
    done = run_plugin_generate(tmp_path / "app")
    assert done.returncode == 0, done.stderr
    kinds = [d["kind"] for d in yaml.safe_load_all(done.stdout) if d]
    assert kinds.count("Node") == 2 and "ClusterPolicy" in kinds


@pytest.mark.parametrize("bad", ["unknown-layout.yaml", "yaml-syntax.yaml", "empty.yaml"])
def test_plugin_generate_fails_with_empty_stdout(tmp_path, bad) -> None:
    (tmp_path / "app").mkdir()
    shutil.copy(DATA / "bad" / bad, tmp_path / "app" / "cluster.yaml")
    done = run_plugin_generate(tmp_path / "app")
    assert done.returncode == 1
    assert done.stdout == ""
    assert "cluster.yaml:" in done.stderr


def git(cwd, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def test_pre_commit_hooks_with_the_real_tool(tmp_path) -> None:
    pre_commit = shutil.which("pre-commit") or shutil.which(
        "pre-commit", path=os.path.dirname(sys.executable)
    )
    if pre_commit is None:
        pytest.skip("pre-commit is not installed")
    if not (ROOT / ".git").exists():
        pytest.skip("the hooks are installed from this repository's git history")
    repo = tmp_path / "specs"
    shutil.copytree(ROOT / "environments", repo / "environments")
    subprocess.run(
        [sys.executable, "-m", "migrender", "render"], cwd=repo, check=True, capture_output=True
    )
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "specs and rendered output")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache")}
    hooks = ["migrender-validate", "migrender-check"]

    def try_repo(hook: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [pre_commit, "try-repo", str(ROOT), hook, "--all-files"],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=900,
        )

    for hook in hooks:
        done = try_repo(hook)
        assert done.returncode == 0, done.stdout + done.stderr

    spec = repo / "environments" / "eks-p5" / "cluster.yaml"
    spec.write_text(spec.read_text().replace("mig: all-balanced", "mig: all-1g.10gb"))
    stale = try_repo("migrender-check")
    assert stale.returncode == 1
    assert "rendered/eks-p5/node-labels.yaml: out of date" in stale.stdout
    assert "run `migrender render`" in stale.stdout

    spec.write_text(spec.read_text().replace("mig: all-1g.10gb", "mig: all-1g.5gb"))
    invalid = try_repo("migrender-validate")
    assert invalid.returncode == 1
    assert "the H100-SXM5-80GB has no named layout 'all-1g.5gb'" in invalid.stdout

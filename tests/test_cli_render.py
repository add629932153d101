"""`render` and `check` through the CLI: atomic trees, nothing written for bad input."""

from __future__ import annotations

import os
import shutil

import pytest
import yaml
from click.testing import CliRunner

from conftest import DATA, ROOT
from migrender.cli import cli


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    shutil.copytree(ROOT / "environments", tmp_path / "environments")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def tree(path) -> dict[str, bytes]:
    return {
        p.relative_to(path).as_posix(): p.read_bytes()
        for p in sorted(path.rglob("*"))
        if p.is_file()
    }


def break_a_spec(workdir) -> None:
    shutil.copy(
        DATA / "bad" / "unknown-layout.yaml", workdir / "environments" / "eks-p5" / "cluster.yaml"
    )


def test_render_then_check(workdir) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["render"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (workdir / "rendered").iterdir()) == [
        "a100-40gb-halves",
        "argocd-applicationset.yaml",
        "eks-p5",
        "oci-h100",
        "rhoai-a100",
        "rhoai-a30",
    ]
    assert "rendered rendered/eks-p5/ (" in result.stderr
    assert result.stdout == ""
    check = runner.invoke(cli, ["check"])
    assert check.exit_code == 0, check.output
    assert "5 environments up to date" in check.stderr


def test_check_lists_missing_changed_and_extra_files(workdir) -> None:
    runner = CliRunner()
    runner.invoke(cli, ["render"])
    (workdir / "rendered/eks-p5/namespace.yaml").write_text("changed\n")
    (workdir / "rendered/eks-p5/old.yaml").write_text("left over\n")
    (workdir / "rendered/oci-h100/node-labels.yaml").unlink()
    (workdir / "rendered/argocd-applicationset.yaml").unlink()
    result = runner.invoke(cli, ["check"])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "rendered/argocd-applicationset.yaml: missing",
        "rendered/eks-p5/namespace.yaml: out of date",
        "rendered/eks-p5/old.yaml: not rendered by migrender any more",
        "rendered/oci-h100/node-labels.yaml: missing",
    ]
    assert "run `migrender render`" in result.stderr


def test_rerender_removes_files_that_no_longer_belong(workdir) -> None:
    runner = CliRunner()
    runner.invoke(cli, ["render"])
    (workdir / "rendered/eks-p5/old.yaml").write_text("left over\n")
    runner.invoke(cli, ["render"])
    assert not (workdir / "rendered/eks-p5/old.yaml").exists()
    assert not [p for p in (workdir / "rendered").iterdir() if p.name.startswith(".")]


def test_invalid_spec_writes_nothing_and_keeps_old_output(workdir) -> None:
    runner = CliRunner()
    runner.invoke(cli, ["render"])
    before = tree(workdir / "rendered")
    break_a_spec(workdir)
    result = runner.invoke(cli, ["render"])
    assert result.exit_code == 1
    assert "nothing written" in result.stderr
    assert ": error: " in result.stderr
    assert tree(workdir / "rendered") == before


def test_stdout_prints_one_stream(workdir) -> None:
    result = CliRunner().invoke(cli, ["render", "--stdout", "environments/rhoai-a30"])
    assert result.exit_code == 0
    kinds = [d["kind"] for d in yaml.safe_load_all(result.stdout) if d]
    assert kinds.count("Node") == 2
    assert not (workdir / "rendered").exists()


def test_stdout_prints_nothing_on_error(workdir) -> None:
    break_a_spec(workdir)
    result = CliRunner().invoke(cli, ["render", "--stdout", "environments/eks-p5"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "no named layout" in result.stderr


def test_stdout_needs_exactly_one_environment(workdir) -> None:
    result = CliRunner().invoke(cli, ["render", "--stdout"])
    assert result.exit_code == 2
    assert result.stdout == ""


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_read_only_output_is_a_clear_error_and_keeps_old_output(workdir) -> None:
    runner = CliRunner()
    runner.invoke(cli, ["render"])
    before = tree(workdir / "rendered")
    (workdir / "rendered").chmod(0o555)
    try:
        result = runner.invoke(cli, ["render"])
    finally:
        (workdir / "rendered").chmod(0o755)
    assert result.exit_code == 1
    assert "cannot write" in result.stderr and "previous output is unchanged" in result.stderr
    assert tree(workdir / "rendered") == before


def test_output_that_is_a_file_is_a_clear_error(workdir) -> None:
    (workdir / "rendered").write_text("not a folder\n")
    result = CliRunner().invoke(cli, ["render"])
    assert result.exit_code in (1, 2)
    assert "Traceback" not in result.output
    assert (workdir / "rendered").read_text() == "not a folder\n"


@pytest.mark.parametrize("code", ["ENOSPC", "EROFS", "EACCES", "EDQUOT"])
def test_unwritable_output_is_a_clear_error_and_keeps_old_output(workdir, monkeypatch, code):
    import errno

    runner = CliRunner()
    runner.invoke(cli, ["render"])
    before = tree(workdir / "rendered")
    number = getattr(errno, code)

    def failing(root, files):
        (root / "partial.yaml").write_text("half a fi")
        raise OSError(number, os.strerror(number))

    monkeypatch.setattr("migrender.output._write_files", failing)
    result = runner.invoke(cli, ["render"])
    assert result.exit_code == 1
    assert os.strerror(number) in result.stderr
    assert "previous output is unchanged" in result.stderr
    assert tree(workdir / "rendered") == before
    assert not [p for p in (workdir / "rendered").iterdir() if p.name.startswith(".")]


def test_a_single_spec_file_leaves_the_fleet_file_alone(workdir) -> None:
    runner = CliRunner()
    runner.invoke(cli, ["render"])
    fleet = (workdir / "rendered/argocd-applicationset.yaml").read_bytes()
    result = runner.invoke(cli, ["render", "environments/eks-p5/cluster.yaml"])
    assert result.exit_code == 0
    assert (workdir / "rendered/argocd-applicationset.yaml").read_bytes() == fleet
    check = runner.invoke(cli, ["check", "environments/eks-p5/cluster.yaml"])
    assert check.exit_code == 0


def test_fleet_lists_every_argocd_environment(workdir) -> None:
    CliRunner().invoke(cli, ["render"])
    docs = [
        d
        for d in yaml.safe_load_all((workdir / "rendered/argocd-applicationset.yaml").read_text())
        if d
    ]
    envs = sorted(e["env"] for d in docs for e in d["spec"]["generators"][0]["list"]["elements"])
    assert envs == ["a100-40gb-halves", "eks-p5", "rhoai-a100", "rhoai-a30"]  # not oci-h100

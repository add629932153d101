"""The command line, through click's test runner: output streams, formats and exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from conftest import DATA, ROOT
from migrender.cli import cli


@pytest.fixture
def runner(monkeypatch) -> CliRunner:
    monkeypatch.chdir(ROOT)
    return CliRunner()


@pytest.fixture
def bad_tree(tmp_path):
    """A folder of two environments, one valid, one with two problems."""
    good = tmp_path / "envs" / "good"
    good.mkdir(parents=True)
    shutil.copy(ROOT / "environments" / "eks-p5" / "cluster.yaml", good / "cluster.yaml")
    bad = tmp_path / "envs" / "bad"
    bad.mkdir()
    shutil.copy(DATA / "bad" / "many-problems.yaml", bad / "cluster.yaml")
    return tmp_path


def test_validate_examples_is_clean(runner) -> None:
    result = runner.invoke(cli, ["validate"])
    assert result.exit_code == 0, result.output
    assert ": error:" not in result.stdout
    # The halves example is the contract's 3g+3g case: valid, with a stranded-slice warning.
    assert result.stdout.count(": warning:") == 1
    assert "1 warning in 5 specs" in result.stderr


def test_validate_reports_every_problem_with_position(runner, bad_tree, monkeypatch) -> None:
    monkeypatch.chdir(bad_tree)
    result = runner.invoke(cli, ["validate", "envs"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 8
    assert all(line.startswith("envs/bad/cluster.yaml:") for line in lines)
    assert lines[0] == (
        "envs/bad/cluster.yaml:5:11: error: platform must be one of: openshift, kubernetes; "
        "got a string ('k8s')"
    )
    assert "8 errors in 2 specs (1 invalid)" in result.stderr


def test_json_format(runner, bad_tree, monkeypatch) -> None:
    monkeypatch.chdir(bad_tree)
    result = runner.invoke(cli, ["validate", "envs", "--format", "json"])
    assert result.exit_code == 1
    records = json.loads(result.stdout)
    assert {r["path"] for r in records} == {"envs/bad/cluster.yaml"}
    assert records[0] == {
        "path": "envs/bad/cluster.yaml",
        "line": 5,
        "col": 11,
        "severity": "error",
        "rule": "schema",
        "message": "platform must be one of: openshift, kubernetes",
        "hint": "got a string ('k8s')",
    }


def test_json_format_of_a_clean_run_is_an_empty_list(runner) -> None:
    result = runner.invoke(cli, ["validate", "environments/eks-p5", "--format", "json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []


def test_github_format(runner, bad_tree, monkeypatch) -> None:
    monkeypatch.chdir(bad_tree)
    result = runner.invoke(cli, ["validate", "envs", "--format", "github"])
    first = result.stdout.splitlines()[0]
    assert first.startswith(
        "::error file=envs/bad/cluster.yaml,line=5,col=11,title=migrender schema::"
    )
    assert first.endswith("platform must be one of: openshift, kubernetes; got a string ('k8s')")


@pytest.mark.parametrize(
    "args",
    [["validate", "no/such/dir"], ["validate", "--format", "xml"], ["nonsense"]],
)
def test_usage_errors_exit_2(runner, args) -> None:
    result = runner.invoke(cli, args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_folder_without_specs_is_a_usage_error(runner, tmp_path) -> None:
    result = runner.invoke(cli, ["validate", str(tmp_path)])
    assert result.exit_code == 2
    assert "no */cluster.yaml found" in result.stderr


def test_a_spec_folder_itself_can_be_named(runner) -> None:
    result = runner.invoke(cli, ["validate", "environments/eks-p5"])
    assert result.exit_code == 0
    assert "1 spec valid" in result.stderr


def test_internal_error_is_one_line_and_exit_3(runner, monkeypatch) -> None:
    def boom(*_args, **_kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("migrender.validate.validate_sources", boom)
    result = runner.invoke(cli, ["validate"])
    assert result.exit_code == 3
    assert result.stderr.count("\n") == 1
    assert "internal error: RuntimeError: disk on fire" in result.stderr
    assert "Traceback" not in result.output


def test_debug_shows_the_traceback(runner, monkeypatch) -> None:
    monkeypatch.setattr(
        "migrender.validate.validate_sources", lambda *_: (_ for _ in ()).throw(RuntimeError("x"))
    )
    result = runner.invoke(cli, ["--debug", "validate"])
    assert isinstance(result.exception, RuntimeError)


@pytest.mark.parametrize("args", [["--help"], ["validate", "--help"]])
def test_help_explains_with_an_example(runner, args) -> None:
    result = runner.invoke(cli, args)
    assert result.exit_code == 0
    assert "Examples:" in result.stdout
    assert "migrender validate" in result.stdout


def test_python_dash_m_works() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "migrender", "validate", "environments"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_plan_seed_eks_p5(runner) -> None:
    result = runner.invoke(cli, ["plan", "environments/eks-p5", "--format", "json"])
    assert result.exit_code == 0, result.output
    (env,) = json.loads(result.stdout)
    assert env["name"] == "eks-p5"
    assert env["totals"]["resources"] == {
        "nvidia.com/mig-1g.10gb": 16,
        "nvidia.com/mig-2g.20gb": 8,
        "nvidia.com/mig-3g.40gb": 8,
    }


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_plan_formats(runner, fmt) -> None:
    result = runner.invoke(cli, ["plan", "--format", fmt])
    assert result.exit_code == 0
    assert "nvidia.com/mig-1g.6gb" in result.stdout


def test_plan_of_an_invalid_spec_exits_1(runner, bad_tree, monkeypatch) -> None:
    monkeypatch.chdir(bad_tree)
    result = runner.invoke(cli, ["plan", "envs"])
    assert result.exit_code == 1
    assert result.stdout == ""


def test_catalog_lists_and_shows_models(runner) -> None:
    listing = runner.invoke(cli, ["catalog"])
    assert listing.exit_code == 0
    assert "H100-SXM5-80GB" in listing.stdout and "RTX-PRO-6000" in listing.stdout
    one = runner.invoke(cli, ["catalog", "nvidia-a30"])
    assert one.exit_code == 0
    assert "{0,2}:2" in one.stdout and "all-balanced" in one.stdout


def test_catalog_unknown_model_suggests_and_exits_2(runner) -> None:
    result = runner.invoke(cli, ["catalog", "A100-SXM4-40G"])
    assert result.exit_code == 2
    assert "did you mean A100-SXM4-40GB" in result.stderr

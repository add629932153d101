"""schemas/, templates/ and the catalog ship inside the package: a normal (non-editable)
install finds them, as the editable install the tests run from does."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT
from migrender.resources import package_dir


def test_editable_install_finds_the_data_folders() -> None:
    assert os.path.isfile(os.path.join(package_dir("migrender.schemas"), "cluster.schema.json"))
    assert os.path.isfile(os.path.join(package_dir("migrender.templates"), "node-labels.yaml.j2"))
    assert os.path.isfile(os.path.join(package_dir("migrender.data"), "catalog.json"))


def test_normal_install_renders(tmp_path) -> None:
    try:
        import setuptools  # noqa: F401
    except ImportError:
        pytest.skip("setuptools is needed to build without network access")
    target = tmp_path / "site"
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(target),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert build.returncode == 0, build.stderr
    installed = target / "migrender"
    for name in (
        "schemas/cluster.schema.json",
        "templates/node-labels.yaml.j2",
        "templates/_header.j2",
        "data/catalog.json",
        "data/catalog.yaml",
    ):
        assert (installed / name).is_file(), name
    shutil.copytree(ROOT / "environments", tmp_path / "environments")
    env = {**os.environ, "PYTHONPATH": str(target)}
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import migrender, sys; print(migrender.__file__); "
            "from migrender.cli import main; main(['render', '--out', 'out'])",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(str(target))
    assert (tmp_path / "out" / "eks-p5" / "node-labels.yaml").is_file()

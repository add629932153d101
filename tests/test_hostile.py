"""Hostile input: every case is one clear, positioned error and exit 1, never a traceback
or a hang (each run has a generous timeout as a hang guard, not a speed test)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from conftest import ROOT

EKS = (ROOT / "environments" / "eks-p5" / "cluster.yaml").read_text()
LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (error|warning): .+$")


POOL = "  - {{name: p{i}, gpu: A30, gpusPerNode: 1, nodes: [n{i}], mig: all-1g.6gb}}\n"


def alias_bomb() -> bytes:
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    return ("\n".join(lines) + "\n").encode()


CASES = {
    "alias-bomb": (alias_bomb(), "expands to more than"),
    "deep-nesting": (b"a: " + b"[" * 100_000 + b"]" * 100_000 + b"\n", "nested"),
    "deep-mapping": (
        b"".join(b"  " * i + b"k:\n" for i in range(200)) + b"  " * 200 + b"v\n",
        "nested",
    ),
    "binary": (bytes(range(256)) * 64, "not valid UTF-8"),
    "nul-in-utf8": (EKS.replace("eks-p5", "eks\x00p5").encode(), "not allowed in YAML"),
    "python-tag": (
        EKS.replace(
            "gpusPerNode: 8", "gpusPerNode: !!python/object/apply:os.system [echo]"
        ).encode(),
        "YAML tag !!python/object/apply",
    ),
    "huge-integer": (
        EKS.replace("gpusPerNode: 8", "gpusPerNode: " + "9" * 5000).encode(),
        "integer is out of range",
    ),
    "huge-float": (
        EKS.replace("gpusPerNode: 8", "gpusPerNode: 1e999").encode(),
        "must be an integer",
    ),
    "cyrillic-node": (
        EKS.replace("ip-192", "ip-\u0441192").encode(),
        "U+0441 (CYRILLIC SMALL LETTER ES)",
    ),
    "zero-width-name": (
        EKS.replace("name: eks-p5", "name: eks\u200bp5").encode(),
        "U+200B (ZERO WIDTH SPACE)",
    ),
    "control-char-node": (
        EKS.replace("- ip-192-168-117-30.ec2.internal", '- "ip-192\\x07.internal"').encode(),
        "U+0007 (a control character)",
    ),
    "dotdot-env-name": (
        EKS.replace("name: eks-p5", "name: ../../etc").encode(),
        "metadata.name '../../etc' is not valid",
    ),
    "slash-pool-name": (
        EKS.replace("name: p5-48xlarge", "name: a/b").encode(),
        "nodePools[0].name 'a/b' is not valid",
    ),
    "dotdot-node-name": (
        EKS.replace("- ip-192-168-117-30.ec2.internal", "- ../etc").encode(),
        "node name '../etc' is not a DNS-1123 subdomain",
    ),
    "windows-path-node": (
        EKS.replace("- ip-192-168-117-30.ec2.internal", "- 'c:\\x'").encode(),
        "is not a DNS-1123 subdomain",
    ),
    "too-many-pools": (
        EKS.split("nodePools:")[0].encode()
        + b"nodePools:\n"
        + b"".join(POOL.format(i=i).encode() for i in range(101)),
        "nodePools has more than 100 entries",
    ),
}


def run(args, cwd, timeout=60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "migrender", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def assert_clean_failure(done, expected: str) -> None:
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines and all(LINE.match(line) for line in lines), lines[:3]
    assert expected in done.stdout, done.stdout[:2000]


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_spec(tmp_path, name) -> None:
    raw, expected = CASES[name]
    (tmp_path / "env").mkdir()
    (tmp_path / "env" / "cluster.yaml").write_bytes(raw)
    assert_clean_failure(run(["validate", "env/cluster.yaml"], tmp_path), expected)
    render = run(["render", "env/cluster.yaml", "--out", "out"], tmp_path)
    assert render.returncode == 1 and not (tmp_path / "out").exists()


def test_fifty_megabyte_file(tmp_path) -> None:
    (tmp_path / "env").mkdir()
    with (tmp_path / "env" / "cluster.yaml").open("wb") as stream:
        stream.write(b"a: ")
        for _ in range(50):
            stream.write(b"x" * (1 << 20))
    assert_clean_failure(
        run(["validate", "env/cluster.yaml"], tmp_path), "larger than the limit of 1,048,576 bytes"
    )


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks here")
def test_symlinked_spec_outside_the_tree(tmp_path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text(EKS)
    tree = tmp_path / "repo" / "environments"
    (tree / "evil").mkdir(parents=True)
    (tree / "evil" / "cluster.yaml").symlink_to(secret)
    (tree / "eks-p5").mkdir()
    (tree / "eks-p5" / "cluster.yaml").write_text(EKS)
    done = run(["validate"], tmp_path / "repo")
    assert_clean_failure(done, "environments/evil/cluster.yaml:1:1: error: is a link to")
    assert "outside environments" in done.stdout
    plugin = run(["render", "--stdout", "."], tree / "evil")
    assert plugin.returncode == 1 and plugin.stdout == ""


def test_symlink_inside_the_tree_is_fine(tmp_path) -> None:
    tree = tmp_path / "environments"
    (tree / "eks-p5").mkdir(parents=True)
    (tree / "eks-p5" / "base.yaml").write_text(EKS)
    (tree / "eks-p5" / "cluster.yaml").symlink_to(tree / "eks-p5" / "base.yaml")
    assert run(["validate"], tmp_path).returncode == 0

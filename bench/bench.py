#!/usr/bin/env python3
"""Benchmark migrender against check-jsonschema, and against itself as the fleet grows.

    python3 bench/bench.py            # sets up bench/.venv, then prints the figures
    python3 bench/bench.py --runs 15  # more repetitions per figure

It installs migrender (a normal, byte-compiled install, as users get it) and
check-jsonschema into bench/.venv, generates fleets of 1, 100 and 1,000
environments of realistic size in a temporary folder, and times whole commands
(median wall-clock of several runs, start-up included):

- start-up: `python -c pass` vs `migrender --version`;
- one spec: `migrender validate` vs `check-jsonschema --schemafile schemas/cluster.schema.json`
  (schema only: migrender also checks the hardware rules);
- fleets: `validate` and `render` of 100 and 1,000 environments, and the time per
  environment, which should stay flat as the fleet grows.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / "bench" / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")

# A realistic environment: three pools, thirteen nodes, one custom layout; valid, no warnings.
SPEC = """\
apiVersion: migrender.io/v1
kind: ClusterSpec
metadata:
  name: {name}
platform: {platform}
gitops: argocd
repository:
  url: https://git.example.com/platform/gpu-clusters.git
gpuOperator:
  version: v26.7.0
  migStrategy: mixed
nodePools:
  - name: h100-balanced
    gpu: H100-SXM5-80GB
    gpusPerNode: 8
    nodes: [{nodes_a}]
    mig: all-balanced
  - name: a100-custom
    gpu: A100-SXM4-80GB
    gpusPerNode: 8
    nodes: [{nodes_b}]
    mig:
      - gpus: [0, 1, 2, 3]
        slices: {{1g.10gb: 2, 2g.20gb: 1, 3g.40gb: 1}}
      - gpus: [4, 5]
        slices: {{3g.40gb: 1, 4g.40gb: 1}}
      - gpus: [6, 7]
        enabled: false
  - name: a30-inference
    gpu: A30
    gpusPerNode: 2
    nodes: [{nodes_c}]
    mig: all-1g.6gb
"""


# Every multiset of every model's profiles through the placement engine, cold caches.
ENGINE_SNIPPET = """
import time
from migrender.catalog import load_catalog
from migrender.geometry import all_fitting_multisets
models = [m for m in load_catalog().models.values() if m.mig]
start = time.perf_counter()
slowest = 0.0
for m in models:
    t = time.perf_counter()
    all_fitting_multisets(m)
    slowest = max(slowest, time.perf_counter() - t)
print(len(models), time.perf_counter() - start, slowest)
"""


def pip_install(*args: str) -> None:
    subprocess.run(
        [BIN / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *args],
        check=True,
    )


def setup() -> None:
    if not (BIN / "migrender").exists() or not (BIN / "check-jsonschema").exists():
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
        pip_install(str(ROOT), "check-jsonschema")
    else:  # refresh migrender itself, keep check-jsonschema
        pip_install("--no-deps", "--force-reinstall", str(ROOT))


def write_fleet(folder: Path, count: int) -> Path:
    envs = folder / f"fleet-{count}"
    for i in range(count):
        name = f"cluster-{i:04d}"

        def nodes(prefix: str, n: int, i: int = i) -> str:
            return ", ".join(f"{prefix}-{i:04d}-{j}" for j in range(n))

        spec = SPEC.format(
            name=name,
            platform="kubernetes" if i % 2 else "openshift",
            nodes_a=nodes("h100", 6),
            nodes_b=nodes("a100", 4),
            nodes_c=nodes("a30", 3),
        )
        (envs / name).mkdir(parents=True)
        (envs / name / "cluster.yaml").write_text(spec)
    return envs


def timed(command: list[str | Path], cwd: Path, runs: int) -> float:
    """Median wall-clock seconds of ``command`` over ``runs`` runs (after one warm-up)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    samples = []
    for i in range(runs + 1):
        start = time.perf_counter()
        done = subprocess.run(
            [str(c) for c in command],
            cwd=cwd,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            check=False,
        )
        elapsed = time.perf_counter() - start
        if done.returncode != 0:
            sys.exit(f"{' '.join(map(str, command))} failed:\n{done.stderr.decode()}")
        if i:
            samples.append(elapsed)
    return statistics.median(samples)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per small figure")
    args = parser.parse_args()
    setup()
    runs, big_runs = args.runs, max(3, args.runs // 2)
    migrender, cjs, python = BIN / "migrender", BIN / "check-jsonschema", BIN / "python"
    with tempfile.TemporaryDirectory(prefix="migrender-bench-") as tmp:
        work = Path(tmp)
        fleets = {n: write_fleet(work, n) for n in (1, 100, 1000)}
        one = fleets[1] / "cluster-0000" / "cluster.yaml"
        schema = ROOT / "schemas" / "cluster.schema.json"

        rows: list[tuple[str, float, str]] = []
        bare = timed([python, "-c", "pass"], work, runs)
        startup = timed([migrender, "--version"], work, runs)
        rows += [("python -c pass", bare, ""), ("migrender --version (start-up)", startup, "")]
        ours = timed([migrender, "validate", one], work, runs)
        theirs = timed([cjs, "--schemafile", schema, one], work, runs)
        rows += [
            ("check-jsonschema, 1 spec (schema only)", theirs, ""),
            (
                "migrender validate, 1 spec (schema + hardware)",
                ours,
                f"{ours / theirs:.2f} x check-jsonschema",
            ),
        ]
        for n in (100, 1000):
            t = timed([migrender, "validate", fleets[n]], work, big_runs)
            rows.append(
                (
                    f"migrender validate, {n} environments",
                    t,
                    f"{(t - startup) / n * 1000:.2f} ms per environment",
                )
            )
        for n in (100, 1000):
            out = work / f"out-{n}"
            t = timed([migrender, "render", fleets[n], "--out", out], work, big_runs)
            rows.append(
                (
                    f"migrender render, {n} environments",
                    t,
                    f"{(t - startup) / n * 1000:.2f} ms per environment",
                )
            )
            shutil.rmtree(out, ignore_errors=True)

        engine = subprocess.run(
            [python, "-c", ENGINE_SNIPPET], capture_output=True, text=True, check=True
        ).stdout.split()
        rows.append(
            (
                f"placement engine: every fitting multiset of {engine[0]} models",
                float(engine[1]),
                f"slowest model {float(engine[2]) * 1000:.1f} ms, in-process",
            )
        )

    print(f"machine: {machine()}")
    print(f"median of {runs} runs (fleets: {big_runs}), wall clock, start-up included\n")
    width = max(len(r[0]) for r in rows)
    print(f"| {'what'.ljust(width)} | seconds | note |")
    print(f"| {'-' * width} | ---: | --- |")
    for what, seconds, note in rows:
        print(f"| {what.ljust(width)} | {seconds:.3f} | {note} |")


if __name__ == "__main__":
    main()

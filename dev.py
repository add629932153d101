#!/usr/bin/env python3
"""The project's two everyday commands, each setting itself up on a fresh clone.

    python3 dev.py demo   # install, then validate and render the bundled environments/
    python3 dev.py test   # install with test tools, then ruff and the test suite
    python3 dev.py catalog  # recompile migrender/data/catalog.json after editing catalog.yaml

Both create ./.venv on first use and need nothing but Python 3.11+ and pip.
Extra arguments after `test` go to pytest (e.g. `python3 dev.py test -k render`).
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def run(*args: str | Path) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    done = subprocess.run([str(a) for a in args], cwd=ROOT, check=False)
    if done.returncode:
        sys.exit(done.returncode)


def ensure_venv(extra: str) -> None:
    if not (BIN / "python").exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    target = f".[{extra}]" if extra else "."
    run(
        BIN / "python",
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "-e",
        target,
    )


def demo() -> None:
    ensure_venv("")
    run(BIN / "migrender", "validate", "environments")
    run(BIN / "migrender", "render", "environments", "--out", "rendered")
    run(BIN / "migrender", "plan", "environments")


def test(pytest_args: list[str]) -> None:
    ensure_venv("test")
    run(BIN / "ruff", "check", ".")
    run(BIN / "python", "-m", "pytest", *pytest_args)


def main() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036  (dev.py may run under an older python3)
        sys.exit("migrender needs Python 3.11 or newer")
    command, *rest = sys.argv[1:] or ["help"]
    if command == "demo":
        demo()
    elif command == "test":
        test(rest)
    elif command == "catalog":
        ensure_venv("")
        run(
            BIN / "python",
            "-c",
            "from migrender.catalog import compile_source, load_source; "
            "import pathlib; pathlib.Path('migrender/data/catalog.json').write_text("
            "compile_source(load_source()), encoding='utf-8')",
        )
    else:
        print(__doc__)
        sys.exit(0 if command in ("help", "-h", "--help") else 2)


if __name__ == "__main__":
    main()

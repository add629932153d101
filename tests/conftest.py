"""Shared test fixtures: repository paths, the upstream reference folder, golden updates."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
# Upstream CRDs and NVIDIA configs, kept beside the repository; absent on a plain clone.
REFERENCE = ROOT.parent / "shared" / "reference"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite golden files from the current output (review the diff before committing)",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def reference_file(name: str) -> Path:
    """A file of the upstream reference folder, or a clean skip when it is absent."""
    path = REFERENCE / name
    if not path.is_file():
        pytest.skip(f"upstream reference {name} is not available")
    return path

"""Shared test fixtures: repository paths, the upstream reference folder, golden updates."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Property tests: a modest run in CI, a long one on demand
# (HYPOTHESIS_PROFILE=long python3 dev.py test -k property).
settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "long", max_examples=5000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
# Upstream CRDs, chart values and NVIDIA's default MIG config, kept in a folder beside the
# repository (or where MIGRENDER_REFERENCE points); tests that need it skip without it.
REFERENCE = Path(os.environ.get("MIGRENDER_REFERENCE", ROOT.parent / "shared" / "reference"))


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

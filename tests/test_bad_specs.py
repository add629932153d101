"""Golden error output for a folder of bad specs: each tests/data/bad/X.yaml has X.expected."""

from __future__ import annotations

import pytest

from conftest import DATA
from migrender.problems import format_text
from migrender.validate import all_problems, validate_sources

BAD = DATA / "bad"
CASES = sorted(BAD.glob("*.yaml"))


def test_there_are_enough_bad_specs() -> None:
    assert len(CASES) >= 25


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_bad_spec_reports_exactly_the_expected_lines(case, update_golden) -> None:
    results = validate_sources([(case.name, case.read_bytes())])
    output = format_text(all_problems(results))
    expected = case.with_suffix(".expected")
    if update_golden:
        expected.write_text(output, encoding="utf-8")
    assert output == expected.read_text(encoding="utf-8")
    assert not results[0].ok
    assert all(line.startswith(f"{case.name}:") for line in output.splitlines())

"""The README's examples are real: its spec validates and its commands exist."""

from __future__ import annotations

import re

from click.testing import CliRunner

from conftest import ROOT
from migrender.cli import cli
from migrender.validate import validate_sources

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_full_spec_example_is_valid() -> None:
    section = README.split("## The cluster spec", 1)[1]
    example = re.search(r"```yaml\n(.*?)```", section, re.S).group(1)
    result = validate_sources([("README.md", example.encode())])[0]
    assert result.ok, result.problems
    # Only stranded-capacity warnings: 7 x 1g.10gb leaves a memory slice, 2 x 3g.40gb a
    # compute slice.
    assert [p.rule for p in result.problems] == ["stranded", "stranded"]


def test_every_command_in_the_table_exists() -> None:
    documented = set(re.findall(r"^\| `migrender (\w+)", README, re.M))
    assert documented == set(cli.commands)
    for command in documented:
        assert CliRunner().invoke(cli, [command, "--help"]).exit_code == 0

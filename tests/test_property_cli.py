"""Property tests of the whole pipeline on mutated specs: exit 0 or 1 only, every problem
positioned, and every accepted spec renders to YAML that re-parses and fits its schemas."""

from __future__ import annotations

import re

import yaml
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from conftest import REFERENCE, ROOT
from kube_schemas import schema_errors
from migrender.cli import cli
from migrender.render import render_spec
from migrender.validate import validate_sources
from strategies import mutated_specs

LINE = re.compile(r"^spec\.yaml:\d+:\d+: (error|warning): \S.*$")
TEXTS = {p.parent.name: p.read_text() for p in (ROOT / "environments").glob("*/cluster.yaml")}


@st.composite
def mutated_texts(draw: st.DrawFn) -> bytes:
    """An example spec's text with its YAML structure damaged: lines dropped, repeated,
    re-indented, or characters inserted."""
    lines = draw(st.sampled_from(sorted(TEXTS.items())))[1].splitlines()
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["drop", "repeat", "indent", "dedent", "insert"]))
        if action == "drop":
            del lines[i]
        elif action == "repeat":
            lines.insert(i, lines[i])
        elif action == "indent":
            lines[i] = "  " + lines[i]
        elif action == "dedent":
            lines[i] = lines[i].lstrip()
        else:
            at = draw(st.integers(0, len(lines[i])))
            junk = draw(st.text(st.sampled_from(list(":-[]{}&*!|>'\"#%@` \t,?x0")), max_size=3))
            lines[i] = lines[i][:at] + junk + lines[i][at:]
        if not lines:
            break
    return ("\n".join(lines) + "\n").encode()


def documents() -> st.SearchStrategy[bytes]:
    dumped = mutated_specs().map(
        lambda d: yaml.safe_dump(d, sort_keys=False, allow_unicode=True).encode()
    )
    return st.one_of(dumped, mutated_texts())


def check(raw: bytes, tmp_path_factory) -> None:
    folder = tmp_path_factory.mktemp("spec")
    (folder / "spec.yaml").write_bytes(raw)
    runner = CliRunner()
    import os

    cwd = os.getcwd()
    os.chdir(folder)
    try:
        result = runner.invoke(cli, ["validate", "spec.yaml"])
    finally:
        os.chdir(cwd)
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output
    for line in result.stdout.splitlines():
        assert LINE.match(line), line
    (spec_result,) = validate_sources([("spec.yaml", raw)])
    assert (result.exit_code == 0) == spec_result.ok
    if not spec_result.ok:
        return
    files = render_spec(spec_result.spec)
    for name, text in files.items():
        docs = [d for d in yaml.safe_load_all(text) if d is not None]
        assert docs, name
        if REFERENCE.is_dir() and name != "gpu-operator-values.yaml":
            for obj in docs:
                if "kustomize.config" in str(obj.get("apiVersion")):
                    continue
                assert not schema_errors(obj, spec_result.spec.operator.version_tuple), (name, obj)


@given(documents())
def test_property_mutated_specs(tmp_path_factory, raw: bytes) -> None:
    check(raw, tmp_path_factory)

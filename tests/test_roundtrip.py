"""Hostile strings in every free-text field come back exactly from the rendered YAML."""

from __future__ import annotations

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from migrender.render import render_spec
from migrender.validate import validate_sources
from migrender.yamlout import quote

# Any unicode a YAML file can carry: no surrogates (not encodable as UTF-8).
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=80)
TRICKY = [
    "on",
    "y",
    "no",
    "0o10",
    "12:30",
    "#x",
    "a: b",
    "- x",
    "line\nbreak",
    "\u0085",
    "\u2028",
    "caf\u00e9 \U0001f680",
    "'\"",
    "{{ x }}",
    "{% if %}",
    "null",
    "~",
    " ",
    "",
]


def spec_bytes(display_name: str, description: str) -> bytes:
    # Double-quoted by the emitter (tested above against two parsers): PyYAML's own dump
    # is lossy for some characters (a raw U+0085 in a single-quoted scalar reads as a space).
    return f"""\
apiVersion: migrender.io/v1
kind: ClusterSpec
metadata:
  name: hostile
platform: openshift
gpuOperator:
  version: v26.7.0
openshiftAI:
  version: "2.22"
  profiles:
    - profile: 1g.6gb
      displayName: {quote(display_name)}
      description: {quote(description)}
nodePools:
  - name: a30
    gpu: A30
    gpusPerNode: 1
    nodes: [worker-0]
    mig: all-balanced
""".encode()


@given(TEXT)
@example("\x00\x07\x1b")
@example("\ud7ff\ue000\ufffe")
def test_quote_round_trips_for_every_string(value: str) -> None:
    assert yaml.safe_load(quote(value)) == value
    # YAML 1.1 (PyYAML) and YAML 1.2 (ruamel) readers agree.
    from ruamel.yaml import YAML

    assert YAML(typ="safe", pure=True).load(quote(value)) == value


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(st.sampled_from(TRICKY), TEXT.filter(lambda s: s.strip())),
    st.one_of(st.sampled_from(TRICKY), TEXT),
)
def test_display_strings_survive_render(display_name: str, description: str) -> None:
    result = validate_sources([("hostile.yaml", spec_bytes(display_name, description))])[0]
    if not result.ok:  # e.g. an empty display name: refused with a positioned error
        assert all(p.line >= 1 for p in result.problems)
        return
    files = render_spec(result.spec)
    (profile,) = [d for d in yaml.safe_load_all(files["openshift-ai-profiles.yaml"]) if d]
    assert profile["spec"]["displayName"] == display_name
    assert profile["spec"]["description"] == description


@given(st.text(st.characters(min_codepoint=0, max_codepoint=0x7F), max_size=40))
def test_quote_fast_path_is_what_the_emitter_writes(value: str) -> None:
    from migrender.yamlout import _emit

    assert quote(value) == _emit(value)

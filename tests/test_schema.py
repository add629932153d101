"""The JSON Schema itself: strict, documented, and accepting every example environment."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from conftest import ROOT
from migrender.schema import schema_document
from migrender.source import load

SCHEMA_FILE = ROOT / "schemas" / "cluster.schema.json"


def walk(node: Any, path: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        if "type" in node or "enum" in node or "const" in node or "oneOf" in node:
            yield path, node
        for key, value in node.items():
            yield from walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from walk(value, f"{path}/{i}")


def test_packaged_schema_is_the_repository_file() -> None:
    assert schema_document() == json.loads(SCHEMA_FILE.read_text())


def test_schema_is_valid_draft_2020_12() -> None:
    Draft202012Validator.check_schema(schema_document())
    assert schema_document()["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_every_object_is_closed() -> None:
    objects = [(p, n) for p, n in walk(schema_document()) if n.get("type") == "object"]
    assert objects
    for path, node in objects:
        if "properties" in node:
            assert node.get("additionalProperties") is False, path


def test_every_property_has_a_description() -> None:
    def properties(node: Any, path: str = "#") -> Iterator[tuple[str, Any]]:
        if isinstance(node, dict):
            for name, sub in node.get("properties", {}).items():
                yield f"{path}/{name}", sub
            for key, value in node.items():
                yield from properties(value, f"{path}/{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                yield from properties(value, f"{path}/{i}")

    found = list(properties(schema_document()))
    assert len(found) > 25
    for path, sub in found:
        assert sub.get("description"), path


def test_defaults_are_valid_values() -> None:
    for path, node in walk(schema_document()):
        if "default" in node:
            errors = list(Draft202012Validator(node).iter_errors(node["default"]))
            assert not errors, path


@pytest.mark.parametrize(
    "spec", sorted((ROOT / "environments").glob("*/cluster.yaml")), ids=lambda p: p.parent.name
)
def test_examples_pass_the_schema(spec) -> None:
    data = load(str(spec), spec.read_bytes()).data
    assert not list(Draft202012Validator(schema_document()).iter_errors(data))

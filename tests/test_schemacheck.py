"""migrender's small schema validator agrees with jsonschema on the spec schema."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from jsonschema import Draft202012Validator

from migrender.schema import schema_document
from migrender.schemacheck import Validator, check_keywords
from strategies import EXAMPLES, mutated_specs


def error_keys(errors) -> set[tuple[tuple, str]]:
    """(path, keyword) of every error, descending into oneOf branches the same way."""
    keys = set()
    for error in errors:
        keys.add((tuple(error.absolute_path), error.validator))
        keys |= error_keys(error.context or [])
    return keys


def test_refuses_keywords_it_does_not_implement() -> None:
    with pytest.raises(ValueError, match="patternProperties"):
        check_keywords({"type": "object", "patternProperties": {"^x": {}}})


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_examples_are_valid_for_both(name) -> None:
    assert not list(Validator(schema_document()).iter_errors(EXAMPLES[name]))
    assert not list(Draft202012Validator(schema_document()).iter_errors(EXAMPLES[name]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_specs())
def test_same_errors_as_jsonschema(doc) -> None:
    ours = error_keys(Validator(schema_document()).iter_errors(doc))
    theirs = error_keys(Draft202012Validator(schema_document()).iter_errors(doc))
    assert ours == theirs


def test_integer_means_int_not_integral_float() -> None:
    doc = {
        **EXAMPLES["eks-p5"],
        "nodePools": [{**EXAMPLES["eks-p5"]["nodePools"][0], "gpusPerNode": 8.0}],
    }
    errors = list(Validator(schema_document()).iter_errors(doc))
    assert [(tuple(e.absolute_path), e.validator) for e in errors] == [
        (("nodePools", 0, "gpusPerNode"), "type")
    ]

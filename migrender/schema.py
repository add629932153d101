"""The JSON Schema of the cluster spec, and its errors in words a person reads.

jsonschema reports where the schema failed; users need to know where *their
file* is wrong and what to write instead. Each validator kind gets a message
of its own, positioned at the offending key or value. Where the schema offers
alternatives (``mig`` is a layout name or a list), the branch that matches the
value's type explains the error; when none does, the schema's ``x-expected``
says in plain words what was expected.
"""

from __future__ import annotations

import difflib
import functools
import json
from collections.abc import Iterator
from typing import Any

from migrender.problems import Problem
from migrender.resources import read_text
from migrender.schemacheck import SchemaError, Validator, is_type
from migrender.source import Document, describe_type, odd_characters

_TYPE_WORDS = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "object": "a mapping",
    "array": "a list",
    "null": "null",
}


@functools.cache
def schema_document() -> dict[str, Any]:
    """The spec's JSON Schema, as shipped in the package."""
    text = read_text("migrender.schemas", "cluster.schema.json")
    return json.loads(text)


@functools.cache
def _validator() -> Validator:
    # The schema's validity against the 2020-12 metaschema is checked by the tests.
    return Validator(schema_document())


def schema_problems(doc: Document) -> list[Problem]:
    """Every place the document breaks the schema, one problem each."""
    found: set[Problem] = set()
    for error in _validator().iter_errors(doc.data):
        found.update(_explain(doc, error))
    return sorted(found)


def _field(path: tuple[Any, ...]) -> str:
    """The dotted name of a path, as a user would write it: nodePools[1].mig."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "the document"


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return repr(value) if len(value) <= 60 else repr(value[:57] + "...")
    if isinstance(value, (bool, int, float)) or value is None:
        return json.dumps(value)
    return describe_type(value)


def _got(value: Any) -> str:
    kind = describe_type(value)
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return f"{kind} ({_shown(value)})"
    return kind


def _first_sentence(text: str) -> str:
    return text.split(". ")[0].rstrip(".")


def _lower_first(text: str) -> str:
    """'Groups of nodes' -> 'groups of nodes', but 'GPU Operator' stays as it is."""
    if len(text) > 1 and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def _suggest(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if not close:
        close = [c for c in choices if c.lower() == word.lower()]
    return close[0] if close else ""


def _branch_type_matches(branch: dict[str, Any], value: Any) -> bool:
    if "const" in branch:
        return value == branch["const"]
    expected = branch.get("type")
    if expected is None:
        return True
    types = [expected] if isinstance(expected, str) else expected
    return any(is_type(value, t) for t in types)


def _explain(doc: Document, error: SchemaError) -> Iterator[Problem]:
    path = tuple(error.absolute_path)
    kind = error.validator
    value = error.instance
    schema = error.schema
    name = _field(path)

    if kind in ("oneOf", "anyOf"):
        branches = error.validator_value
        matching = [i for i, b in enumerate(branches) if _branch_type_matches(b, value)]
        if len(matching) == 1:
            sub = [e for e in error.context or [] if e.relative_schema_path[0] == matching[0]]
            if sub:
                for inner in sub:
                    yield from _explain(doc, inner)
                return
        expected = schema.get("x-expected", "one of the allowed forms")
        yield doc.problem(path, "schema", f"{name} must be {expected}", f"got {_got(value)}")
    elif kind == "required":
        present = value if isinstance(value, dict) else {}
        properties = schema.get("properties") or (
            schema_document()["properties"] if not path else {}
        )
        for key in error.validator_value:
            if key in present:
                continue
            about = properties.get(key, {}).get("description", "")
            yield doc.problem(
                path,
                "schema",
                f"missing required key '{key}' in {name}",
                f"add {key}: {_lower_first(_first_sentence(about))}" if about else f"add {key}",
            )
    elif kind == "additionalProperties":
        allowed = sorted(schema.get("properties", {}))
        for key in value:
            if key in allowed:
                continue
            close = _suggest(key, allowed)
            hint = f"did you mean '{close}'?" if close else f"allowed keys: {', '.join(allowed)}"
            yield doc.problem(
                (*path, key), "schema", f"unknown key '{key}' in {name}", hint, at_key=True
            )
    elif kind == "type":
        expected = error.validator_value
        words = " or ".join(
            _TYPE_WORDS.get(t, t) for t in ([expected] if isinstance(expected, str) else expected)
        )
        hint = f"got {_got(value)}"
        if expected == "string" and isinstance(value, (int, float, bool)):
            hint += "; quote the value so YAML reads it as text"
        yield doc.problem(path, "schema", f"{name} must be {words}", hint)
    elif kind == "enum":
        choices = [str(c) for c in error.validator_value]
        close = _suggest(str(value), choices) if isinstance(value, str) else ""
        hint = f"did you mean '{close}'?" if close else f"got {_got(value)}"
        yield doc.problem(path, "schema", f"{name} must be one of: {', '.join(choices)}", hint)
    elif kind == "const":
        yield doc.problem(
            path,
            "schema",
            f"{name} must be {_shown(error.validator_value)}",
            f"got {_got(value)}",
        )
    elif kind == "pattern":
        expected = schema.get("x-expected", f"a value matching {error.validator_value}")
        odd = odd_characters(value)
        if odd:
            expected += f"; it contains {odd}"
        yield doc.problem(
            path, "schema", f"{name} {_shown(value)} is not valid", f"expected {expected}"
        )
    elif kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        bound = {
            "minimum": "at least",
            "maximum": "at most",
            "exclusiveMinimum": "more than",
            "exclusiveMaximum": "less than",
        }[kind]
        yield doc.problem(
            path,
            "schema",
            f"{name} must be {bound} {error.validator_value}",
            f"got {_shown(value)}",
        )
    elif kind == "minItems":
        yield doc.problem(
            path,
            "schema",
            f"{name} must not be empty",
            f"list at least {error.validator_value} item(s)",
        )
    elif kind in ("maxItems", "maxProperties"):
        yield doc.problem(
            path,
            "schema",
            f"{name} has more than {error.validator_value} entries",
            "migrender's limit for one cluster spec; split the environment",
        )
    elif kind == "minProperties":
        yield doc.problem(
            path,
            "schema",
            f"{name} must not be empty",
            f"give at least {error.validator_value} entry",
        )
    elif kind == "minLength":
        yield doc.problem(path, "schema", f"{name} must not be empty", "write a value")
    elif kind == "maxLength":
        yield doc.problem(
            path,
            "schema",
            f"{name} is longer than {error.validator_value} characters",
            "shorten it",
        )
    else:
        yield doc.problem(path, "schema", f"{name}: {error.message}")

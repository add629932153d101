"""A small JSON Schema (2020-12) validator for the keywords the spec schema uses.

Why not jsonschema at run time: importing it costs about 80 ms, a third of a
pre-commit hook's budget, for a schema that uses a dozen keywords. This module
implements exactly those keywords and refuses a schema with any other (so the
schema cannot silently outgrow it); the test suite checks that it reports the
same errors as jsonschema on valid and mutated specs, and validates the schema
itself against the 2020-12 metaschema.

One deliberate difference: ``"type": "integer"`` accepts Python ints only, not
floats such as ``8.0``; a GPU count written as a float is a typo, and the
spec model counts with integers.
"""

from __future__ import annotations

import functools
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

#: Keywords that only document (or are read by the error messages).
ANNOTATIONS = frozenset({"$schema", "$id", "title", "description", "default", "x-expected"})
#: Keywords this validator checks.
ASSERTIONS = frozenset(
    {
        "type",
        "enum",
        "const",
        "pattern",
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "properties",
        "additionalProperties",
        "required",
        "minProperties",
        "maxProperties",
        "items",
        "minItems",
        "maxItems",
        "oneOf",
        "allOf",
        "if",
        "then",
    }
)


@dataclass
class SchemaError:
    """One failed keyword, shaped like jsonschema's ValidationError where it is read."""

    validator: str
    validator_value: Any
    instance: Any
    schema: dict[str, Any]
    absolute_path: deque[str | int]
    relative_schema_path: deque[str | int]
    message: str
    context: list[SchemaError] = field(default_factory=list)


def is_type(value: Any, name: str) -> bool:
    if name == "object":
        return isinstance(value, dict)
    if name == "array":
        return isinstance(value, list)
    if name == "string":
        return isinstance(value, str)
    if name == "boolean":
        return isinstance(value, bool)
    if name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if name == "null":
        return value is None
    raise ValueError(f"unknown JSON Schema type {name!r}")


def _equal(a: Any, b: Any) -> bool:
    """JSON equality: true is not 1, 1 equals 1.0."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    return bool(a == b)


@functools.cache
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def check_keywords(schema: Any, where: str = "#") -> None:
    """Refuse a schema that uses a keyword this validator does not implement."""
    if isinstance(schema, list):
        for i, sub in enumerate(schema):
            check_keywords(sub, f"{where}/{i}")
        return
    if not isinstance(schema, dict):
        return
    for key, value in schema.items():
        if key not in ANNOTATIONS | ASSERTIONS and not key.startswith("x-"):
            raise ValueError(f"{where}: keyword {key!r} is not supported by schemacheck")
        if key == "properties":
            for name, sub in value.items():
                check_keywords(sub, f"{where}/properties/{name}")
        elif key in ("items", "additionalProperties", "if", "then", "oneOf", "allOf"):
            check_keywords(value, f"{where}/{key}")


class Validator:
    """Validates instances against one schema (checked for supported keywords once)."""

    def __init__(self, schema: dict[str, Any]) -> None:
        check_keywords(schema)
        self.schema = schema

    def iter_errors(self, instance: Any) -> Iterator[SchemaError]:
        yield from self._errors(instance, self.schema, deque(), deque())

    def is_valid(self, instance: Any, schema: dict[str, Any]) -> bool:
        return next(self._errors(instance, schema, deque(), deque()), None) is None

    def _error(
        self,
        keyword: str,
        instance: Any,
        schema: dict[str, Any],
        path: deque[Any],
        spath: deque[Any],
        message: str,
        context: list[SchemaError] | None = None,
    ) -> SchemaError:
        return SchemaError(
            keyword,
            schema[keyword],
            instance,
            schema,
            deque(path),
            deque([*spath, keyword]),
            message,
            context or [],
        )

    def _errors(
        self, instance: Any, schema: dict[str, Any], path: deque[Any], spath: deque[Any]
    ) -> Iterator[SchemaError]:
        if "type" in schema:
            types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
            if not any(is_type(instance, t) for t in types):
                yield self._error(
                    "type",
                    instance,
                    schema,
                    path,
                    spath,
                    f"{instance!r} is not of type {schema['type']!r}",
                )
        if "const" in schema and not _equal(instance, schema["const"]):
            yield self._error(
                "const", instance, schema, path, spath, f"{schema['const']!r} was expected"
            )
        if "enum" in schema and not any(_equal(instance, e) for e in schema["enum"]):
            yield self._error(
                "enum",
                instance,
                schema,
                path,
                spath,
                f"{instance!r} is not one of {schema['enum']!r}",
            )
        if isinstance(instance, str):
            yield from self._string(instance, schema, path, spath)
        if isinstance(instance, (int, float)) and not isinstance(instance, bool):
            if "minimum" in schema and instance < schema["minimum"]:
                yield self._error(
                    "minimum",
                    instance,
                    schema,
                    path,
                    spath,
                    f"{instance!r} is less than the minimum",
                )
            if "maximum" in schema and instance > schema["maximum"]:
                yield self._error(
                    "maximum",
                    instance,
                    schema,
                    path,
                    spath,
                    f"{instance!r} is greater than the maximum",
                )
        if isinstance(instance, dict):
            yield from self._object(instance, schema, path, spath)
        if isinstance(instance, list):
            yield from self._array(instance, schema, path, spath)
        if "oneOf" in schema:
            context: list[SchemaError] = []
            valid = 0
            for i, branch in enumerate(schema["oneOf"]):
                errors = list(self._errors(instance, branch, path, deque([i])))
                valid += not errors
                context.extend(errors)
            if valid != 1:
                yield self._error(
                    "oneOf",
                    instance,
                    schema,
                    path,
                    spath,
                    f"{instance!r} is not valid under exactly one of the schemas",
                    context,
                )
        for i, sub in enumerate(schema.get("allOf", ())):
            yield from self._errors(instance, sub, path, deque([*spath, "allOf", i]))
        if "if" in schema and "then" in schema and self.is_valid(instance, schema["if"]):
            yield from self._errors(instance, schema["then"], path, deque([*spath, "then"]))

    def _string(
        self, instance: str, schema: dict[str, Any], path: deque[Any], spath: deque[Any]
    ) -> Iterator[SchemaError]:
        if "minLength" in schema and len(instance) < schema["minLength"]:
            yield self._error("minLength", instance, schema, path, spath, "is too short")
        if "maxLength" in schema and len(instance) > schema["maxLength"]:
            yield self._error("maxLength", instance, schema, path, spath, "is too long")
        if "pattern" in schema and not _regex(schema["pattern"]).search(instance):
            yield self._error(
                "pattern",
                instance,
                schema,
                path,
                spath,
                f"{instance!r} does not match {schema['pattern']!r}",
            )

    def _object(
        self, instance: dict[str, Any], schema: dict[str, Any], path: deque[Any], spath: deque[Any]
    ) -> Iterator[SchemaError]:
        properties = schema.get("properties", {})
        for name, sub in properties.items():
            if name in instance:
                yield from self._errors(
                    instance[name], sub, deque([*path, name]), deque([*spath, "properties", name])
                )
        extra = [k for k in instance if k not in properties]
        additional = schema.get("additionalProperties", True)
        if additional is False and extra:
            yield self._error(
                "additionalProperties",
                instance,
                schema,
                path,
                spath,
                f"additional properties are not allowed: {extra!r}",
            )
        elif isinstance(additional, dict):
            for name in extra:
                yield from self._errors(
                    instance[name],
                    additional,
                    deque([*path, name]),
                    deque([*spath, "additionalProperties"]),
                )
        missing = [k for k in schema.get("required", ()) if k not in instance]
        if missing:
            yield self._error(
                "required",
                instance,
                schema,
                path,
                spath,
                f"required properties are missing: {missing!r}",
            )
        if "minProperties" in schema and len(instance) < schema["minProperties"]:
            yield self._error(
                "minProperties", instance, schema, path, spath, "has too few properties"
            )
        if "maxProperties" in schema and len(instance) > schema["maxProperties"]:
            yield self._error(
                "maxProperties", instance, schema, path, spath, "has too many properties"
            )

    def _array(
        self, instance: list[Any], schema: dict[str, Any], path: deque[Any], spath: deque[Any]
    ) -> Iterator[SchemaError]:
        if "minItems" in schema and len(instance) < schema["minItems"]:
            yield self._error("minItems", instance, schema, path, spath, "is too short")
        if "maxItems" in schema and len(instance) > schema["maxItems"]:
            yield self._error("maxItems", instance, schema, path, spath, "is too long")
        if "items" in schema:
            for i, item in enumerate(instance):
                yield from self._errors(
                    item, schema["items"], deque([*path, i]), deque([*spath, "items"])
                )

"""YAML scalars written by the YAML emitter itself, for templates to use as filters.

Every string that comes from a user or the catalog goes through :func:`quote`:
a double-quoted scalar produced by PyYAML, so `on`, `y`, `0o10`, `12:30`, `#x`,
`a: b`, newlines and any unicode read back exactly, by YAML 1.1 readers (go-yaml
v2, PyYAML) and YAML 1.2 readers alike. ``json.dumps`` is not a YAML quoter
(astral characters become surrogate pairs; U+0085 is read as a space).
"""

from __future__ import annotations

import re
from typing import Any

import yaml

_WIDTH = 2**31 - 1  # never fold: folding leaves trailing spaces and changes values


#: Printable ASCII but the two characters double quotes escape: such a string is emitted
#: as itself between quotes (a test holds this equal to the emitter's output).
_PLAIN_ASCII = re.compile(r"[ !#-\[\]-~]*")


def quote(value: Any) -> str:
    """A double-quoted YAML scalar for a string (numbers and booleans are refused)."""
    if not isinstance(value, str):
        raise TypeError(f"quote() takes a string, got {type(value).__name__}: {value!r}")
    if _PLAIN_ASCII.fullmatch(value):
        return f'"{value}"'
    return _emit(value)


def _emit(value: str) -> str:
    text = yaml.dump(
        value, Dumper=yaml.SafeDumper, default_style='"', allow_unicode=True, width=_WIDTH
    )
    return text.removesuffix("\n")


def boolean(value: Any) -> str:
    if not isinstance(value, bool):
        raise TypeError(f"boolean() takes a bool, got {value!r}")
    return "true" if value else "false"


def integer(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"integer() takes an int, got {value!r}")
    return str(value)


def flow_list(values: Any) -> str:
    """``[0, 1, "a"]``: integers as they are, strings quoted."""
    return "[" + ", ".join(integer(v) if isinstance(v, int) else quote(v) for v in values) + "]"


FILTERS = {"q": quote, "bool": boolean, "int": integer, "flow": flow_list}


def parse_all(text: str) -> list[Any]:
    """Every document of a YAML stream (the safe loader; the C one when present)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return [doc for doc in yaml.load_all(text, Loader=loader) if doc is not None]

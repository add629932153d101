"""Load a spec file into plain Python data that remembers where every value was.

ruamel.yaml's round-trip loader records the line and column of every key and
value; we walk its tree once, turn it into plain dicts, lists and scalars (what
jsonschema and the rules want), and keep the positions in a side table keyed by
the value's path, so any later finding can name ``file:line:col``.

Everything that can go wrong with the bytes themselves (not UTF-8, YAML syntax,
duplicate keys, tags, an empty file, a file that is not a mapping, a file too
big or too deep) becomes a :class:`~migrender.problems.Problem`, never an
exception.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from migrender.problems import Problem, Severity

#: Limits that keep hostile input from costing time or memory. A real cluster
#: spec is a few kilobytes, a handful of levels deep and a few hundred values.
MAX_FILE_BYTES = 1024 * 1024
MAX_DEPTH = 32
MAX_NODES = 20_000
MAX_INTEGER = 2**63 - 1

#: The YAML core tags whose values we accept; any other tag is refused.
_PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "map", "seq")
)

Path = tuple[str | int, ...]
Position = tuple[int, int]


class SpecLoadError(Exception):
    """The file could not be turned into data; ``problem`` says where and why."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.text)
        self.problem = problem


@dataclass
class Document:
    """A loaded spec: plain data plus the 1-based position of every key and value."""

    path: str
    data: Any
    value_positions: dict[Path, Position] = field(default_factory=dict)
    key_positions: dict[Path, Position] = field(default_factory=dict)

    def position(self, path: Path) -> Position:
        """Where the value at ``path`` starts; the nearest known parent otherwise."""
        for cut in range(len(path), -1, -1):
            found = self.value_positions.get(tuple(path[:cut]))
            if found is not None:
                return found
        return (1, 1)

    def key_position(self, path: Path) -> Position:
        """Where the key that holds the value at ``path`` is written."""
        return self.key_positions.get(tuple(path)) or self.position(path)

    def problem(
        self,
        path: Path,
        rule: str,
        message: str,
        hint: str = "",
        *,
        at_key: bool = False,
        severity: Severity = Severity.ERROR,
    ) -> Problem:
        line, col = self.key_position(path) if at_key else self.position(path)
        return Problem(self.path, line, col, severity, rule, message, hint)


def _problem(path: str, line: int, col: int, rule: str, message: str, hint: str = "") -> Problem:
    return Problem(path, line, col, Severity.ERROR, rule, message, hint)


def _offset_to_position(text: bytes, offset: int) -> Position:
    before = text[:offset]
    line = before.count(b"\n") + 1
    col = offset - (before.rfind(b"\n") + 1) + 1
    return line, col


def decode(path: str, raw: bytes) -> str:
    """Bytes to text, as UTF-8 (a BOM is allowed); anything else is a positioned error."""
    if len(raw) > MAX_FILE_BYTES:
        raise SpecLoadError(
            _problem(
                path,
                1,
                1,
                "file-too-large",
                f"file is larger than the limit of {MAX_FILE_BYTES:,} bytes",
                "a cluster spec is a few kilobytes; split the environment or check the file",
            )
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, col = _offset_to_position(raw, exc.start)
        raise SpecLoadError(
            _problem(
                path,
                line,
                col,
                "encoding",
                f"byte 0x{raw[exc.start]:02x} is not valid UTF-8",
                "save the file as UTF-8",
            )
        ) from None


def _too_deep(path: str) -> SpecLoadError:
    """The parser or the converter ran out of stack: far deeper than any real spec."""
    return SpecLoadError(
        _problem(
            path,
            1,
            1,
            "too-deep",
            "the document is nested too deeply to read",
            f"a cluster spec needs fewer than {MAX_DEPTH} levels",
        )
    )


def _mark_position(exc: Exception) -> Position:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        return mark.line + 1, mark.column + 1
    return 1, 1


def _first_occurrence(text: str, key: str, start: Any, line: int, col: int) -> int | None:
    """Line of the first ``key:`` in the same block mapping as the duplicate at line:col."""
    if start is None:
        return None
    lines = text.splitlines()
    for number in range(start.line + 1, line):
        candidate = lines[number - 1][col - 1 :]
        indent = lines[number - 1][: col - 1]
        if indent.strip(" -") == "" and re.match(rf"{re.escape(key)}\s*:", candidate):
            return number
    return None


def _parse(path: str, text: str) -> Any:
    # Imported here: ruamel.yaml costs tens of milliseconds and only commands
    # that read specs need it.
    from ruamel.yaml import YAML
    from ruamel.yaml.constructor import DuplicateKeyError
    from ruamel.yaml.error import YAMLError
    from ruamel.yaml.reader import ReaderError

    yaml = YAML(typ="rt", pure=True)
    yaml.allow_duplicate_keys = False
    try:
        return yaml.load(text)
    except DuplicateKeyError as exc:
        line, col = _mark_position(exc)
        found = re.search(r'duplicate key "(.*?)" with value', str(getattr(exc, "problem", "")))
        key = found.group(1) if found else ""
        first = _first_occurrence(text, key, exc.context_mark, line, col) if key else None
        raise SpecLoadError(
            _problem(
                path,
                line,
                col,
                "duplicate-key",
                f"duplicate key '{key}'" + (f" (first at line {first})" if first else "")
                if key
                else "duplicate key",
                "keep one; YAML keys in a mapping must be unique",
            )
        ) from None
    except ReaderError as exc:
        line, col = _offset_to_position(text.encode("utf-8"), len(text[: exc.position].encode()))
        raise SpecLoadError(
            _problem(
                path,
                line,
                col,
                "yaml-syntax",
                f"character U+{exc.character:04X} is not allowed in YAML"
                if isinstance(exc.character, int)
                else "a character is not allowed in YAML",
                "remove control characters from the file",
            )
        ) from None
    except YAMLError as exc:
        line, col = _mark_position(exc)
        what = str(getattr(exc, "problem", None) or exc).strip().splitlines()[0]
        context = str(getattr(exc, "context", None) or "")
        if "single document" in context:
            message, hint = (
                "the file holds more than one YAML document",
                "keep one cluster spec per file (environments/<name>/cluster.yaml)",
            )
        else:
            message = f"YAML syntax: {what}" + (f" ({context})" if context else "")
            hint = "fix the YAML at this position"
        raise SpecLoadError(_problem(path, line, col, "yaml-syntax", message, hint)) from None
    except RecursionError:
        raise _too_deep(path) from None
    except ValueError:
        # Python refuses to convert integers of thousands of digits; find the number.
        huge = re.search(r"\d{1000,}", text)
        at = len(text[: huge.start()].encode()) if huge else 0
        line, col = _offset_to_position(text.encode(), at)
        raise SpecLoadError(
            _problem(
                path,
                line,
                col,
                "integer-range",
                "integer is out of range",
                f"migrender reads integers up to {MAX_INTEGER:,}; check this value",
            )
        ) from None


class _Converter:
    """Turns ruamel's round-trip tree into plain data, recording positions."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.nodes = 0

    def fail(self, at: Position, rule: str, message: str, hint: str) -> SpecLoadError:
        return SpecLoadError(_problem(self.doc.path, at[0], at[1], rule, message, hint))

    def convert(self, node: Any, path: Path, at: Position) -> Any:
        from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar

        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self.fail(
                at,
                "too-many-values",
                f"the document expands to more than {MAX_NODES:,} values",
                "a cluster spec needs a few hundred; check for YAML aliases that multiply",
            )
        if len(path) > MAX_DEPTH:
            raise self.fail(
                at,
                "too-deep",
                f"the document is nested more than {MAX_DEPTH} levels deep",
                "a cluster spec needs a handful of levels",
            )
        self.doc.value_positions[path] = at
        tag = getattr(getattr(node, "tag", None), "value", None)
        if isinstance(node, TaggedScalar) and tag == "tag:yaml.org,2002:str":
            return str(node.value)
        if isinstance(node, TaggedScalar) or (tag is not None and tag not in _PLAIN_TAGS):
            shown = str(tag or node.tag).replace("tag:yaml.org,2002:", "!!")
            raise self.fail(
                at,
                "yaml-tag",
                f"YAML tag {shown} is not supported",
                "remove the tag; a cluster spec holds plain strings, numbers, lists and mappings",
            )
        if isinstance(node, CommentedMap):
            return dict(self._mapping_items(node, path))
        if isinstance(node, CommentedSeq):
            return [
                self.convert(item, (*path, index), _pos(node.lc.item(index)))
                for index, item in enumerate(node)
            ]
        if isinstance(node, int) and not isinstance(node, bool) and abs(node) > MAX_INTEGER:
            raise self.fail(
                at,
                "integer-range",
                "integer is out of range",
                f"migrender reads integers up to {MAX_INTEGER:,}; check this value",
            )
        return _plain_scalar(node)

    def _mapping_items(self, node: Any, path: Path) -> Iterator[tuple[str, Any]]:
        for key, value in node.items():
            key_at = _pos(node.lc.key(key))
            if not isinstance(key, str):
                raise self.fail(
                    key_at,
                    "key-type",
                    f"key {key!r} is not a string",
                    "write keys as plain words",
                )
            child = (*path, str(key))
            self.doc.key_positions[child] = key_at
            yield str(key), self.convert(value, child, _pos(node.lc.value(key)))


def _pos(pair: Any) -> Position:
    line, col = pair
    return line + 1, col + 1


def _plain_scalar(value: Any) -> Any:
    """ruamel's scalar subclasses to the plain Python type they stand for."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        # ruamel's ScalarBoolean subclasses int.
        return bool(value) if type(value).__name__ == "ScalarBoolean" else int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, datetime.date):
        return value
    return str(value)


def load(path: str, raw: bytes) -> Document:
    """Parse one spec file; raises :class:`SpecLoadError` for anything unreadable."""
    text = decode(path, raw)
    tree = _parse(path, text)
    doc = Document(path=path, data=None)
    if tree is None:
        raise SpecLoadError(
            _problem(
                path,
                1,
                1,
                "empty",
                "the file is empty",
                "a cluster spec starts with 'apiVersion: migrender.io/v1' and 'kind: ClusterSpec'",
            )
        )
    from ruamel.yaml.comments import CommentedMap

    if not isinstance(tree, CommentedMap):
        kind = "a list" if isinstance(tree, list) else describe_type(_plain_scalar(tree))
        raise SpecLoadError(
            _problem(
                path,
                1,
                1,
                "not-a-mapping",
                f"the document is {kind}, not a mapping",
                "a cluster spec is a mapping of apiVersion, kind, metadata, platform, "
                "gpuOperator and nodePools",
            )
        )
    try:
        doc.data = _Converter(doc).convert(tree, (), (tree.lc.line + 1, tree.lc.col + 1))
    except RecursionError:
        raise _too_deep(path) from None
    return doc


def odd_characters(text: str) -> str:
    """Names the first characters of ``text`` that are not printable ASCII, for messages
    about names: a Cyrillic o (U+043E) or a zero-width space looks right and never matches."""
    import unicodedata

    odd = []
    for char in dict.fromkeys(text):
        if " " < char < "\x7f":
            continue
        name = unicodedata.name(char, "a control character" if char < " " else "unnamed")
        odd.append(f"U+{ord(char):04X} ({name})")
    return ", ".join(odd[:3]) + (" and more" if len(odd) > 3 else "")


def describe_type(value: Any) -> str:
    """A value's kind in the words a YAML author uses."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, datetime.date):
        return "a date"
    return type(value).__name__

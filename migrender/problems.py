"""Problems found in a spec, and the formats they are printed in.

A problem is a plain record (yamllint's LintProblem is the model): where it is,
how bad it is, which rule found it, what is wrong and what would be right.
Formatters turn a sorted list of them into text, JSON or GitHub annotations.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """One finding, positioned 1-based at line and column of ``path``."""

    path: str
    line: int
    col: int
    severity: Severity
    rule: str
    message: str
    hint: str = ""

    @property
    def text(self) -> str:
        """The message with its hint: what is wrong; what would be right."""
        return f"{self.message}; {self.hint}" if self.hint else self.message


def has_errors(problems: Iterable[Problem]) -> bool:
    return any(p.severity is Severity.ERROR for p in problems)


def format_text(problems: list[Problem]) -> str:
    return "".join(f"{p.path}:{p.line}:{p.col}: {p.severity}: {p.text}\n" for p in problems)


def format_json(problems: list[Problem]) -> str:
    records = [{**asdict(p), "severity": str(p.severity)} for p in problems]
    return json.dumps(records, indent=2, ensure_ascii=False) + "\n"


def _github_escape(value: str, *, property_value: bool = False) -> str:
    # GitHub's workflow-command escaping: %, CR and LF always; ':' and ','
    # inside a property value.
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def format_github(problems: list[Problem]) -> str:
    lines = []
    for p in problems:
        props = ",".join(
            f"{key}={_github_escape(str(value), property_value=True)}"
            for key, value in (
                ("file", p.path),
                ("line", p.line),
                ("col", p.col),
                ("title", f"migrender {p.rule}"),
            )
        )
        lines.append(f"::{p.severity}{' ' + props}::{_github_escape(p.text)}\n")
    return "".join(lines)


FORMATTERS = {"text": format_text, "json": format_json, "github": format_github}

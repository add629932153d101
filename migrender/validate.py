"""Validation pipeline: bytes -> document -> schema -> spec -> rules.

Pure: it is handed file names and bytes and returns problems and specs; the
CLI does the reading. Rules run only on documents that pass the schema, so each
rule can trust the shape of the data it reads.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from migrender import hardware_rules  # noqa: F401  (registers the hardware rules)
from migrender.problems import Problem, has_errors
from migrender.rules import RuleContext, run_rules
from migrender.schema import schema_problems
from migrender.source import Document, SpecLoadError, load
from migrender.spec import ClusterSpec, build_spec


@dataclass
class SpecResult:
    """What validating one file found."""

    path: str
    problems: list[Problem] = field(default_factory=list)
    doc: Document | None = None
    spec: ClusterSpec | None = None

    @property
    def ok(self) -> bool:
        return self.spec is not None and not has_errors(self.problems)


def validate_source(path: str, raw: bytes | Problem) -> SpecResult:
    """Validate one spec; ``raw`` may already be the problem that kept it from being read."""
    result = SpecResult(path)
    if isinstance(raw, Problem):
        result.problems.append(raw)
        return result
    try:
        result.doc = load(path, raw)
    except SpecLoadError as exc:
        result.problems.append(exc.problem)
        return result
    result.problems.extend(schema_problems(result.doc))
    if result.problems:
        return result
    spec = build_spec(result.doc.data)
    result.problems.extend(run_rules(RuleContext(result.doc, spec)))
    result.spec = spec
    return result


def validate_sources(sources: Iterable[tuple[str, bytes | Problem]]) -> list[SpecResult]:
    """Validate every file, then the rules that span files."""
    results = [validate_source(path, raw) for path, raw in sources]
    first_by_name: dict[str, SpecResult] = {}
    for result in results:
        if result.spec is None or result.doc is None:
            continue
        first = first_by_name.setdefault(result.spec.name, result)
        if first is not result:
            result.problems.append(
                result.doc.problem(
                    ("metadata", "name"),
                    "duplicate-environment",
                    f"environment name '{result.spec.name}' is also used by {first.path}",
                    "each environment renders into rendered/<name>/; give each its own name",
                )
            )
    for result in results:
        result.problems.sort()
    return results


def all_problems(results: Iterable[SpecResult]) -> list[Problem]:
    return sorted(p for r in results for p in r.problems)

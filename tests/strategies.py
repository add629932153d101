"""Hypothesis strategies: valid example specs, mutated in type, value, key and structure."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st

from conftest import ROOT
from migrender.source import load

EXAMPLES = {
    p.parent.name: load(str(p), p.read_bytes()).data
    for p in sorted((ROOT / "environments").glob("*/cluster.yaml"))
}

# Values a YAML author might write anywhere. No integral floats such as 8.0: JSON Schema
# calls them integers, migrender's schema check deliberately does not.
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**40), max_value=2**40),
    st.floats(allow_nan=False, allow_infinity=False).filter(lambda f: not f.is_integer()),
    st.text(max_size=12),
    st.sampled_from(
        [
            "all-balanced",
            "1g.10gb",
            "A30",
            "H100-SXM5-80GB",
            "mixed",
            "single",
            "openshift",
            "kubernetes",
            "argocd",
            "flux",
            "v26.7.0",
            "v23.1.0",
            "2.22",
            "3.0",
            "auto",
            "worker-0",
            "all-1g.5gb",
            "3g.40gb",
            "olm",
            "helm",
        ]
    ),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.sampled_from(
                [
                    "name",
                    "gpu",
                    "mig",
                    "slices",
                    "gpus",
                    "x",
                    "nodes",
                    "enabled",
                    "profile",
                    "version",
                ]
            ),
            inner,
            max_size=3,
        ),
    ),
    max_leaves=6,
)


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _paths(value, (*path, i))
    return found


@st.composite
def mutated_specs(draw: st.DrawFn, max_mutations: int = 3) -> dict[str, Any]:
    """An example spec with a few random changes: replace, delete or add a value."""
    doc = copy.deepcopy(draw(st.sampled_from(sorted(EXAMPLES.items())))[1])
    for _ in range(draw(st.integers(0, max_mutations))):
        paths = _paths(doc)
        path = draw(st.sampled_from(paths[1:] or paths))
        parent = doc
        for part in path[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if not path:
            break
        key = path[-1]
        if action == "replace":
            parent[key] = draw(values)
        elif action == "delete":
            del parent[key]
        elif isinstance(parent[key], dict):
            parent[key][draw(st.sampled_from(["name", "extra", "gpu", "mig", "nodes"]))] = draw(
                values
            )
        elif isinstance(parent[key], list):
            parent[key].append(draw(values))
    return doc

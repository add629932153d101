"""The loader: plain data out, every key and value positioned, unreadable input explained."""

from __future__ import annotations

import pytest

from migrender.source import MAX_FILE_BYTES, SpecLoadError, load

TEXT = b"""\
a: 1
b:
  c: two
  d: [1, 2]
e:
  - x: 1
    y: "3"
"""


def test_plain_types_come_out() -> None:
    doc = load("f.yaml", TEXT)
    assert doc.data == {"a": 1, "b": {"c": "two", "d": [1, 2]}, "e": [{"x": 1, "y": "3"}]}
    assert type(doc.data["b"]) is dict
    assert type(doc.data["b"]["c"]) is str
    assert type(doc.data["a"]) is int


@pytest.mark.parametrize(
    ("path", "value_at", "key_at"),
    [
        (("a",), (1, 4), (1, 1)),
        (("b", "c"), (3, 6), (3, 3)),
        (("b", "d", 1), (4, 10), None),
        (("e", 0), (6, 5), None),
        (("e", 0, "y"), (7, 8), (7, 5)),
    ],
)
def test_positions_are_one_based(path, value_at, key_at) -> None:
    doc = load("f.yaml", TEXT)
    assert doc.position(path) == value_at
    if key_at:
        assert doc.key_position(path) == key_at


def test_unknown_path_falls_back_to_nearest_parent() -> None:
    doc = load("f.yaml", TEXT)
    assert doc.position(("b", "missing", 3)) == doc.position(("b",))


@pytest.mark.parametrize(
    ("raw", "line", "col", "rule"),
    [
        (b"", 1, 1, "empty"),
        (b"# only a comment\n", 1, 1, "empty"),
        (b"- a\n", 1, 1, "not-a-mapping"),
        (b"just text\n", 1, 1, "not-a-mapping"),
        (b"a: 1\nb: [\n", 3, 1, "yaml-syntax"),
        (b"a: 1\nb:\n  c: 1\n  c: 2\n", 4, 3, "duplicate-key"),
        (b"a: 1\nb: \xff\n", 2, 4, "encoding"),
        (b"a: !!python/object:os.system {}\n", 1, 4, "yaml-tag"),
        (b"a: !custom x\n", 1, 4, "yaml-tag"),
        (b"a:\n  1: x\n", 2, 3, "key-type"),
        (b"a: b\n---\na: c\n", 2, 1, "yaml-syntax"),
        (b"a: \x00\n", 1, 4, "yaml-syntax"),
    ],
)
def test_unreadable_input_is_one_positioned_problem(raw, line, col, rule) -> None:
    with pytest.raises(SpecLoadError) as caught:
        load("f.yaml", raw)
    problem = caught.value.problem
    assert (problem.line, problem.col, problem.rule) == (line, col, rule)
    assert problem.hint


def test_duplicate_key_names_both_lines() -> None:
    with pytest.raises(SpecLoadError) as caught:
        load("f.yaml", b"a: 1\nb: 2\na: 3\n")
    assert caught.value.problem.message == "duplicate key 'a' (first at line 1)"


def test_utf8_bom_and_unicode_are_accepted() -> None:
    assert load("f.yaml", "\ufeffname: caf\u00e9 \U0001f680\n".encode()).data == {
        "name": "caf\u00e9 \U0001f680"
    }


def test_oversized_file_is_refused_before_parsing() -> None:
    with pytest.raises(SpecLoadError) as caught:
        load("f.yaml", b"a: " + b"x" * MAX_FILE_BYTES + b"\n")
    assert caught.value.problem.rule == "file-too-large"


def test_alias_expansion_is_bounded() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 12):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    with pytest.raises(SpecLoadError) as caught:
        load("f.yaml", "\n".join(lines).encode())
    assert caught.value.problem.rule == "too-many-values"


def test_deep_nesting_is_refused() -> None:
    with pytest.raises(SpecLoadError) as caught:
        load("f.yaml", b"a: " + b"[" * 5000 + b"]" * 5000 + b"\n")
    assert caught.value.problem.rule == "too-deep"


def test_yaml_1_2_reads_norway_as_text() -> None:
    # ruamel reads YAML 1.2: `no` and `on` stay strings, so node names like these survive.
    assert load("f.yaml", b"a: no\nb: on\n").data == {"a": "no", "b": "on"}

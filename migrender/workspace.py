"""Finding and reading spec files: the only file-system reads of validation."""

from __future__ import annotations

from pathlib import Path

from migrender.source import MAX_FILE_BYTES

SPEC_FILE = "cluster.yaml"


class UsageError(Exception):
    """The command line points at something that is not there (exit 2)."""


def display_path(path: Path) -> str:
    """The path as the user would type it: relative to the working directory when inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def find_specs(paths: list[str]) -> list[Path]:
    """Spec files named by ``paths``: files as given, folders searched for */cluster.yaml."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            inside = sorted(p for p in path.glob(f"*/{SPEC_FILE}") if p.is_file())
            if (path / SPEC_FILE).is_file():
                inside.insert(0, path / SPEC_FILE)
            if not inside:
                raise UsageError(f"no */{SPEC_FILE} found under {raw}")
            found.extend(inside)
        else:
            raise UsageError(f"{raw}: no such file or folder")
    unique: dict[Path, Path] = {}
    for path in found:
        unique.setdefault(path.resolve(), path)
    return list(unique.values())


def read_specs(paths: list[str]) -> list[tuple[str, bytes]]:
    sources = []
    for path in find_specs(paths):
        try:
            with path.open("rb") as stream:
                # One byte over the limit is enough for the loader to refuse it.
                sources.append((display_path(path), stream.read(MAX_FILE_BYTES + 1)))
        except OSError as exc:
            raise UsageError(f"{path}: {exc.strerror or exc}") from None
    return sources

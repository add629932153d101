"""Finding and reading spec files: the only file-system reads of validation."""

from __future__ import annotations

from pathlib import Path

from migrender.problems import Problem, Severity
from migrender.source import MAX_FILE_BYTES

#: What reading a spec gives: its bytes, or the problem that kept it from being read.
Source = tuple[str, "bytes | Problem"]

SPEC_FILE = "cluster.yaml"


class UsageError(Exception):
    """The command line points at something that is not there (exit 2)."""


def display_path(path: Path) -> str:
    """The path as the user would type it: relative to the working directory when inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def find_specs(paths: list[str]) -> list[tuple[Path, Path | None]]:
    """Spec files named by ``paths``, each with the folder it was found in (None for a file
    named directly): files as given, folders searched for */cluster.yaml."""
    found: list[tuple[Path, Path | None]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_file():
            found.append((path, None))
        elif path.is_dir():
            inside = sorted(p for p in path.glob(f"*/{SPEC_FILE}") if p.is_file())
            if (path / SPEC_FILE).is_file():
                inside.insert(0, path / SPEC_FILE)
            if not inside:
                raise UsageError(f"no */{SPEC_FILE} found under {raw}")
            found.extend((p, path) for p in inside)
        else:
            raise UsageError(f"{raw}: no such file or folder")
    unique: dict[Path, tuple[Path, Path | None]] = {}
    for path, folder in found:
        unique.setdefault(path.resolve(), (path, folder))
    return list(unique.values())


def _escapes(path: Path, folder: Path) -> bool:
    """Whether a spec found in ``folder`` is a link to a file outside it."""
    return folder.resolve() not in path.resolve().parents


def read_specs(paths: list[str]) -> list[Source]:
    """Every spec's bytes, or a problem where a spec found in a folder links outside it
    (an Argo CD plugin renders whatever a repository points it at)."""
    sources: list[Source] = []
    for path, folder in find_specs(paths):
        shown = display_path(path) if folder is None else path.as_posix()
        if folder is not None and _escapes(path, folder):
            sources.append(
                (
                    shown,
                    Problem(
                        shown,
                        1,
                        1,
                        Severity.ERROR,
                        "symlink",
                        f"is a link to {path.resolve()}, outside {folder.as_posix()}",
                        "a spec found in a folder must be a file inside it; copy the file instead",
                    ),
                )
            )
            continue
        try:
            with path.open("rb") as stream:
                # One byte over the limit is enough for the loader to refuse it.
                sources.append((shown, stream.read(MAX_FILE_BYTES + 1)))
        except OSError as exc:
            raise UsageError(f"{path}: {exc.strerror or exc}") from None
    return sources

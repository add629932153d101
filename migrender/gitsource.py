"""Reading spec files as they were at a git revision, without touching the working tree.

``migrender diff`` compares a base revision with the working tree for the same PATHs. The
working tree is read by :mod:`migrender.workspace`; this module reads the same PATHs out of
git's object store (``git ls-tree`` and ``git cat-file`` run from the top level), with the
same rules: a spec file as given, or a folder's cluster.yaml and */cluster.yaml.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from migrender.source import MAX_FILE_BYTES
from migrender.workspace import SPEC_FILE, UsageError, read_specs

__all__ = ["GitTree", "read_both"]


def _git(args: list[str], cwd: Path | str | None = None) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError:
        raise UsageError("git is not installed (migrender diff reads the base with git)") from None


class GitTree:
    """The files of one commit of the repository that holds the working directory."""

    def __init__(self, ref: str) -> None:
        top = _git(["rev-parse", "--show-toplevel"])
        if top.returncode != 0:
            raise UsageError(f"{Path.cwd()}: not a git repository (diff compares with git)")
        self.top = Path(os.fsdecode(top.stdout.strip())).resolve()
        self.ref = ref
        if not ref:
            raise UsageError("--base needs a git revision")
        found = _git(
            ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"],
            cwd=self.top,
        )
        if found.returncode != 0:
            raise UsageError(f"unknown git revision '{ref}'")
        self.commit = found.stdout.decode().strip()

    def relative(self, raw: str) -> str:
        """``raw`` (relative to the working directory) as a path from the repository top."""
        target = Path(os.path.normpath(Path.cwd().resolve() / raw))
        try:
            rel = target.relative_to(self.top).as_posix()
        except ValueError:
            raise UsageError(f"{raw}: outside the git repository {self.top}") from None
        return "" if rel == "." else rel

    def spec_paths(self, raw: str) -> list[str]:
        """The spec files PATH names at the commit (none when it does not exist there)."""
        rel = self.relative(raw)
        listed = _git(
            ["ls-tree", "-r", "-z", "--full-tree", self.commit, "--", rel or "."], cwd=self.top
        )
        if listed.returncode != 0:
            raise UsageError(f"git ls-tree {self.ref}: {listed.stderr.decode().strip()}")
        blobs = []
        for entry in listed.stdout.split(b"\0"):
            if not entry:
                continue
            meta, _, name = entry.partition(b"\t")
            if meta.split()[1] == b"blob":
                blobs.append(os.fsdecode(name))
        if rel in blobs:
            return [rel]
        prefix = f"{rel}/" if rel else ""
        own = f"{prefix}{SPEC_FILE}"
        inside = sorted(
            b
            for b in blobs
            if b.startswith(prefix)
            and b.endswith(f"/{SPEC_FILE}")
            and b[len(prefix) :].count("/") == 1
        )
        return ([own] if own in blobs else []) + inside

    def read(self, rel: str) -> bytes:
        shown = _git(["cat-file", "blob", f"{self.commit}:{rel}"], cwd=self.top)
        if shown.returncode != 0:
            raise UsageError(f"{self.ref}:{rel}: {shown.stderr.decode().strip()}")
        # One byte over the limit is enough for the loader to refuse it.
        return shown.stdout[: MAX_FILE_BYTES + 1]


def read_both(
    ref: str, paths: list[str]
) -> tuple[list[tuple[str, bytes]], list[tuple[str, bytes]]]:
    """The specs PATHs name at ``ref`` (shown as ``ref:path``) and in the working tree.

    A PATH that exists on one side only is not an error: its environments were added or
    removed. A PATH found on neither side is a usage error, as for the other commands.
    """
    tree = GitTree(ref)
    base: dict[str, tuple[str, bytes]] = {}
    head: dict[str, tuple[str, bytes]] = {}
    for raw in paths:
        at_base = tree.spec_paths(raw)
        for rel in at_base:
            base.setdefault(rel, (f"{ref}:{rel}", tree.read(rel)))
        try:
            here = read_specs([raw])
        except UsageError:
            if not at_base:
                raise
            here = []
        for shown, raw_bytes in here:
            head.setdefault(str(Path(shown).resolve()), (shown, raw_bytes))
    return list(base.values()), list(head.values())

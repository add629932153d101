"""Writing rendered trees atomically, and comparing them with what is on disk.

An environment's folder is replaced as a whole: the new tree is written into a
temporary folder beside it, then swapped in with one rename (an atomic exchange
on Linux). Readers, GitOps controllers and a killed process all see either the
old tree or the new one, never a mix; files that no longer belong disappear
with the old tree. Leftovers of an interrupted run are cleared on the next one.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import os
import shutil
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_TMP_PREFIX = ".migrender-tmp-"
_OLD_PREFIX = ".migrender-old-"
_RENAME_EXCHANGE = 2


class OutputError(Exception):
    """The output folder cannot be written (read-only, full, not a folder...)."""


@functools.cache
def _renameat2() -> Any:
    """libc's renameat2, looked up once (find_library runs external tools); None without it."""
    if not sys.platform.startswith("linux"):
        return None
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return None
    return getattr(ctypes.CDLL(libc_name, use_errno=True), "renameat2", None)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths with renameat2(RENAME_EXCHANGE); False where unsupported."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    if result != 0:
        errno = ctypes.get_errno()
        if errno in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: file system cannot exchange
            return False
        raise OSError(errno, os.strerror(errno), str(b))
    return True


def _fsync_dir(path: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_files(root: Path, files: Mapping[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        if root.resolve() not in path.resolve().parents:
            raise OutputError(f"refusing to write {name}: outside {root}")
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
    _fsync_dir(root)


def clear_leftovers(out: Path) -> None:
    """Remove what an interrupted run left in ``out`` (one scan of the folder, so a fleet of
    a thousand environments does not cost a thousand scans)."""
    if not out.is_dir():
        return
    try:
        _clear(out)
    except OSError as exc:
        raise OutputError(f"cannot clean up {out}: {exc.strerror or exc}") from None


def _clear(out: Path) -> None:
    for entry in os.scandir(out):
        path = Path(entry.path)
        if entry.name.startswith(_TMP_PREFIX):
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
        elif entry.name.startswith(_OLD_PREFIX):
            env = entry.name[len(_OLD_PREFIX) :].rsplit("-", 1)[0]
            target = out / env
            if target.exists():
                shutil.rmtree(path, ignore_errors=True)
            else:  # killed between the two renames of the fallback: the old tree comes back
                path.rename(target)


def write_tree(out: Path, env: str, files: Mapping[str, str]) -> Path:
    """Replace ``out/env`` with exactly ``files``; the old tree stays until the new is whole.
    Call :func:`clear_leftovers` once before writing a set of trees."""
    target = out / env
    try:
        out.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f"{_TMP_PREFIX}{env}-", dir=out))
        try:
            os.chmod(staging, 0o755)
            _write_files(staging, files)
            if target.exists() and not target.is_dir():
                raise OutputError(f"{target} exists and is not a folder")
            if target.is_dir() and not target.is_symlink() and _exchange(staging, target):
                shutil.rmtree(staging)  # now holds the old tree
            elif target.is_dir():
                old = Path(tempfile.mkdtemp(prefix=f"{_OLD_PREFIX}{env}-", dir=out))
                old.rmdir()
                target.rename(old)
                staging.rename(target)
                shutil.rmtree(old)
            else:
                staging.rename(target)
            _fsync_dir(out)
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise OutputError(f"cannot write {target}: {reason}") from None
    return target


@dataclass(frozen=True)
class Drift:
    """How an environment's folder on disk differs from a fresh render."""

    env: str
    missing: tuple[str, ...]
    changed: tuple[str, ...]
    extra: tuple[str, ...]

    @property
    def clean(self) -> bool:
        return not (self.missing or self.changed or self.extra)


def compare_tree(out: Path, env: str, files: Mapping[str, str]) -> Drift:
    """Compare ``out/env`` with the files a fresh render would write."""
    target = out / env
    on_disk = (
        {
            p.relative_to(target).as_posix()
            for p in target.rglob("*")
            if p.is_file() or p.is_symlink()
        }
        if target.is_dir()
        else set()
    )
    missing, changed = [], []
    for name, text in files.items():
        path = target / name
        if name not in on_disk:
            missing.append(name)
        elif path.is_symlink() or path.read_bytes() != text.encode("utf-8"):
            changed.append(name)
    extra = sorted(on_disk - set(files))
    return Drift(env, tuple(missing), tuple(changed), tuple(extra))


def write_file(out: Path, name: str, text: str) -> Path:
    """Replace one file at the top of ``out`` atomically (write beside it, then rename)."""
    target = out / name
    try:
        out.mkdir(parents=True, exist_ok=True)
        fd, staging = tempfile.mkstemp(prefix=f"{_TMP_PREFIX}{name}-", dir=out)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as stream:
                stream.write(text)
                stream.flush()
                os.fsync(stream.fileno())
            os.chmod(staging, 0o644)
            os.replace(staging, target)
        finally:
            if os.path.exists(staging):
                os.unlink(staging)
        _fsync_dir(out)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
    return target

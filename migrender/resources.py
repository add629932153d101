"""Files shipped inside the package (schemas, catalog, templates).

``importlib.resources`` would do, but importing it pulls in tempfile, shutil and
zipfile support (about 10 ms of every run); the packages here are plain folders
on disk, in a normal and in an editable install alike, so finding the folder
through the import system is enough.
"""

from __future__ import annotations

import functools
import importlib.util
import os


@functools.cache
def package_dir(package: str) -> str:
    """The folder of a package that ships data files (``migrender.schemas``...)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"package {package} is not installed with migrender")
    return next(iter(spec.submodule_search_locations))


def read_text(package: str, name: str) -> str:
    with open(os.path.join(package_dir(package), name), encoding="utf-8") as stream:
        return stream.read()

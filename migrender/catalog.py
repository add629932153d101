"""The GPU hardware catalog: which NVIDIA boards exist and how MIG can carve them.

The facts live in ``migrender/data/catalog.yaml`` (data, reviewed like data, each with a
source); this module only loads them into immutable objects and refuses a catalog that
contradicts itself, so every other module can trust what it reads.
"""

from __future__ import annotations

import difflib
import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from migrender.naming import resource_suffix
from migrender.resources import read_text

#: The reviewed source of the hardware facts, and the same data compiled to JSON, which is
#: what the tool reads: parsing JSON costs a millisecond, the YAML (and importing a YAML
#: parser) twenty-five, on every pre-commit run. `python3 dev.py catalog` regenerates the
#: JSON; a test fails when the two disagree.
SOURCE_FILE = "catalog.yaml"
COMPILED_FILE = "catalog.json"

__all__ = [
    "MEDIA_KINDS",
    "Catalog",
    "GpuModel",
    "Profile",
    "load_catalog",
    "parse_catalog",
]

#: Media-engine variants of a profile. ``me`` and ``me.all`` take engines that exist once per
#: GPU, so at most one instance with either can live on a GPU.
MEDIA_KINDS: frozenset[str] = frozenset({"none", "me", "me.all", "-me"})
EXCLUSIVE_MEDIA: frozenset[str] = frozenset({"me", "me.all"})

_DEVICE_ID = re.compile(r"^0x[0-9A-F]{4}10DE$")


@dataclass(frozen=True)
class Profile:
    """One GPU instance profile of one model, as ``nvidia-smi mig -lgip/-lgipp`` shows it."""

    name: str
    compute: int  # compute (SM) slices
    memory: int  # memory slices
    memory_gb: int
    max_count: int  # most instances of this profile on one GPU
    placements: tuple[int, ...]  # allowed start positions, in memory slices
    size: int  # memory slices covered by one placement
    media: str  # one of MEDIA_KINDS
    gfx: bool

    @property
    def resource_suffix(self) -> str:
        """Name as a Kubernetes resource suffix (``nvidia.com/mig-<suffix>``): ``+`` -> ``.``."""
        return resource_suffix(self.name)

    @property
    def exclusive_media(self) -> bool:
        """True when the instance takes media engines only one instance per GPU can own."""
        return self.media in EXCLUSIVE_MEDIA


# eq=False: a model holds dicts, so value hashing is impossible; identity hashing lets the
# geometry engine memoise on the model object itself.
@dataclass(frozen=True, eq=False)
class GpuModel:
    """A GPU model: identity (ids, names, PCI ids), MIG geometry and named layouts."""

    id: str
    name: str
    aliases: tuple[str, ...]
    device_ids: tuple[str, ...]
    memory_gb: int
    mig: bool
    compute_slices: int
    memory_slices: int
    profiles: dict[str, Profile]  # catalog (nvidia-smi) order
    layouts: dict[str, dict[str, int] | None]  # None: MIG disabled
    source: str
    placement_scale: int = 1  # nvidia-smi -lgipp grid units per memory slice

    def profile(self, name: str) -> Profile | None:
        """The profile called ``name`` (exact spelling), or None."""
        return self.profiles.get(name)


@dataclass(frozen=True)
class Catalog:
    """All known models, looked up by id, alias or PCI device id."""

    models: dict[str, GpuModel]
    _names: dict[str, str] = field(init=False, repr=False, compare=False)
    _devices: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        names: dict[str, str] = {}
        devices: dict[str, str] = {}
        for model in self.models.values():
            for name in (model.id, *model.aliases):
                names.setdefault(name.lower(), model.id)
            for device_id in model.device_ids:
                devices.setdefault(_normal_device_id(device_id), model.id)
        object.__setattr__(self, "_names", names)
        object.__setattr__(self, "_devices", devices)

    def lookup(self, name: str) -> GpuModel | None:
        """The model whose id or alias is ``name``, ignoring case; None if unknown."""
        model_id = self._names.get(name.strip().lower())
        return self.models[model_id] if model_id else None

    def by_device_id(self, device_id: str) -> GpuModel | None:
        """The model with PCI device id ``device_id`` (``0x20B010DE`` form, any case)."""
        model_id = self._devices.get(_normal_device_id(device_id))
        return self.models[model_id] if model_id else None

    def suggest(self, name: str, n: int = 3) -> list[str]:
        """Ids of the models whose id or alias is closest to ``name``, best first."""
        matches = difflib.get_close_matches(name.strip().lower(), self._names, n=n * 4, cutoff=0.5)
        ids: list[str] = []
        for match in matches:
            model_id = self._names[match]
            if model_id not in ids:
                ids.append(model_id)
        return ids[:n]


def _normal_device_id(device_id: str) -> str:
    """``0x20b010de`` and ``0X20B010DE`` both become ``0x20B010DE``."""
    text = device_id.strip()
    return "0x" + text[2:].upper() if text[:2].lower() == "0x" else text.upper()


@functools.cache
def load_catalog() -> Catalog:
    """The catalog shipped in ``migrender.data``; parsed and checked once per process."""
    text = read_text("migrender.data", COMPILED_FILE)
    return parse_catalog(json.loads(text))


def load_source() -> Any:
    """The YAML source of the catalog as plain data (anchors resolved)."""
    import yaml

    text = read_text("migrender.data", SOURCE_FILE)
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def compile_source(data: Any) -> str:
    """The JSON the tool reads, from the YAML source's data: stable, one model per line."""
    parse_catalog(data)  # refuse to compile an inconsistent catalog
    models = ",\n".join(json.dumps(m, ensure_ascii=False) for m in data["models"])
    note = f"generated from {SOURCE_FILE} by `python3 dev.py catalog`; edit the YAML"
    return f'{{"_generated": {json.dumps(note)},\n"models": [\n{models}\n]}}\n'


def parse_catalog(data: Any) -> Catalog:
    """Build a Catalog from the YAML document; ValueError names the first inconsistency."""
    if not isinstance(data, Mapping) or not isinstance(data.get("models"), list):
        raise ValueError("catalog: expected a mapping with a 'models' list")
    models: dict[str, GpuModel] = {}
    seen_names: dict[str, str] = {}
    seen_devices: dict[str, str] = {}
    for raw in data["models"]:
        model = _parse_model(raw)
        if model.id in models:
            raise ValueError(f"catalog: model id {model.id!r} appears twice")
        for name in (model.id, *model.aliases):
            owner = seen_names.setdefault(name.lower(), model.id)
            if owner != model.id:
                raise ValueError(f"catalog: name {name!r} of {model.id} already names {owner}")
        for device_id in model.device_ids:
            owner = seen_devices.setdefault(device_id, model.id)
            if owner != model.id:
                raise ValueError(
                    f"catalog: device id {device_id} of {model.id} already belongs to {owner}"
                )
        models[model.id] = model
    return Catalog(models=models)


def _parse_model(raw: Any) -> GpuModel:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("id"), str):
        raise ValueError(f"catalog: every model needs a string 'id', got {raw!r}")
    model_id: str = raw["id"]
    where = f"catalog: model {model_id}"
    try:
        aliases = tuple(str(a) for a in raw.get("aliases") or ())
        device_ids = tuple(str(d) for d in raw["deviceIds"])
        compute_slices = int(raw["computeSlices"])
        memory_slices = int(raw["memorySlices"])
        mig = bool(raw["mig"])
        profiles_raw = raw.get("profiles") or []
        profiles: dict[str, Profile] = {}
        for praw in profiles_raw:
            profile = _parse_profile(praw, where)
            if profile.name in profiles:
                raise ValueError(f"{where}: profile {profile.name} appears twice")
            profiles[profile.name] = profile
        model = GpuModel(
            id=model_id,
            name=str(raw["name"]),
            aliases=aliases,
            device_ids=device_ids,
            memory_gb=int(raw["memoryGB"]),
            mig=mig,
            compute_slices=compute_slices,
            memory_slices=memory_slices,
            profiles=profiles,
            layouts=_parse_layouts(raw.get("layouts") or {}, where),
            source=str(raw["source"]).strip(),
            placement_scale=int(raw.get("placementScale", 1)),
        )
    except (KeyError, TypeError) as exc:
        raise ValueError(f"{where}: missing or malformed field ({exc})") from exc
    _check_model(model, where)
    return model


def _parse_profile(raw: Any, where: str) -> Profile:
    if not isinstance(raw, Mapping):
        raise ValueError(f"{where}: a profile must be a mapping, got {raw!r}")
    return Profile(
        name=str(raw["name"]),
        compute=int(raw["compute"]),
        memory=int(raw["memory"]),
        memory_gb=int(raw["memoryGB"]),
        max_count=int(raw["maxCount"]),
        placements=tuple(int(p) for p in raw["placements"]),
        size=int(raw["size"]),
        media=str(raw["media"]),
        gfx=bool(raw["gfx"]),
    )


def _parse_layouts(raw: Any, where: str) -> dict[str, dict[str, int] | None]:
    if not isinstance(raw, Mapping):
        raise ValueError(f"{where}: 'layouts' must be a mapping")
    layouts: dict[str, dict[str, int] | None] = {}
    for name, counts in raw.items():
        if counts is None:
            layouts[str(name)] = None
        elif isinstance(counts, Mapping):
            layouts[str(name)] = {str(p): int(c) for p, c in counts.items()}
        else:
            raise ValueError(f"{where}: layout {name} must be null or a mapping")
    return layouts


def _check_model(model: GpuModel, where: str) -> None:
    """Reject data that contradicts itself; every check names what is wrong."""
    for device_id in model.device_ids:
        if not _DEVICE_ID.match(device_id):
            raise ValueError(f"{where}: device id {device_id!r} is not of the form 0xXXXX10DE")
    if not model.device_ids:
        raise ValueError(f"{where}: no deviceIds")
    if model.placement_scale < 1:
        raise ValueError(f"{where}: placementScale must be at least 1")
    if not model.mig:
        if model.profiles or any(v is not None for v in model.layouts.values()):
            raise ValueError(f"{where}: mig is false but profiles or MIG layouts are listed")
        return
    if model.compute_slices < 1 or model.memory_slices < 1:
        raise ValueError(f"{where}: a MIG model needs computeSlices and memorySlices >= 1")
    for p in model.profiles.values():
        _check_profile(model, p, f"{where} profile {p.name}")
    for name, counts in model.layouts.items():
        for pname, count in (counts or {}).items():
            profile = model.profiles.get(pname)
            if profile is None:
                raise ValueError(f"{where}: layout {name} uses unknown profile {pname}")
            if not 1 <= count <= profile.max_count:
                raise ValueError(
                    f"{where}: layout {name} asks for {count} x {pname}, "
                    f"allowed 1..{profile.max_count}"
                )


def _check_profile(model: GpuModel, p: Profile, where: str) -> None:
    if p.media not in MEDIA_KINDS:
        raise ValueError(f"{where}: media {p.media!r} is not one of {sorted(MEDIA_KINDS)}")
    if not 1 <= p.compute <= model.compute_slices:
        raise ValueError(f"{where}: compute {p.compute} outside 1..{model.compute_slices}")
    if p.memory != p.size:
        raise ValueError(f"{where}: memory {p.memory} differs from placement size {p.size}")
    if not p.placements:
        raise ValueError(f"{where}: no placements")
    if list(p.placements) != sorted(set(p.placements)):
        raise ValueError(f"{where}: placements must be distinct and ascending")
    for start in p.placements:
        if start < 0 or start + p.size > model.memory_slices:
            raise ValueError(
                f"{where}: placement {start}:{p.size} leaves the "
                f"{model.memory_slices} memory slices"
            )
    if p.max_count < 1:
        raise ValueError(f"{where}: maxCount must be at least 1")
    # Same-size intervals: taking starts greedily from the left gives the most disjoint ones.
    disjoint, end = 0, -1
    for start in p.placements:
        if start >= end:
            disjoint, end = disjoint + 1, start + p.size
    if p.max_count > disjoint:
        raise ValueError(
            f"{where}: maxCount {p.max_count} but only {disjoint} placements fit side by side"
        )
    if p.max_count * p.compute > model.compute_slices:
        raise ValueError(
            f"{where}: maxCount {p.max_count} needs more than {model.compute_slices} compute slices"
        )

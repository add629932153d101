"""Exact MIG placement engine: does a multiset of profiles fit on one GPU, and where.

Summing slices is not enough: an instance occupies the memory slices ``[start, start+size)``
of one of the start positions NVIDIA allows for its profile (``nvidia-smi mig -lgipp``), so
``4 x 1g.10gb + 3 x 1g.5gb`` on an A100 40GB uses 7 compute slices yet needs 11 of its 8
memory slices. This module searches every placement (backtracking over start positions, the
largest instances first, occupied slices kept as a bitmask) and answers exactly.

Stranding, as reported in :class:`Fit`: once the instances are placed, the GPU has
``free_compute`` compute slices and ``free_memory`` memory slices left. If no further instance
of any profile of the model could be created next to them (placements, per-profile maximum,
media engines and compute budget all considered), that free capacity is *stranded* and reported;
if at least one more instance could still be created, nothing is stranded (0 and 0). Among all
placements of a multiset the engine picks one that strands nothing whenever one exists.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from migrender.catalog import GpuModel, Profile

__all__ = [
    "COMPUTE",
    "MAX_COUNT",
    "MEDIA",
    "MEMORY",
    "NO_MIG",
    "PLACEMENT",
    "UNKNOWN_PROFILE",
    "Fit",
    "all_fitting_multisets",
    "fit",
]

# Kinds of refusal, in the order fit() checks them (Fit.kind).
NO_MIG = "no-mig"
UNKNOWN_PROFILE = "unknown-profile"
MAX_COUNT = "max-count"
MEDIA = "media"
COMPUTE = "compute"
MEMORY = "memory"
PLACEMENT = "placement"


@dataclass(frozen=True)
class Fit:
    """The answer of :func:`fit`.

    ``placement`` lists ``(profile name, start memory slice)`` ordered by start (then name) when
    ``ok``; ``reason`` is a sentence for people and ``kind`` one of the constants above when
    not. ``used_*`` are the slices the requested instances take (0 when a profile is unknown);
    ``stranded_*`` follow the module's definition and are 0 when the multiset does not fit.
    """

    ok: bool
    placement: tuple[tuple[str, int], ...] = ()
    reason: str | None = None
    kind: str | None = None
    used_compute: int = 0
    used_memory: int = 0
    stranded_compute: int = 0
    stranded_memory: int = 0


def fit(model: GpuModel, counts: Mapping[str, int]) -> Fit:
    """Decide whether ``counts`` (profile name -> instances) fits on one GPU of ``model``."""
    key: list[tuple[str, int]] = []
    for name, count in counts.items():
        if isinstance(count, bool) or not isinstance(count, int):
            raise TypeError(f"count of {name!r} must be an int, got {count!r}")
        if count < 0:
            raise ValueError(f"count of {name!r} must not be negative, got {count}")
        if count:
            key.append((name, count))
    return _fit(model, tuple(sorted(key)))


def all_fitting_multisets(model: GpuModel) -> list[dict[str, int]]:
    """Every non-empty multiset of ``model``'s profiles that fits on one GPU.

    Each dict lists profiles in catalog order. Fitting is closed under removing an instance,
    so the search only ever extends multisets that fit.
    """
    return [dict(m) for m in _all_fitting(model)]


# ----------------------------------------------------------------------------- internals


@functools.lru_cache(maxsize=1 << 16)
def _fit(model: GpuModel, key: tuple[tuple[str, int], ...]) -> Fit:
    # Memoised on (model, sorted non-zero counts); models are hashed by identity, and the
    # catalog hands out one object per model.
    if not model.mig:
        return Fit(False, reason=f"the {model.id} does not support MIG", kind=NO_MIG)
    counts = dict(key)
    for name in counts:
        if name not in model.profiles:
            return Fit(False, reason=_unknown(model, name), kind=UNKNOWN_PROFILE)
    profiles = [model.profiles[name] for name in model.profiles if name in counts]

    used_compute = sum(p.compute * counts[p.name] for p in profiles)
    used_memory = sum(p.memory * counts[p.name] for p in profiles)
    used = {"used_compute": used_compute, "used_memory": used_memory}

    for p in profiles:
        if counts[p.name] > p.max_count:
            reason = f"{p.name}: {counts[p.name]} requested, at most {p.max_count} per GPU"
            return Fit(False, reason=reason, kind=MAX_COUNT, **used)
    media = [p for p in profiles if p.exclusive_media]
    if sum(counts[p.name] for p in media) > 1:
        names = ", ".join(f"{p.name} x{counts[p.name]}" for p in media)
        reason = (
            f"more than one media-extension instance ({names}): the GPU's extra media "
            "engines can belong to one instance only"
        )
        return Fit(False, reason=reason, kind=MEDIA, **used)
    if used_compute > model.compute_slices:
        reason = f"needs {used_compute} compute slices, the {model.id} has {model.compute_slices}"
        return Fit(False, reason=reason, kind=COMPUTE, **used)
    if used_memory > model.memory_slices:
        gb = sum(p.memory_gb * counts[p.name] for p in profiles)
        reason = f"needs {used_memory} memory slices ({gb} GB), the GPU has {model.memory_slices}"
        return Fit(False, reason=reason, kind=MEMORY, **used)

    best: tuple[tuple[Profile, int], ...] | None = None
    stranded = (0, 0)
    for solution, mask in _placements(profiles, counts):
        if _can_grow(model, counts, mask, model.compute_slices - used_compute):
            best = solution
            stranded = (0, 0)
            break
        if best is None:
            best = solution
            stranded = (model.compute_slices - used_compute, model.memory_slices - used_memory)
    if best is None:
        wanted = " + ".join(f"{p.name} x{counts[p.name]}" for p in profiles)
        reason = (
            f"no placement fits {wanted} together on the {model.id}: their allowed start "
            "positions (nvidia-smi mig -lgipp) overlap"
        )
        return Fit(False, reason=reason, kind=PLACEMENT, **used)
    placement = tuple(sorted(((p.name, start) for p, start in best), key=lambda x: (x[1], x[0])))
    return Fit(
        True,
        placement=placement,
        used_compute=used_compute,
        used_memory=used_memory,
        stranded_compute=stranded[0],
        stranded_memory=stranded[1],
    )


def _unknown(model: GpuModel, name: str) -> str:
    close = difflib.get_close_matches(name, list(model.profiles), n=1)
    hint = f"; did you mean {close[0]}?" if close else ""
    return f"unknown profile {name} for the {model.id}{hint}"


def _mask(start: int, size: int) -> int:
    return ((1 << size) - 1) << start


def _placements(
    profiles: list[Profile], counts: Mapping[str, int]
) -> Iterator[tuple[tuple[tuple[Profile, int], ...], int]]:
    """Yield every placement of the instances as ((profile, start), ...) with its slice mask.

    Largest instances first (they have the fewest positions, so dead ends show up early);
    instances of one profile take increasing starts, so no arrangement is produced twice.
    """
    groups = sorted(profiles, key=lambda p: (-p.size, -p.compute, p.name))
    chosen: list[tuple[Profile, int]] = []

    def place(group: int, need: int, first: int, mask: int) -> Iterator[int]:
        if group == len(groups):
            yield mask
            return
        p = groups[group]
        if need == 0:
            nxt = group + 1
            yield from place(nxt, counts[groups[nxt].name] if nxt < len(groups) else 0, 0, mask)
            return
        for i in range(first, len(p.placements)):
            start = p.placements[i]
            bits = _mask(start, p.size)
            if mask & bits:
                continue
            chosen.append((p, start))
            yield from place(group, need - 1, i + 1, mask | bits)
            chosen.pop()

    if not groups:
        yield (), 0
        return
    for mask in place(0, counts[groups[0].name], 0, 0):
        yield tuple(chosen), mask


def _can_grow(model: GpuModel, counts: Mapping[str, int], mask: int, free_compute: int) -> bool:
    """True when one more instance of some profile could be created beside ``mask``."""
    media_taken = any(
        model.profiles[name].exclusive_media for name, count in counts.items() if count
    )
    for p in model.profiles.values():
        if counts.get(p.name, 0) >= p.max_count or p.compute > free_compute:
            continue
        if p.exclusive_media and media_taken:
            continue
        if any(not mask & _mask(start, p.size) for start in p.placements):
            return True
    return False


@functools.lru_cache(maxsize=256)
def _all_fitting(model: GpuModel) -> tuple[tuple[tuple[str, int], ...], ...]:
    if not model.mig:
        return ()
    names = list(model.profiles)
    found: list[tuple[tuple[str, int], ...]] = []

    def extend(counts: dict[str, int], first: int) -> None:
        for i in range(first, len(names)):
            counts[names[i]] = counts.get(names[i], 0) + 1
            if fit(model, counts).ok:
                found.append(tuple((n, counts[n]) for n in names if counts.get(n)))
                extend(counts, i)
            counts[names[i]] -= 1
            if not counts[names[i]]:
                del counts[names[i]]

    extend({}, 0)
    return tuple(found)

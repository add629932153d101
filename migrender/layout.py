"""A node pool's MIG layout resolved against the catalog: what every GPU of a node carries.

Named layouts (``all-balanced``) and custom layouts (a list of GPU groups) both
become the same thing here: a tuple of assignments, each a set of GPU indices
with MIG on or off and the instances each of those GPUs gets. The validator,
the capacity plan and the renderer all read this one form.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from migrender.catalog import Catalog, GpuModel
from migrender.spec import NodePool

#: Kubernetes label values are at most 63 characters.
LABEL_VALUE_MAX = 63
HASH_LENGTH = 8


@dataclass(frozen=True)
class Assignment:
    """GPUs of a node that get the same partitioning."""

    gpus: tuple[int, ...]
    enabled: bool
    slices: tuple[tuple[str, int], ...]  # in catalog profile order


@dataclass(frozen=True)
class PoolLayout:
    pool: NodePool
    model: GpuModel
    config_name: str  # the mig-parted config, and the nvidia.com/mig.config label value
    assignments: tuple[Assignment, ...]

    @property
    def is_named(self) -> bool:
        return not self.pool.is_custom

    @property
    def profiles(self) -> tuple[str, ...]:
        """Profiles the pool offers, in catalog order."""
        used = {name for a in self.assignments for name, _ in a.slices}
        return tuple(name for name in self.model.profiles if name in used)


def ordered_slices(model: GpuModel, slices: dict[str, int]) -> tuple[tuple[str, int], ...]:
    order = list(model.profiles)
    return tuple(
        sorted(slices.items(), key=lambda kv: (order.index(kv[0]) if kv[0] in order else 99, kv[0]))
    )


def custom_config_name(pool: NodePool, model: GpuModel, assignments: tuple[Assignment, ...]) -> str:
    """``<pool>-<hash>``: the hash covers the GPU model and every assignment, so any change
    of the layout gives a new name, a new node label, and so a new run of mig-manager
    (which acts on label changes only)."""
    content = json.dumps(
        {
            "gpu": model.id,
            "assignments": [
                [list(a.gpus), a.enabled, [list(s) for s in a.slices]]
                for a in sorted(assignments, key=lambda a: a.gpus)
            ],
        },
        sort_keys=True,
        separators=(",", ":"),
    )
    import hashlib  # here: only custom layouts need it, and it costs 5 ms to import

    digest = hashlib.sha256(content.encode()).hexdigest()[:HASH_LENGTH]
    prefix = pool.name[: LABEL_VALUE_MAX - HASH_LENGTH - 1].rstrip("-")
    return f"{prefix}-{digest}"


def pool_model(catalog: Catalog, pool: NodePool) -> GpuModel:
    """The catalog model of a validated pool (validation refuses unknown GPUs)."""
    model = catalog.lookup(pool.gpu)
    if model is None:  # a bug if it gets here
        raise ValueError(f"pool {pool.name}: unknown GPU {pool.gpu}")
    return model


def resolve(pool: NodePool, model: GpuModel) -> PoolLayout:
    """The pool's layout on ``model``; the pool must have passed validation."""
    if pool.layout_name is not None:
        layout = model.layouts[pool.layout_name]
        assignment = Assignment(
            gpus=tuple(range(pool.gpus_per_node)),
            enabled=layout is not None,
            slices=ordered_slices(model, layout or {}),
        )
        return PoolLayout(pool, model, pool.layout_name, (assignment,))
    assignments = tuple(
        sorted(
            (
                Assignment(
                    gpus=tuple(sorted(group.gpus)),
                    enabled=group.enabled,
                    slices=ordered_slices(model, dict(group.slices)),
                )
                for group in pool.groups
            ),
            key=lambda a: a.gpus,
        )
    )
    return PoolLayout(pool, model, custom_config_name(pool, model, assignments), assignments)

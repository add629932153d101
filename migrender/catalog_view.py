"""What ``migrender catalog`` shows: the GPU models, and one model's profiles and layouts.

People write cluster specs from this view, so it shows exactly what the validator checks
against: profile names as mig-parted spells them, the placements of ``nvidia-smi mig -lgipp``
(in memory slices), the per-GPU maximum, the resource name a slice is advertised under, and
which named layouts leave capacity unusable (the placement engine's verdict). Pure: returns
strings; the CLI looks models up (``Catalog.lookup``, ``Catalog.suggest``) and prints.
"""

from __future__ import annotations

import json
import textwrap
from typing import Any

from migrender.capacity import WHOLE_GPU_RESOURCE, markdown_table, text_table
from migrender.catalog import Catalog, GpuModel, Profile
from migrender.geometry import fit

__all__ = ["FORMATS", "format_model", "format_models", "model_to_dict"]

FORMATS = ("text", "markdown", "json")

_MEDIA_NOTES = {
    "none": "",
    "me": "extra media engines (JPEG/OFA; one such instance per GPU)",
    "me.all": "all media engines (one such instance per GPU)",
    "-me": "no media engines",
}


def _check(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


def _s(n: int) -> str:
    return "" if n == 1 else "s"


def placements_text(profile: Profile, scale: int = 1) -> str:
    """``{0,2,4,6}:2``: allowed starts and size, in units of ``1/scale`` memory slice."""
    starts = ",".join(str(p * scale) for p in profile.placements)
    return f"{{{starts}}}:{profile.size * scale}"


def _notes(profile: Profile) -> str:
    notes = [_MEDIA_NOTES[profile.media]] if _MEDIA_NOTES.get(profile.media) else []
    if profile.gfx:
        notes.append("graphics APIs")
    return "; ".join(notes)


def _slices_text(model: GpuModel) -> str:
    return f"{model.compute_slices}/{model.memory_slices}" if model.mig else "-"


def _stranded(model: GpuModel, counts: dict[str, int]) -> dict[str, int] | None:
    """What a MIG layout strands on each GPU (None when it does not fit at all)."""
    result = fit(model, counts)
    if not result.ok:  # the catalog tests rule this out
        return None
    memory = result.stranded_memory
    return {
        "compute_slices": result.stranded_compute,
        "memory_slices": memory,
        "memory_gb": memory * model.memory_gb // model.memory_slices,
    }


def _layout_verdict(model: GpuModel, counts: dict[str, int] | None) -> tuple[str, str]:
    """(what the layout makes of each GPU, what it strands) as words."""
    if counts is None:
        return f"MIG off: whole GPU as {WHOLE_GPU_RESOURCE}", "-"
    if not counts:
        return "MIG on, no instances", "no"
    what = ", ".join(f"{n} x {name}" for name, n in counts.items())
    stranded = _stranded(model, counts)
    if stranded is None:
        return what, f"does not fit: {fit(model, counts).reason}"
    parts = []
    if compute := stranded["compute_slices"]:
        parts.append(f"{compute} compute slice{_s(compute)}")
    if memory := stranded["memory_slices"]:
        parts.append(f"{memory} memory slice{_s(memory)} ({stranded['memory_gb']} GB)")
    return what, " + ".join(parts) or "no"


# ----------------------------------------------------------------------------- JSON form


def _model_summary(model: GpuModel) -> dict[str, Any]:
    return {
        "id": model.id,
        "name": model.name,
        "memory_gb": model.memory_gb,
        "mig": model.mig,
        "compute_slices": model.compute_slices,
        "memory_slices": model.memory_slices,
        "device_ids": list(model.device_ids),
        "aliases": list(model.aliases),
    }


def model_to_dict(model: GpuModel) -> dict[str, Any]:
    """One model with its profiles and named layouts (key order is part of the format)."""
    layouts = {
        name: {
            "mig": counts is not None,
            "slices": counts,  # per GPU; null: MIG off
            "stranded_per_gpu": None if counts is None else _stranded(model, counts),
        }
        for name, counts in model.layouts.items()
    }
    return {
        **_model_summary(model),
        "placement_scale": model.placement_scale,
        "profiles": [
            {
                "name": p.name,
                "compute_slices": p.compute,
                "memory_slices": p.memory,
                "memory_gb": p.memory_gb,
                "max_count": p.max_count,
                "placements": list(p.placements),
                "size": p.size,
                "placements_text": placements_text(p),
                "media": p.media,
                "gfx": p.gfx,
                "resource_suffix": p.resource_suffix,
                "resource_mixed": f"nvidia.com/mig-{p.resource_suffix}",
            }
            for p in model.profiles.values()
        ],
        "layouts": layouts,
        "source": model.source,
    }


# ----------------------------------------------------------------------------- formatters


def format_models(catalog: Catalog, fmt: str = "text") -> str:
    """Every catalog model: id, name, memory, MIG, compute/memory slices, PCI ids, aliases."""
    _check(fmt)
    models = list(catalog.models.values())
    if fmt == "json":
        return json.dumps([_model_summary(m) for m in models], indent=2) + "\n"
    if fmt == "markdown":
        headers = ("id", "name", "memory", "MIG", "slices c/m", "PCI ids", "aliases")
        rows = [
            [
                m.id,
                m.name,
                f"{m.memory_gb} GB",
                "yes" if m.mig else "no",
                _slices_text(m),
                ", ".join(m.device_ids),
                ", ".join(m.aliases),
            ]
            for m in models
        ]
        lines = ["### GPU models", "", *markdown_table(headers, rows, "llrll")]
    else:
        # Aliases get their own section: beside the table they would triple its width.
        headers = ("id", "memory", "MIG", "slices c/m", "PCI ids", "name")
        rows = [
            [
                m.id,
                f"{m.memory_gb} GB",
                "yes" if m.mig else "no",
                _slices_text(m),
                ", ".join(m.device_ids),
                m.name,
            ]
            for m in models
        ]
        lines = [*text_table(headers, rows, "lrl"), "", "aliases (accepted as gpu: too)"]
        width = max(len(m.id) for m in models)
        for m in models:
            lines += textwrap.wrap(
                ", ".join(m.aliases) or "-",
                100,
                initial_indent=f"  {m.id.ljust(width)}  ",
                subsequent_indent=" " * (width + 4),
                break_on_hyphens=False,
            )
    footer = "slices c/m: MIG compute slices / memory slices; `migrender catalog <id>` for details"
    return "\n".join([*lines, "", footer]) + "\n"


def format_model(model: GpuModel, fmt: str = "text") -> str:
    """One model: identity, then its profiles with placements, then its named layouts."""
    _check(fmt)
    if fmt == "json":
        return json.dumps(model_to_dict(model), indent=2, ensure_ascii=False) + "\n"
    md = fmt == "markdown"

    def table(headers: tuple[str, ...], rows: list[list[str]], align: str = "") -> list[str]:
        return (
            markdown_table(headers, rows, align) if md else text_table(headers, rows, align, "  ")
        )

    def heading(text: str) -> str:
        return f"#### {text}" if md else text

    out = [f"### {model.id}: {model.name}" if md else f"{model.id}: {model.name}", ""]
    facts = [
        f"memory: {model.memory_gb} GB",
        "MIG: "
        + (
            f"yes, {model.compute_slices} compute slices, {model.memory_slices} memory slices"
            if model.mig
            else f"no (the GPU is advertised whole as {WHOLE_GPU_RESOURCE})"
        ),
        f"PCI device ids: {', '.join(model.device_ids)}",
        f"aliases: {', '.join(model.aliases) or '-'}",
    ]
    out += [f"- {f}" for f in facts] if md else [f"  {f}" for f in facts]

    if model.profiles:
        headers = ("profile", "compute", "memory", "GB", "max", "placements", "notes", "resource")
        rows = [
            [
                p.name,
                str(p.compute),
                str(p.memory),
                str(p.memory_gb),
                str(p.max_count),
                placements_text(p),
                _notes(p),
                f"nvidia.com/mig-{p.resource_suffix}",
            ]
            for p in model.profiles.values()
        ]
        out += ["", heading("Profiles"), ""] if md else ["", heading("Profiles")]
        out += table(headers, rows, "lrrrrl")
        explain = [
            "placements: allowed start memory slices and the slices one instance covers "
            "(nvidia-smi mig -lgipp)",
            "resource: the name under the mixed strategy; under single every slice is "
            f"{WHOLE_GPU_RESOURCE}",
        ]
        if model.placement_scale != 1:
            example = next(iter(model.profiles.values()))
            explain.append(
                f"nvidia-smi mig -lgipp counts {model.placement_scale} grid units per memory "
                f"slice on this GPU: {placements_text(example)} prints as "
                f"{placements_text(example, model.placement_scale)}"
            )
        out += [""] + [f"_{e}_" if md else f"  {e}" for e in explain]

    rows = [[name, *_layout_verdict(model, counts)] for name, counts in model.layouts.items()]
    out += (
        ["", heading("Named layouts (mig: <name>)"), ""] if md else ["", heading("Named layouts")]
    )
    out += table(("layout", "each GPU", "strands"), rows)

    out += ["", heading("Source"), ""] if md else ["", heading("Source")]
    out += (
        [model.source]
        if md
        else textwrap.wrap(model.source, 98, initial_indent="  ", subsequent_indent="  ")
    )
    return "\n".join(out) + "\n"

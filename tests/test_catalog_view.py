"""`migrender catalog` views: the model list and one model's profiles and layouts."""

from __future__ import annotations

import json

import pytest

from migrender.catalog import GpuModel, load_catalog
from migrender.catalog_view import FORMATS, format_model, format_models


def model(name: str) -> GpuModel:
    found = load_catalog().lookup(name)
    assert found is not None
    return found


@pytest.mark.parametrize("fmt", FORMATS)
def test_listing_names_every_model(fmt: str) -> None:
    catalog = load_catalog()
    out = format_models(catalog, fmt)
    for model_id, m in catalog.models.items():
        assert model_id in out
        assert m.device_ids[0] in out


def test_listing_json() -> None:
    catalog = load_catalog()
    data = json.loads(format_models(catalog, "json"))
    assert [m["id"] for m in data] == list(catalog.models)
    a30 = next(m for m in data if m["id"] == "A30")
    assert a30 == {
        "id": "A30",
        "name": "NVIDIA A30",
        "memory_gb": 24,
        "mig": True,
        "compute_slices": 4,
        "memory_slices": 4,
        "device_ids": ["0x20B710DE"],
        "aliases": ["NVIDIA-A30", "A30-24GB", "NVIDIA-A30-PCIE-24GB"],
    }
    assert next(m for m in data if m["id"] == "T4")["mig"] is False


def test_listing_text_shows_mig_and_aliases() -> None:
    lines = format_models(load_catalog(), "text").splitlines()
    t4 = next(line for line in lines if line.startswith("T4 "))
    assert " no " in t4
    assert any(line.strip().startswith("T4") and "Tesla-T4" in line for line in lines)


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_model_view_has_profiles_and_placements(fmt: str) -> None:
    out = format_model(model("A100-SXM4-40GB"), fmt)
    row = next(line for line in out.splitlines() if "1g.10gb " in line or "| 1g.10gb |" in line)
    assert "{0,2,4,6}:2" in row
    assert "nvidia.com/mig-1g.10gb" in row
    for name in model("A100-SXM4-40GB").profiles:
        assert name in out
    assert "{0,1,2,3,4,5,6}:1" in out and "{0}:8" in out
    assert "all-balanced" in out


def test_model_view_layouts_and_stranding() -> None:
    out = format_model(model("A100-PCIE-80GB"), "text").splitlines()
    # 7 x 1g.10gb leaves one of the eight memory slices unusable.
    row = next(line for line in out if line.strip().startswith("all-1g.10gb "))
    assert "7 x 1g.10gb" in row and "1 memory slice (10 GB)" in row
    balanced = next(line for line in out if line.strip().startswith("all-balanced"))
    assert balanced.rstrip().endswith("no")
    disabled = next(line for line in out if line.strip().startswith("all-disabled"))
    assert "MIG off" in disabled


def test_model_view_media_notes_and_suffix() -> None:
    out = format_model(model("A30"), "text")
    row = next(line for line in out.splitlines() if line.strip().startswith("1g.6gb+me"))
    assert "media engines" in row and "nvidia.com/mig-1g.6gb.me" in row


def test_model_json() -> None:
    data = json.loads(format_model(model("A100-SXM4-40GB"), "json"))
    assert data["id"] == "A100-SXM4-40GB"
    p = next(p for p in data["profiles"] if p["name"] == "1g.10gb")
    assert p["placements"] == [0, 2, 4, 6]
    assert p["placements_text"] == "{0,2,4,6}:2"
    assert (p["compute_slices"], p["memory_slices"], p["memory_gb"], p["max_count"]) == (
        1,
        2,
        10,
        4,
    )
    assert data["layouts"]["all-disabled"] == {
        "mig": False,
        "slices": None,
        "stranded_per_gpu": None,
    }
    assert data["layouts"]["all-3g.20gb"]["stranded_per_gpu"]["compute_slices"] == 1


def test_placement_scale_is_explained() -> None:
    out = format_model(model("RTX-PRO-6000"), "text")
    assert "{0,1,2,3}:1 prints as {0,3,6,9}:3" in out


def test_model_without_mig() -> None:
    out = format_model(model("T4"), "text")
    assert "MIG: no" in out and "Profiles" not in out
    assert json.loads(format_model(model("T4"), "json"))["profiles"] == []


def test_unknown_format() -> None:
    with pytest.raises(ValueError, match="unknown format"):
        format_models(load_catalog(), "yaml")

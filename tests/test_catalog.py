"""The hardware catalog: required models, identity data, self-consistency and a few facts."""

from __future__ import annotations

import copy
import re
from importlib import resources

import pytest
import yaml

from migrender.catalog import Catalog, GpuModel, Profile, load_catalog, parse_catalog

REQUIRED_IDS = [
    "A100-SXM4-40GB",
    "A100-PCIE-40GB",
    "A100-SXM4-80GB",
    "A100-PCIE-80GB",
    "A800-40GB",
    "A800-80GB",
    "A30",
    "H100-SXM5-80GB",
    "H100-PCIE-80GB",
    "H100-NVL-94GB",
    "H100-96GB",
    "H800-80GB",
    "H20",
    "H200-SXM-141GB",
    "H200-NVL-141GB",
    "GH200-144GB",
    "GH200-96GB",
    "B200",
    "GB200",
    "B300",
    "GB300",
    "RTX-PRO-6000",
]

PROFILE_NAME = re.compile(r"^(\d+)g\.(\d+)gb(\+me|\+me\.all|\+gfx|-me)?$")


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def raw_catalog() -> dict:
    text = resources.files("migrender.data").joinpath("catalog.yaml").read_text()
    return yaml.safe_load(text)


def test_required_models_present(catalog: Catalog) -> None:
    missing = [i for i in REQUIRED_IDS if i not in catalog.models]
    assert not missing
    assert any(not m.mig for m in catalog.models.values()), "need a GPU without MIG"


def test_load_is_cached(catalog: Catalog) -> None:
    assert load_catalog() is catalog


def test_device_ids_have_filter_form_and_are_unique(catalog: Catalog) -> None:
    owner: dict[str, str] = {}
    for model in catalog.models.values():
        assert model.device_ids, model.id
        for device_id in model.device_ids:
            assert re.fullmatch(r"0x[0-9A-F]{4}10DE", device_id), (model.id, device_id)
            assert device_id not in owner, (device_id, owner.get(device_id), model.id)
            owner[device_id] = model.id


def test_names_and_aliases_are_unique(catalog: Catalog) -> None:
    owner: dict[str, str] = {}
    for model in catalog.models.values():
        for name in (model.id, *model.aliases):
            key = name.lower()
            assert owner.setdefault(key, model.id) == model.id, (name, owner[key], model.id)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("A100-SXM4-40GB", "A100-SXM4-40GB"),
        ("a100-sxm4-40gb", "A100-SXM4-40GB"),
        ("NVIDIA-A100-SXM4-40GB", "A100-SXM4-40GB"),
        ("nvidia-a100-80gb-pcie", "A100-PCIE-80GB"),
        ("NVIDIA-H100-80GB-HBM3", "H100-SXM5-80GB"),
        ("NVIDIA-A30", "A30"),
        ("NVIDIA-RTX-PRO-6000-Blackwell-Server-Edition", "RTX-PRO-6000"),
        ("NVIDIA-GH200-480GB", "GH200-96GB"),
        (" Tesla-T4 ", "T4"),
    ],
)
def test_lookup_by_id_or_alias(catalog: Catalog, name: str, expected: str) -> None:
    model = catalog.lookup(name)
    assert model is not None and model.id == expected


def test_lookup_unknown_and_suggest(catalog: Catalog) -> None:
    assert catalog.lookup("A100-SXM4-41GB") is None
    assert catalog.suggest("A100-SXM4-41GB")[0] == "A100-SXM4-40GB"
    assert "H200-NVL-141GB" in catalog.suggest("H200-NVL")
    assert len(catalog.suggest("A100", n=2)) <= 2
    assert catalog.suggest("zzzzzzzz") == []


def test_by_device_id(catalog: Catalog) -> None:
    assert catalog.by_device_id("0x20B010DE").id == "A100-SXM4-40GB"
    assert catalog.by_device_id("0x20b710de").id == "A30"
    assert catalog.by_device_id("0x234810DE").id == "GH200-144GB"
    assert catalog.by_device_id("0x2BB510DE").id == "RTX-PRO-6000"
    assert catalog.by_device_id("0xFFFF10DE") is None


def test_resource_suffix() -> None:
    p = Profile("1g.10gb+me", 1, 1, 10, 1, (0,), 1, "me", False)
    assert p.resource_suffix == "1g.10gb.me"
    assert Profile("1g.24gb-me", 1, 1, 24, 4, (0,), 1, "-me", False).resource_suffix == "1g.24gb-me"


def test_profiles_agree_with_their_names(catalog: Catalog) -> None:
    for model in catalog.models.values():
        for p in model.profiles.values():
            m = PROFILE_NAME.match(p.name)
            assert m, (model.id, p.name)
            assert int(m.group(1)) == p.compute, (model.id, p.name)
            assert int(m.group(2)) == p.memory_gb, (model.id, p.name)
            suffix = m.group(3) or ""
            assert p.gfx == (suffix == "+gfx"), (model.id, p.name)
            expected_media = {"": "none", "+gfx": "none", "+me": "me", "+me.all": "me.all"}
            assert p.media == expected_media.get(suffix, "-me"), (model.id, p.name)


def test_every_mig_model_has_a_full_profile_and_sane_slices(catalog: Catalog) -> None:
    for model in catalog.models.values():
        if not model.mig:
            assert not model.profiles and model.layouts == {"all-disabled": None}
            continue
        assert (model.compute_slices, model.memory_slices) in {(7, 8), (4, 4)}, model.id
        full = [p for p in model.profiles.values() if p.compute == model.compute_slices]
        assert full and all(p.size == model.memory_slices for p in full), model.id
        assert all(p.memory_gb <= model.memory_gb for p in model.profiles.values())


def test_all_profile_layouts_are_named_after_their_profile(catalog: Catalog) -> None:
    for model in catalog.models.values():
        assert model.layouts.get("all-disabled", 0) is None, model.id
        for name, counts in model.layouts.items():
            if name in {"all-disabled", "all-enabled", "all-balanced"}:
                continue
            assert counts is not None and len(counts) == 1, (model.id, name)
            (profile,) = counts
            assert name == "all-" + model.profiles[profile].resource_suffix, (model.id, name)


def test_known_facts(catalog: Catalog) -> None:
    a100 = catalog.models["A100-SXM4-40GB"]
    got = {p.name: (p.placements, p.size) for p in a100.profiles.values()}
    assert got == {
        "1g.5gb": ((0, 1, 2, 3, 4, 5, 6), 1),
        "1g.5gb+me": ((0, 1, 2, 3, 4, 5, 6), 1),
        "1g.10gb": ((0, 2, 4, 6), 2),
        "2g.10gb": ((0, 2, 4), 2),
        "3g.20gb": ((0, 4), 4),
        "4g.20gb": ((0,), 4),
        "7g.40gb": ((0,), 8),
    }
    a30 = catalog.models["A30"]
    assert (a30.compute_slices, a30.memory_slices) == (4, 4)
    assert list(a30.profiles) == ["1g.6gb", "1g.6gb+me", "2g.12gb", "2g.12gb+me", "4g.24gb"]
    rtx = catalog.models["RTX-PRO-6000"]
    assert (rtx.compute_slices, rtx.memory_slices, rtx.placement_scale) == (4, 4, 3)
    assert {"1g.24gb+gfx", "1g.24gb+me.all", "1g.24gb-me", "4g.96gb+gfx"} <= set(rtx.profiles)
    assert rtx.profiles["1g.24gb+me.all"].media == "me.all"
    # all-1g.10gb: 7 on the 80GB cards, 4 (the 2-slice 1g.10gb) on the A100 40GB.
    assert catalog.models["H100-SXM5-80GB"].layouts["all-1g.10gb"] == {"1g.10gb": 7}
    assert a100.layouts["all-1g.10gb"] == {"1g.10gb": 4}
    assert a100.layouts["all-enabled"] == {}
    # NVIDIA's default config filters all-1g.35gb to the H200 SXM (0x2335) only.
    assert "all-1g.35gb" not in catalog.models["H200-NVL-141GB"].layouts
    assert catalog.models["GB300"].layouts["all-1g.35gb"] == {"1g.35gb": 7}


def test_models_are_immutable(catalog: Catalog) -> None:
    model: GpuModel = catalog.models["A30"]
    with pytest.raises(AttributeError):
        model.id = "x"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        model.profiles["1g.6gb"].compute = 2  # type: ignore[misc]


# ------------------------------------------------------------------ self-consistency checks


def _model(data: dict, model_id: str) -> dict:
    return next(m for m in data["models"] if m["id"] == model_id)


def _profile(model: dict, name: str) -> dict:
    return next(p for p in model["profiles"] if p["name"] == name)


def test_shipped_data_parses() -> None:
    assert set(parse_catalog(raw_catalog()).models) == set(load_catalog().models)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: _profile(_model(d, "A30"), "2g.12gb").update(placements=[0, 3]), "leaves"),
        (lambda d: _profile(_model(d, "A30"), "2g.12gb").update(maxCount=3), "side by side"),
        (lambda d: _profile(_model(d, "A30"), "1g.6gb").update(maxCount=5), "side by side"),
        (lambda d: _profile(_model(d, "A30"), "2g.12gb").update(memory=3), "differs"),
        (lambda d: _profile(_model(d, "A30"), "2g.12gb").update(media="all"), "media"),
        (lambda d: _model(d, "A30")["layouts"].update(x={"9g.1gb": 1}), "unknown profile"),
        (lambda d: _model(d, "A30")["layouts"].update(x={"4g.24gb": 2}), "allowed 1..1"),
        (lambda d: _model(d, "A30").update(deviceIds=["0x20B010DE"]), "already belongs"),
        (lambda d: _model(d, "A30").update(deviceIds=["0x20b710de"]), "form"),
        (lambda d: _model(d, "A30").update(aliases=["NVIDIA-A100-SXM4-40GB"]), "already names"),
        (lambda d: _model(d, "L40S").update(mig=False, layouts={"x": {}}), "mig is false"),
        (lambda d: _model(d, "A30").pop("memorySlices"), "missing"),
    ],
)
def test_inconsistent_data_is_refused(mutate, message: str) -> None:
    data = copy.deepcopy(raw_catalog())
    mutate(data)
    with pytest.raises(ValueError, match=message):
        parse_catalog(data)


def test_compiled_catalog_matches_its_yaml_source() -> None:
    """catalog.json is what the tool reads; it must be exactly the compiled catalog.yaml."""
    from importlib.resources import files

    from migrender.catalog import COMPILED_FILE, compile_source, load_source

    compiled = files("migrender.data").joinpath(COMPILED_FILE).read_text(encoding="utf-8")
    assert compiled == compile_source(load_source()), "run `python3 dev.py catalog`"

"""The placement engine: hand-checked cases, NVIDIA's default config, and a brute-force oracle."""

from __future__ import annotations

import itertools
from collections.abc import Mapping

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import conftest
from migrender import geometry
from migrender.catalog import Catalog, GpuModel, Profile, load_catalog
from migrender.geometry import all_fitting_multisets, fit

REFERENCE = conftest.REFERENCE / "default-mig-parted-config-v26.7.0.yaml"

#: Device ids a layout of the catalog model does not reach under NVIDIA's default config:
#: all-balanced is filtered to the RTX PRO 6000 Server Edition (0x2BB5) only.
KNOWN_CONFIG_GAPS = {
    ("RTX-PRO-6000", "all-balanced"): {"0x2BB110DE", "0x2BB410DE"},
}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def model(model_id: str) -> GpuModel:
    return load_catalog().models[model_id]


# ------------------------------------------------------------------------- hand-checked cases

VALID = [
    # (model, counts, stranded compute, stranded memory)
    ("A100-SXM4-40GB", {"3g.20gb": 2}, 1, 0),
    ("A100-SXM4-40GB", {"4g.20gb": 1, "3g.20gb": 1}, 0, 0),
    ("A100-SXM4-40GB", {"3g.20gb": 1, "2g.10gb": 2}, 0, 0),
    ("A100-SXM4-40GB", {"2g.10gb": 3, "1g.10gb": 1}, 0, 0),
    ("A100-SXM4-40GB", {"1g.5gb": 7}, 0, 1),
    ("A100-SXM4-40GB", {"1g.5gb": 2, "2g.10gb": 1, "3g.20gb": 1}, 0, 0),
    ("A100-SXM4-80GB", {"3g.40gb": 2}, 1, 0),
    ("A100-SXM4-80GB", {"4g.40gb": 1, "3g.40gb": 1}, 0, 0),
    ("A100-SXM4-80GB", {"3g.40gb": 1, "2g.20gb": 2}, 0, 0),
    ("A100-SXM4-80GB", {"2g.20gb": 3, "1g.20gb": 1}, 0, 0),
    ("H100-SXM5-80GB", {"3g.40gb": 2}, 1, 0),
    ("H100-SXM5-80GB", {"2g.20gb": 3, "1g.20gb": 1}, 0, 0),
    ("H100-SXM5-80GB", {"1g.10gb+me": 1, "1g.10gb": 6}, 0, 1),
    ("H200-SXM-141GB", {"4g.71gb": 1, "3g.71gb": 1}, 0, 0),
    ("H200-SXM-141GB", {"3g.71gb": 1, "2g.35gb": 2}, 0, 0),
    ("H200-SXM-141GB", {"2g.35gb": 3, "1g.35gb": 1}, 0, 0),
    ("A30", {"2g.12gb": 1, "1g.6gb": 2}, 0, 0),
    ("A30", {"2g.12gb+me": 1, "1g.6gb": 2}, 0, 0),
    ("A30", {"4g.24gb": 1}, 0, 0),
    ("RTX-PRO-6000", {"2g.48gb": 1, "1g.24gb": 2}, 0, 0),
    ("RTX-PRO-6000", {"2g.48gb+me.all": 1, "1g.24gb-me": 2}, 0, 0),
    ("RTX-PRO-6000", {"1g.24gb+gfx": 2, "2g.48gb+gfx": 1}, 0, 0),
    ("RTX-PRO-6000", {"1g.24gb": 1, "1g.24gb+me": 1, "1g.24gb+gfx": 1, "1g.24gb-me": 1}, 0, 0),
]


@pytest.mark.parametrize(("model_id", "counts", "s_compute", "s_memory"), VALID)
def test_valid(model_id: str, counts: dict, s_compute: int, s_memory: int) -> None:
    m = model(model_id)
    result = fit(m, counts)
    assert result.ok, result.reason
    assert result.reason is None and result.kind is None
    assert (result.stranded_compute, result.stranded_memory) == (s_compute, s_memory)
    assert result.used_compute == sum(m.profiles[p].compute * c for p, c in counts.items())
    assert result.used_memory == sum(m.profiles[p].memory * c for p, c in counts.items())
    check_placement(m, counts, result.placement)


INVALID = [
    # (model, counts, kind, words the reason must contain)
    ("A100-SXM4-40GB", {"4g.20gb": 2}, "max-count", ["4g.20gb: 2 requested, at most 1 per GPU"]),
    ("A100-SXM4-40GB", {"3g.20gb": 2, "1g.5gb": 1}, "memory", ["needs 9 memory slices", "has 8"]),
    ("A100-SXM4-40GB", {"1g.10gb": 4, "1g.5gb": 3}, "memory", ["11 memory slices (55 GB)"]),
    (
        "A100-SXM4-40GB",
        {"1g.5gb": 7, "1g.10gb": 1},
        "compute",
        ["needs 8 compute slices, the A100-SXM4-40GB has 7"],
    ),
    ("A100-SXM4-40GB", {"1g.5gb+me": 2}, "max-count", ["1g.5gb+me: 2 requested, at most 1"]),
    ("A100-SXM4-40GB", {"7g.40gb": 1, "1g.5gb": 1}, "compute", ["needs 8 compute slices"]),
    ("A100-SXM4-40GB", {"1g.20gb": 1}, "unknown-profile", ["unknown profile 1g.20gb"]),
    ("A100-SXM4-40GB", {"1g.10g": 1}, "unknown-profile", ["did you mean 1g.10gb"]),
    ("A100-SXM4-80GB", {"4g.40gb": 2}, "max-count", ["4g.40gb: 2 requested"]),
    ("A100-SXM4-80GB", {"3g.40gb": 2, "1g.10gb": 1}, "memory", ["needs 9 memory slices"]),
    ("A100-SXM4-80GB", {"1g.10gb": 7, "1g.20gb": 1}, "compute", ["needs 8 compute slices"]),
    ("A100-SXM4-80GB", {"1g.10gb+me": 2}, "max-count", ["1g.10gb+me: 2 requested"]),
    ("H100-SXM5-80GB", {"3g.40gb": 2, "1g.10gb": 1}, "memory", ["needs 9 memory slices (90 GB)"]),
    ("H100-SXM5-80GB", {"1g.10gb": 7, "1g.20gb": 1}, "compute", ["H100-SXM5-80GB has 7"]),
    ("H200-SXM-141GB", {"1g.18gb": 7, "1g.35gb": 1}, "compute", ["needs 8 compute slices"]),
    ("H200-SXM-141GB", {"4g.71gb": 2}, "max-count", ["at most 1 per GPU"]),
    ("A30", {"2g.12gb": 2, "1g.6gb": 1}, "compute", ["needs 5 compute slices, the A30 has 4"]),
    ("A30", {"1g.6gb+me": 1, "2g.12gb+me": 1}, "media", ["media-extension", "1g.6gb+me"]),
    ("RTX-PRO-6000", {"1g.24gb+me": 1, "2g.48gb+me.all": 1}, "media", ["media-extension"]),
    ("RTX-PRO-6000", {"4g.96gb": 1, "1g.24gb": 1}, "compute", ["has 4"]),
    ("RTX-PRO-6000", {"1g.24gb+me.all": 2}, "max-count", ["at most 1 per GPU"]),
    ("L40S", {}, "no-mig", ["does not support MIG"]),
    ("L40S", {"1g.10gb": 1}, "no-mig", ["does not support MIG"]),
]


@pytest.mark.parametrize(("model_id", "counts", "kind", "words"), INVALID)
def test_invalid(model_id: str, counts: dict, kind: str, words: list[str]) -> None:
    result = fit(model(model_id), counts)
    assert not result.ok
    assert result.placement == ()
    assert result.kind == kind
    for word in words:
        assert word in (result.reason or ""), result.reason


def test_reasons_are_checked_in_order() -> None:
    a100 = model("A100-SXM4-40GB")
    assert fit(a100, {"nope": 1, "4g.20gb": 2}).kind == "unknown-profile"
    assert fit(a100, {"1g.5gb+me": 2, "7g.40gb": 1}).kind == "max-count"
    a30 = model("A30")
    assert fit(a30, {"1g.6gb+me": 1, "2g.12gb+me": 1, "4g.24gb": 1}).kind == "media"
    assert fit(a30, {"4g.24gb": 1, "2g.12gb": 2}).kind == "compute"


def test_counts_are_normalised_and_memoised() -> None:
    a100 = model("A100-SXM4-40GB")
    first = fit(a100, {"3g.20gb": 1, "4g.20gb": 1, "1g.5gb": 0})
    assert first is fit(a100, {"4g.20gb": 1, "3g.20gb": 1})
    empty = fit(a100, {})
    assert empty.ok and empty.placement == () and empty.stranded_compute == 0
    with pytest.raises(ValueError):
        fit(a100, {"1g.5gb": -1})
    with pytest.raises(TypeError):
        fit(a100, {"1g.5gb": 1.5})  # type: ignore[dict-item]


def toy_model(profiles: list[Profile], compute: int = 4, memory: int = 4) -> GpuModel:
    return GpuModel(
        id="TOY",
        name="toy",
        aliases=(),
        device_ids=("0x000010DE",),
        memory_gb=memory,
        mig=True,
        compute_slices=compute,
        memory_slices=memory,
        profiles={p.name: p for p in profiles},
        layouts={},
        source="test",
    )


def test_placement_failure_is_reported() -> None:
    # Within every budget, yet the only start positions collide.
    big = Profile("2g.2gb", 2, 2, 2, 1, (0,), 2, "none", False)
    small = Profile("1g.1gb", 1, 1, 1, 1, (1,), 1, "none", False)
    result = fit(toy_model([big, small]), {"2g.2gb": 1, "1g.1gb": 1})
    assert not result.ok and result.kind == "placement"
    assert "no placement fits 2g.2gb x1 + 1g.1gb x1 together" in (result.reason or "")


def test_placement_that_strands_nothing_is_preferred() -> None:
    # x at 1 would block y (which only starts at 0); x at 3 leaves room for it.
    x = Profile("1g.1gb", 1, 1, 1, 1, (1, 3), 1, "none", False)
    y = Profile("1g.2gb", 1, 2, 2, 1, (0,), 2, "none", False)
    toy = toy_model([x, y], compute=2)
    result = fit(toy, {"1g.1gb": 1})
    assert result.placement == (("1g.1gb", 3),)
    assert (result.stranded_compute, result.stranded_memory) == (0, 0)
    both = fit(toy, {"1g.1gb": 1, "1g.2gb": 1})
    assert both.ok and (both.stranded_compute, both.stranded_memory) == (0, 1)


def check_placement(m: GpuModel, counts: Mapping[str, int], placement) -> None:
    """The placement is legal: right instances, allowed starts, no shared memory slice."""
    got: dict[str, int] = {}
    taken: set[int] = set()
    for name, start in placement:
        p = m.profiles[name]
        assert start in p.placements
        cells = set(range(start, start + p.size))
        assert not cells & taken
        taken |= cells
        got[name] = got.get(name, 0) + 1
    assert got == {k: v for k, v in counts.items() if v}
    assert list(placement) == sorted(placement, key=lambda x: (x[1], x[0]))


# ------------------------------------------------------------- NVIDIA's default config parity


def reference_configs() -> dict:
    if not REFERENCE.is_file():
        pytest.skip(f"reference config not found at {REFERENCE}")
    configmap = yaml.safe_load(REFERENCE.read_text())
    return yaml.safe_load(configmap["data"]["config.yaml"])["mig-configs"]


def device_filter(entry: Mapping) -> list[str] | None:
    raw = entry.get("device-filter")
    if raw is None:
        return None
    return [d.upper().replace("0X", "0x") for d in ([raw] if isinstance(raw, str) else raw)]


def reference_layout(entries: list, device_id: str, m: GpuModel) -> tuple[bool, dict | None]:
    """What mig-parted does with ``device_id`` under one named config: (applies, devices)."""
    for entry in entries:
        filt = device_filter(entry)
        if filt is not None and device_id not in filt:
            continue
        if not entry.get("mig-enabled"):
            return True, None
        devices = dict(entry.get("mig-devices") or {})
        if filt is None and not (m.mig and all(p in m.profiles for p in devices)):
            continue  # an unfiltered entry covers the models that have all its profiles
        return True, devices
    return False, None


def test_every_filtered_device_id_is_in_the_catalog(catalog: Catalog) -> None:
    ids = {
        d
        for entries in reference_configs().values()
        for entry in entries
        for d in device_filter(entry) or []
    }
    assert ids, "reference config lists no device ids"
    assert sorted(d for d in ids if catalog.by_device_id(d) is None) == []


def test_reference_config_matches_catalog_layouts(catalog: Catalog) -> None:
    configs = reference_configs()
    checked = 0
    for m in catalog.models.values():
        for device_id in m.device_ids:
            for name, entries in configs.items():
                applies, devices = reference_layout(entries, device_id, m)
                if applies:
                    assert name in m.layouts, (m.id, device_id, name)
                    assert m.layouts[name] == devices, (m.id, device_id, name)
                    checked += 1
                else:
                    gap = KNOWN_CONFIG_GAPS.get((m.id, name), set())
                    assert name not in m.layouts or device_id in gap, (m.id, device_id, name)
    assert checked > 200


def test_every_catalog_layout_fits(catalog: Catalog) -> None:
    for m in catalog.models.values():
        for name, counts in m.layouts.items():
            if counts is None:
                continue
            result = fit(m, counts)
            assert result.ok, (m.id, name, result.reason)


# -------------------------------------------------------------------- brute-force oracle


def oracle(m: GpuModel, counts: Mapping[str, int]) -> tuple[bool, tuple[int, int]]:
    """Fit by enumerating every combination of start positions (itertools.product)."""
    if not m.mig or any(n not in m.profiles for n in counts):
        return False, (0, 0)
    instances = [m.profiles[n] for n, c in counts.items() for _ in range(c)]
    if any(c > m.profiles[n].max_count for n, c in counts.items()):
        return False, (0, 0)
    if sum(1 for p in instances if p.media in ("me", "me.all")) > 1:
        return False, (0, 0)
    compute = sum(p.compute for p in instances)
    if compute > m.compute_slices:
        return False, (0, 0)
    memory = sum(p.size for p in instances)
    fits = False
    grows = False
    for starts in itertools.product(*(p.placements for p in instances)):
        cells = [c for p, s in zip(instances, starts, strict=True) for c in range(s, s + p.size)]
        if len(cells) != len(set(cells)):
            continue
        fits = True
        if can_add(m, counts, set(cells), m.compute_slices - compute):
            grows = True
            break
    if not fits:
        return False, (0, 0)
    return True, (0, 0) if grows else (m.compute_slices - compute, m.memory_slices - memory)


def can_add(m: GpuModel, counts: Mapping[str, int], taken: set[int], free: int) -> bool:
    media_used = any(m.profiles[n].media in ("me", "me.all") for n, c in counts.items() if c)
    for p in m.profiles.values():
        if counts.get(p.name, 0) + 1 > p.max_count or p.compute > free:
            continue
        if p.media in ("me", "me.all") and media_used:
            continue
        for s in p.placements:
            if not set(range(s, s + p.size)) & taken:
                return True
    return False


ORACLE_MODELS = ["A100-SXM4-40GB", "A100-PCIE-80GB", "A30", "H100-NVL-94GB", "B200", "RTX-PRO-6000"]


@st.composite
def small_multisets(draw: st.DrawFn) -> tuple[str, dict[str, int]]:
    model_id = draw(st.sampled_from(ORACLE_MODELS))
    names = list(model(model_id).profiles)
    chosen = draw(st.lists(st.sampled_from(names), min_size=0, max_size=5))
    counts: dict[str, int] = {}
    for name in chosen:
        counts[name] = counts.get(name, 0) + 1
    return model_id, counts


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_multisets())
def test_fit_agrees_with_brute_force(case: tuple[str, dict[str, int]]) -> None:
    model_id, counts = case
    m = model(model_id)
    expected_ok, expected_stranded = oracle(m, counts)
    result = fit(m, counts)
    assert result.ok == expected_ok, (model_id, counts, result.reason)
    if expected_ok:
        check_placement(m, counts, result.placement)
        assert (result.stranded_compute, result.stranded_memory) == expected_stranded


@pytest.mark.parametrize("model_id", ["A30", "RTX-PRO-6000"])
def test_all_fitting_multisets_matches_brute_force(model_id: str) -> None:
    m = model(model_id)
    names = list(m.profiles)
    expected = set()
    for combo in itertools.product(*(range(m.profiles[n].max_count + 1) for n in names)):
        counts = {n: c for n, c in zip(names, combo, strict=True) if c}
        small = sum(m.profiles[n].compute * c for n, c in counts.items()) <= m.compute_slices
        if counts and small and oracle(m, counts)[0]:
            expected.add(tuple(sorted(counts.items())))
    got = {tuple(sorted(d.items())) for d in all_fitting_multisets(m)}
    assert got == expected


def test_all_fitting_multisets_is_complete(catalog: Catalog) -> None:
    # Its speed (every multiset of every model) is a figure of bench/bench.py, not a test.
    geometry._fit.cache_clear()
    geometry._all_fitting.cache_clear()
    for m in catalog.models.values():
        found = all_fitting_multisets(m)
        if not m.mig:
            assert found == []
            continue
        keys = [tuple(sorted(d.items())) for d in found]
        assert len(keys) == len(set(keys)), m.id
        assert all(fit(m, d).ok for d in found)
        for counts in m.layouts.values():
            if counts:
                assert tuple(sorted(counts.items())) in keys, m.id
    a100 = catalog.models["A100-SXM4-40GB"]
    keys = {tuple(sorted(d.items())) for d in all_fitting_multisets(a100)}
    assert (("3g.20gb", 1), ("4g.20gb", 1)) in keys
    assert (("1g.10gb", 4), ("1g.5gb", 3)) not in keys

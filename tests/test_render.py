"""Rendered output: golden files, real schemas, kustomize, determinism and the seed scenarios."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import REFERENCE, ROOT
from kube_schemas import schema_errors
from migrender.render import manifest_stream, render_spec
from migrender.validate import validate_sources

ENVIRONMENTS = sorted(p.parent.name for p in (ROOT / "environments").glob("*/cluster.yaml"))
GOLDEN = ROOT / "tests" / "golden"


def spec_of(name: str, text: bytes | None = None):
    path = ROOT / "environments" / name / "cluster.yaml"
    result = validate_sources([(f"environments/{name}/cluster.yaml", text or path.read_bytes())])[0]
    assert result.ok, result.problems
    return result.spec


def rendered(name: str, text: bytes | None = None) -> dict[str, str]:
    return render_spec(spec_of(name, text))


def objects(files: dict[str, str]) -> list[dict]:
    return [d for text in files.values() for d in yaml.safe_load_all(text) if d is not None]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_golden_files(env, update_golden) -> None:
    files = rendered(env)
    folder = GOLDEN / env
    if update_golden:
        shutil.rmtree(folder, ignore_errors=True)
        for name, text in files.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(text, encoding="utf-8")
    on_disk = {
        p.relative_to(folder).as_posix(): p.read_text("utf-8")
        for p in folder.rglob("*")
        if p.is_file()
    }
    assert sorted(on_disk) == sorted(files)
    for name, text in files.items():
        assert text == on_disk[name], f"{env}/{name} differs from its golden file"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_object_is_valid_against_its_schema(env) -> None:
    if not REFERENCE.is_dir():
        pytest.skip("upstream reference CRDs are not available")
    spec = spec_of(env)
    docs = objects({k: v for k, v in rendered(env).items() if k != "gpu-operator-values.yaml"})
    assert docs
    for obj in docs:
        if obj.get("kind") == "Kustomization" and "kustomize.config" in obj["apiVersion"]:
            continue
        errors = schema_errors(obj, spec.operator.version_tuple)
        assert not errors, f"{obj['kind']} {obj['metadata'].get('name')}: {errors}"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_kubectl_kustomize_builds_it(env, tmp_path) -> None:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not installed")
    files = rendered(env)
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    if (tmp_path / "gitops").is_dir():
        glue = subprocess.run(
            [kubectl, "kustomize", str(tmp_path / "gitops")],
            capture_output=True,
            text=True,
            check=False,
        )
        assert glue.returncode == 0, glue.stderr
        kinds = [d["kind"] for d in yaml.safe_load_all(glue.stdout) if d]
        assert kinds in (["Application"], ["Kustomization"])
    done = subprocess.run(
        [kubectl, "kustomize", str(tmp_path)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    built = [d for d in yaml.safe_load_all(done.stdout) if d]
    streamed = [d for d in yaml.safe_load_all(manifest_stream(files)) if d]
    key = lambda d: (d["kind"], d["metadata"]["name"])  # noqa: E731
    assert sorted(map(key, built)) == sorted(map(key, streamed))


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_render_is_deterministic(env) -> None:
    assert rendered(env) == rendered(env)


def test_values_file_fits_the_chart() -> None:
    """Every key migrender sets exists in the chart's values.yaml of that release line."""
    reference = REFERENCE / "gpu-operator-values-v26.7.0.yaml"
    if not reference.is_file():
        pytest.skip("chart values are not available")
    chart = yaml.safe_load(reference.read_text())
    values = yaml.safe_load(rendered("eks-p5")["gpu-operator-values.yaml"])

    def walk(ours, theirs, path=""):
        for key, value in ours.items():
            assert key in theirs, f"{path}{key} is not a chart value"
            if isinstance(value, dict) and theirs[key]:
                walk(value, theirs[key], f"{path}{key}.")

    walk(values, chart)
    assert values["migManager"]["config"]["name"] != "default-mig-parted-config"


def test_seed_rhoai_a30() -> None:
    files = rendered("rhoai-a30")
    nodes = [d for d in yaml.safe_load_all(files["node-labels.yaml"]) if d]
    assert {
        n["metadata"]["name"]: n["metadata"]["labels"]["nvidia.com/mig.config"] for n in nodes
    } == {"worker-0": "all-balanced", "worker-1": "all-balanced"}
    configmap = yaml.safe_load(files["mig-parted-config.yaml"].split("---\n", 1)[1])
    config = yaml.safe_load(configmap["data"]["config.yaml"])
    (entry,) = config["mig-configs"]["all-balanced"]
    assert entry["mig-devices"] == {"1g.6gb": 2, "2g.12gb": 1}
    assert entry["device-filter"] == ["0x20B710DE"]
    profiles = [d for d in yaml.safe_load_all(files["openshift-ai-profiles.yaml"]) if d]
    assert [p["kind"] for p in profiles] == ["AcceleratorProfile"] * 2
    assert [p["spec"]["identifier"] for p in profiles] == [
        "nvidia.com/mig-1g.6gb",
        "nvidia.com/mig-2g.12gb",
    ]


def test_clusterpolicy_follows_the_operator_version() -> None:
    old = objects({"c": rendered("rhoai-a30")["clusterpolicy.yaml"]})[0]  # v25.10.1
    new = objects({"c": rendered("rhoai-a100")["clusterpolicy.yaml"]})[0]  # v26.7.0
    assert old["spec"]["operator"]["defaultRuntime"] == "crio"
    assert "defaultRuntime" not in new["spec"]["operator"]
    for policy in (old, new):
        assert policy["spec"]["migManager"]["config"] == {
            "name": "migrender-mig-parted-config",
            "default": "all-disabled",
        }


def test_single_strategy_advertises_nvidia_com_gpu_and_selects_nodes() -> None:
    files = rendered("rhoai-a100")
    (profile,) = [d for d in yaml.safe_load_all(files["openshift-ai-profiles.yaml"]) if d]
    assert profile["kind"] == "HardwareProfile"
    accelerator = profile["spec"]["identifiers"][-1]
    assert accelerator["identifier"] == "nvidia.com/gpu"
    assert accelerator["maxCount"] == 7
    selector = profile["spec"]["scheduling"]["node"]["nodeSelector"]
    node = next(d for d in yaml.safe_load_all(files["node-labels.yaml"]) if d)
    assert selector.items() <= node["metadata"]["labels"].items()


def test_changing_one_slice_count_changes_only_that_config_and_its_labels() -> None:
    original = (ROOT / "environments/a100-40gb-halves/cluster.yaml").read_bytes()
    changed = original.replace(b"3g.20gb: 2", b"3g.20gb: 1")
    assert changed != original
    before, after = rendered("a100-40gb-halves"), rendered("a100-40gb-halves", changed)
    differing = sorted(name for name in before if before[name] != after[name])
    assert differing == ["mig-parted-config.yaml", "node-labels.yaml"]  # nothing else
    old_name = objects({"n": before["node-labels.yaml"]})[0]["metadata"]["labels"][
        "nvidia.com/mig.config"
    ]
    new_name = objects({"n": after["node-labels.yaml"]})[0]["metadata"]["labels"][
        "nvidia.com/mig.config"
    ]
    assert old_name != new_name
    assert after["node-labels.yaml"] == before["node-labels.yaml"].replace(old_name, new_name)
    assert after["mig-parted-config.yaml"].replace(new_name, old_name) == before[
        "mig-parted-config.yaml"
    ].replace('"3g.20gb": 2', '"3g.20gb": 1')


def test_every_config_entry_lists_every_gpu() -> None:
    files = rendered("a100-40gb-halves")
    configmap = objects({"c": files["mig-parted-config.yaml"]})[0]
    config = yaml.safe_load(configmap["data"]["config.yaml"])
    for name, entries in config["mig-configs"].items():
        devices = [e["devices"] for e in entries]
        if devices == ["all"]:
            continue
        assert sorted(i for d in devices for i in d) == [0, 1, 2, 3], name
        assert all(e["device-filter"] for e in entries)
    assert "default-mig-parted-config" not in configmap["metadata"]["name"]


def test_stream_is_every_kustomization_resource_in_order(tmp_path) -> None:
    files = rendered("rhoai-a30")
    kinds = [d["kind"] for d in yaml.safe_load_all(manifest_stream(files)) if d]
    assert kinds == [
        "Namespace",
        "OperatorGroup",
        "Subscription",
        "ConfigMap",
        "ClusterPolicy",
        "Node",
        "Node",
        "AcceleratorProfile",
        "AcceleratorProfile",
    ]


def test_output_paths_stay_inside_the_folder() -> None:
    for env in ENVIRONMENTS:
        for name in rendered(env):
            assert not Path(name).is_absolute() and ".." not in Path(name).parts


def test_oci_chart_repository_for_flux() -> None:
    """A chart from an OCI registry gets an OCIRepository and a chartRef (Flux v2 APIs)."""
    original = (ROOT / "environments/oci-h100/cluster.yaml").read_bytes()
    oci = original.replace(
        b"  version: v26.7.0\n",
        b"  version: v26.7.0\n  chart:\n    repository: oci://nvcr.io/nvidia\n",
    )
    assert oci != original
    files = rendered("oci-h100", oci)
    source, release = objects({"h": files["gpu-operator-helmrelease.yaml"]})
    assert source["kind"] == "OCIRepository"
    assert source["spec"]["url"] == "oci://nvcr.io/nvidia/gpu-operator"
    assert release["spec"]["chartRef"] == {"kind": "OCIRepository", "name": "gpu-operator"}
    if REFERENCE.is_dir():
        for obj in (source, release):
            assert not schema_errors(obj, (26, 7, 0)), obj["kind"]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_sync_waves_put_the_configmap_first_and_labels_last(env) -> None:
    files = rendered(env)
    waves = {}
    for obj in objects({k: v for k, v in files.items() if k in manifest_stream_files(files)}):
        wave = int(obj["metadata"].get("annotations", {}).get("argocd.argoproj.io/sync-wave", 0))
        waves.setdefault(obj["kind"], set()).add(wave)
    settings = waves.get("ClusterPolicy", {0})  # the Helm chart's objects are wave 0
    assert max(waves["ConfigMap"]) < min(settings)
    labels = waves.get("Node", set()) | waves.get("MachineSet", set())
    others = {w for kind, ws in waves.items() if kind not in ("Node", "MachineSet") for w in ws}
    assert min(labels) > max(others | settings)


def manifest_stream_files(files: dict[str, str]) -> list[str]:
    return yaml.safe_load(files["kustomization.yaml"])["resources"]

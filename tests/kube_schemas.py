"""Validate rendered objects against the real schemas: upstream CRDs and Kubernetes' own.

CRDs come from the upstream reference folder beside the repository (tests skip
without it); their openAPIV3Schema is translated to JSON Schema first
(``x-kubernetes-int-or-string`` and ``nullable``; CEL rules are not run).
"""

from __future__ import annotations

import functools
from typing import Any

import yaml
from jsonschema import Draft202012Validator

from conftest import REFERENCE

#: (apiVersion, kind) -> CRD file in the reference folder. ClusterPolicy is chosen by
#: operator version in ``crd_file_for``.
CRD_FILES = {
    ("dashboard.opendatahub.io/v1", "AcceleratorProfile"): "acceleratorprofile-crd.yaml",
    ("infrastructure.opendatahub.io/v1", "HardwareProfile"): "hardwareprofile-crd.yaml",
    ("argoproj.io/v1alpha1", "Application"): "argocd-application-crd.yaml",
    ("kustomize.toolkit.fluxcd.io/v1", "Kustomization"): "flux-kustomization-crd.yaml",
    ("helm.toolkit.fluxcd.io/v2", "HelmRelease"): "flux-helmrelease-crd.yaml",
    ("source.toolkit.fluxcd.io/v1", "HelmRepository"): "flux-helmrepositories-crd.yaml",
    ("source.toolkit.fluxcd.io/v1", "OCIRepository"): "flux-ocirepositories-crd.yaml",
}
CORE_KINDS = {("v1", "Node"), ("v1", "Namespace"), ("v1", "ConfigMap")}
#: Kinds with no schema available offline (OpenShift and OLM APIs); checked by hand in tests.
UNCHECKED_KINDS = {
    ("machine.openshift.io/v1beta1", "MachineSet"),
    ("operators.coreos.com/v1", "OperatorGroup"),
    ("operators.coreos.com/v1alpha1", "Subscription"),
    ("argoproj.io/v1alpha1", "ApplicationSet"),
}


def clusterpolicy_crd(operator_version: tuple[int, int, int]) -> str:
    """The ClusterPolicy CRD of the release line: v25.10's up to v26.3, v26.7's after."""
    return (
        "clusterpolicy-crd-v25.10.1.yaml"
        if operator_version < (26, 3, 0)
        else ("clusterpolicy-crd-v26.7.0.yaml")
    )


def _translate(node: Any) -> Any:
    if isinstance(node, list):
        return [_translate(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _translate(v) for k, v in node.items() if not k.startswith("x-kubernetes-")}
    if node.get("x-kubernetes-int-or-string") and "type" not in node and "anyOf" not in node:
        out["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    if node.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"]
    out.pop("nullable", None)
    return out


@functools.cache
def crd_validator(file_name: str, api_version: str) -> Draft202012Validator:
    path = REFERENCE / file_name
    for doc in yaml.safe_load_all(path.read_text()):
        if not doc or doc.get("kind") != "CustomResourceDefinition":
            continue
        group = doc["spec"]["group"]
        for version in doc["spec"]["versions"]:
            if f"{group}/{version['name']}" == api_version:
                schema = _translate(version["schema"]["openAPIV3Schema"])
                return Draft202012Validator(schema)
    raise LookupError(f"{file_name} has no version {api_version}")


def schema_errors(obj: dict[str, Any], operator_version: tuple[int, int, int]) -> list[str]:
    """Messages of every schema violation of one rendered object."""
    key = (obj["apiVersion"], obj["kind"])
    if key in CORE_KINDS:
        import kubernetes_validate

        try:
            kubernetes_validate.validate(obj, "1.32", strict=True)
        except kubernetes_validate.ValidationError as exc:
            return [str(exc.message)]
        return []
    if key == ("nvidia.com/v1", "ClusterPolicy"):
        file_name = clusterpolicy_crd(operator_version)
    elif key in CRD_FILES:
        file_name = CRD_FILES[key]
    elif key in UNCHECKED_KINDS:
        return []
    else:
        return [f"no schema known for {key}"]
    validator = crd_validator(file_name, obj["apiVersion"])
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(obj)
    ]

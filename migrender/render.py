"""Rendering: the render model through Jinja2 templates into an in-memory file tree.

The environment is sandboxed with StrictUndefined, so a template can neither
reach into Python nor print a missing value as an empty string. Every user or
catalog string goes through the ``q`` filter (:mod:`migrender.yamlout`). Each
rendered file is parsed back before anything is written: a template bug shows
up as an error here, never as broken YAML in a cluster.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from migrender.model import RenderModel, build_model
from migrender.resources import package_dir
from migrender.spec import ClusterSpec
from migrender.yamlout import FILTERS, parse_all

if TYPE_CHECKING:
    from jinja2 import Environment


class RenderError(Exception):
    """A template produced output that is not valid YAML: a bug in migrender."""


@functools.cache
def environment() -> Environment:
    from jinja2 import FileSystemLoader, StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    env = ImmutableSandboxedEnvironment(
        loader=FileSystemLoader(package_dir("migrender.templates")),
        undefined=StrictUndefined,
        autoescape=False,  # YAML, not HTML: quoting is the q filter's job
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    return env


def planned_files(m: RenderModel) -> list[tuple[str, str]]:
    """(output file, template) pairs for an environment, in kustomization order."""
    plan = [("namespace.yaml", "namespace.yaml.j2")]
    if m.install == "olm":
        plan.append(("operator-subscription.yaml", "operator-subscription.yaml.j2"))
    plan.append(("mig-parted-config.yaml", "mig-parted-config.yaml.j2"))
    if m.install == "olm":
        plan.append(("clusterpolicy.yaml", "clusterpolicy.yaml.j2"))
    if m.nodes:
        plan.append(("node-labels.yaml", "node-labels.yaml.j2"))
    if m.machine_sets:
        plan.append(("machineset-labels.yaml", "machineset-labels.yaml.j2"))
    if m.openshift_ai is not None and m.openshift_ai.profiles:
        template = (
            "accelerator-profiles.yaml.j2"
            if m.openshift_ai.major == 2
            else "hardware-profiles.yaml.j2"
        )
        plan.append(("openshift-ai-profiles.yaml", template))
    if m.gitops == "flux" and m.install == "helm":
        plan.append(("gpu-operator-helmrelease.yaml", "flux-helmrelease.yaml.j2"))
    return plan


def gitops_files(m: RenderModel) -> list[tuple[str, str]]:
    """The GitOps glue: applied once to the GitOps tool's namespace, not to the cluster's
    workloads, so it lives in gitops/ and is not part of the environment's kustomization."""
    if m.gitops == "argocd":
        return [("gitops/argocd-application.yaml", "argocd-application.yaml.j2")]
    if m.gitops == "flux":
        return [("gitops/flux-kustomization.yaml", "flux-kustomization.yaml.j2")]
    return []


def render_model(m: RenderModel) -> dict[str, str]:
    """Every file of ``rendered/<name>/``: relative path -> text."""
    env = environment()
    out: dict[str, str] = {}
    resources = []
    for name, template in planned_files(m):
        out[name] = env.get_template(template).render(m=m)
        resources.append(name)
    if m.install == "helm":
        out["gpu-operator-values.yaml"] = env.get_template("gpu-operator-values.yaml.j2").render(
            m=m
        )
    out["kustomization.yaml"] = env.get_template("kustomization.yaml.j2").render(
        m=m, resources=resources
    )
    glue = gitops_files(m)
    for name, template in glue:
        out[name] = env.get_template(template).render(m=m)
    if glue:
        out["gitops/kustomization.yaml"] = env.get_template("kustomization.yaml.j2").render(
            m=m, resources=[name.removeprefix("gitops/") for name, _ in glue]
        )
    for name, text in out.items():
        check_yaml(name, text)
    return dict(sorted(out.items()))


def check_yaml(name: str, text: str) -> None:
    """Parse a rendered file back; any failure is a migrender bug, reported as such."""
    import yaml

    if not text.endswith("\n") or text.endswith("\n\n"):
        raise RenderError(f"{name}: must end with exactly one newline")
    try:
        parse_all(text)
    except yaml.YAMLError as exc:
        raise RenderError(f"{name}: rendered YAML does not parse: {exc}") from exc


def render_spec(spec: ClusterSpec) -> dict[str, str]:
    """A validated spec's ``rendered/<name>/`` tree, in memory."""
    return render_model(build_model(spec))


def manifest_stream(files: dict[str, str]) -> str:
    """The environment's manifests as one multi-document stream, in kustomization order
    (what ``render --stdout`` prints for an Argo CD config management plugin)."""
    kustomization = parse_all(files["kustomization.yaml"])[0]
    return "".join(files[name] for name in kustomization["resources"])


FLEET_FILE = "argocd-applicationset.yaml"


@dataclass(frozen=True)
class Fleet:
    """Argo CD environments that share a repository, revision and Argo CD namespace."""

    name: str
    namespace: str
    url: str
    revision: str
    environments: tuple[tuple[str, str], ...]  # (environment, its gitops/ path)


def render_fleet(specs: list[ClusterSpec]) -> str | None:
    """The fleet ApplicationSet over every ``gitops: argocd`` environment, or None."""
    groups: dict[tuple[str, str, str], list[tuple[str, str]]] = {}
    for spec in specs:
        if spec.gitops != "argocd" or spec.repository.url is None:
            continue
        key = (spec.argocd.namespace, spec.repository.url, spec.repository.revision)
        groups.setdefault(key, []).append((spec.name, f"{spec.repository.path}/gitops"))
    if not groups:
        return None
    fleets = [
        Fleet(
            name="migrender-fleet" if len(groups) == 1 else f"migrender-fleet-{i + 1}",
            namespace=namespace,
            url=url,
            revision=revision,
            environments=tuple(sorted(envs)),
        )
        for i, ((namespace, url, revision), envs) in enumerate(sorted(groups.items()))
    ]
    text = environment().get_template("argocd-applicationset.yaml.j2").render(fleets=fleets)
    check_yaml(FLEET_FILE, text)
    return text

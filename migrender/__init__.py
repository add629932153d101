"""migrender: validate and render NVIDIA MIG layouts for Kubernetes and OpenShift."""

__version__ = "0.1.0"

"""The overlays as kubectl renders them, once per test session."""

from __future__ import annotations

import functools
import shutil
from pathlib import Path
from typing import Any

import pytest

from concurso_coach.parity.loader import render_overlay

ROOT = Path(__file__).resolve().parents[2]
OVERLAYS = ("deploy/overlays/kind", "deploy/overlays/prod")
POD_SPEC_KINDS = {"Deployment", "StatefulSet", "Job"}

needs_kubectl = pytest.mark.skipif(shutil.which("kubectl") is None, reason="needs kubectl")

Document = dict[str, Any]


@functools.cache
def rendered(overlay: str) -> tuple[Document, ...]:
    return tuple(render_overlay(ROOT / overlay))


def workloads(overlay: str) -> list[Document]:
    return [doc for doc in rendered(overlay) if doc["kind"] in POD_SPEC_KINDS]


def of_kind(overlay: str, kind: str) -> list[Document]:
    return [doc for doc in rendered(overlay) if doc["kind"] == kind]


def pod_spec(workload: Document) -> Document:
    spec: Document = workload["spec"]["template"]["spec"]
    return spec


def all_containers(workload: Document) -> list[Document]:
    spec = pod_spec(workload)
    return [*spec.get("initContainers", []), *spec["containers"]]

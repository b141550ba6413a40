"""Evaluate the Tiltfile with recording stand-ins for Tilt's built-ins.

Only the built-ins defined here exist, so a call to any other fails evaluation,
as does a call whose paths, resources or ports do not exist in this repository.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import starlark

from tests.deploy.rendering import all_containers, rendered, workloads

Record = dict[str, Any]


class TiltfileError(AssertionError):
    """The Tiltfile asks for something the repository or the manifests lack."""


@dataclass
class TiltRecording:
    """Every call the Tiltfile made, by built-in name."""

    root: Path
    calls: dict[str, list[Record]] = field(default_factory=dict)

    def record(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Record:
        entry: Record = {"builtin": name, "args": list(args), **kwargs}
        self.calls.setdefault(name, []).append(entry)
        return entry

    def of(self, name: str) -> list[Record]:
        return self.calls.get(name, [])


BUILTINS = (
    "version_settings",
    "docker_build",
    "sync",
    "run",
    "fall_back_on",
    "k8s_yaml",
    "kustomize",
    "k8s_resource",
    "port_forward",
    "link",
    "local_resource",
)


def evaluate_tiltfile(path: Path, root: Path | None = None) -> TiltRecording:
    """Run the Tiltfile, then check what it recorded against the repository.

    Paths in the Tiltfile are resolved from `root`, by default its own folder.
    """
    recording = TiltRecording(root=root or path.parent)
    module = starlark.Module()
    for name in BUILTINS:
        module.add_callable(name, _recorder(recording, name))

    source = path.read_text(encoding="utf-8")
    starlark.eval(module, starlark.parse(path.name, source), starlark.Globals.standard())

    validate(recording)
    return recording


def _recorder(recording: TiltRecording, name: str) -> Callable[..., Record]:
    def builtin(*args: Any, **kwargs: Any) -> Record:
        return recording.record(name, args, kwargs)

    return builtin


def validate(recording: TiltRecording) -> None:
    _require_existing(recording)
    overlays = [_first(call) for call in recording.of("kustomize")]
    workload_names = {doc["metadata"]["name"] for o in overlays for doc in workloads(o)}
    images = {c["image"] for o in overlays for w in workloads(o) for c in all_containers(w)}

    for build in recording.of("docker_build"):
        if _first(build) not in images:
            raise TiltfileError(f"docker_build {_first(build)!r} is no image in {overlays}")

    local_names = {_first(call) for call in recording.of("local_resource")}
    for resource in recording.of("k8s_resource"):
        name = _first(resource)
        if name not in workload_names:
            raise TiltfileError(f"k8s_resource {name!r} is no workload in {overlays}")
        for dependency in resource.get("resource_deps", []):
            if dependency not in workload_names | local_names:
                raise TiltfileError(f"{name} depends on unknown resource {dependency!r}")
        declared = _container_ports(overlays, name)
        for forward in resource.get("port_forwards", []):
            container_port = _container_port(forward)
            if container_port not in declared:
                raise TiltfileError(f"{name} forwards to {container_port}, not in {declared}")


def _require_existing(recording: TiltRecording) -> None:
    def exists(paths: Iterable[str], what: str) -> None:
        for relative in paths:
            if not (recording.root / relative).exists():
                raise TiltfileError(f"{what} {relative!r} does not exist")

    for build in recording.of("docker_build"):
        exists([build.get("context", "."), build.get("dockerfile", "Dockerfile")], "build path")
        exists(build.get("only", []), "docker_build only=")
    syncs = [_first(step) for step in recording.of("sync")]
    exists(syncs, "sync path")
    built = [Path(path) for build in recording.of("docker_build") for path in build.get("only", [])]
    for path in map(Path, syncs):
        if built and not any(path == only or only in path.parents for only in built):
            raise TiltfileError(f"sync path {path} is outside docker_build only=")
    for step in recording.of("fall_back_on"):
        exists(_listed(_first(step)), "fall_back_on file")
    for step in recording.of("run"):
        exists(step.get("trigger", []), "run trigger")
    exists([_first(call) for call in recording.of("kustomize")], "kustomize directory")
    for resource in recording.of("local_resource"):
        exists(resource.get("deps", []), "local_resource dep")


def _listed(value: str | Iterable[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _first(call: Record) -> Any:
    return call["args"][0]


def _container_ports(overlays: list[str], workload: str) -> set[int]:
    return {
        int(port["containerPort"])
        for overlay in overlays
        for document in rendered(overlay)
        if document["kind"] in {"Deployment", "StatefulSet", "Job"}
        and document["metadata"]["name"] == workload
        for container in document["spec"]["template"]["spec"]["containers"]
        for port in container.get("ports", [])
    }


def _container_port(forward: object) -> int:
    """The pod side of a forward written as 8000, '8000:80' or port_forward()."""
    if isinstance(forward, dict):
        args = forward["args"]
        container = forward.get("container_port", args[1] if len(args) > 1 else args[0])
        return int(container)
    return int(str(forward).rsplit(":", 1)[-1])

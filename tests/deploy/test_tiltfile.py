"""The Tiltfile, evaluated by a Starlark interpreter with recording stand-ins.

`tilt up` itself cannot run in CI (no cluster can start there); this proves the
file calls only known built-ins, on paths, resources and ports that exist.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import starlark

from tests.deploy.rendering import ROOT, needs_kubectl
from tests.deploy.tilt_standins import TiltfileError, TiltRecording, evaluate_tiltfile

TILTFILE = ROOT / "Tiltfile"

pytestmark = needs_kubectl


@pytest.fixture(scope="module")
def tilt() -> TiltRecording:
    return evaluate_tiltfile(TILTFILE)


def broken_copy(tmp_path: Path, old: str, new: str) -> Path:
    """The repository's Tiltfile with one change, evaluated from the repository."""
    source = TILTFILE.read_text(encoding="utf-8")
    assert old in source
    copy = tmp_path / "Tiltfile"
    copy.write_text(source.replace(old, new, 1), encoding="utf-8")
    return copy


def test_tilt_version_is_pinned(tilt: TiltRecording) -> None:
    assert [call["constraint"] for call in tilt.of("version_settings")] == [">=0.33.0"]


def test_one_image_is_built_under_the_manifests_ref(tilt: TiltRecording) -> None:
    assert [call["args"][0] for call in tilt.of("docker_build")] == ["concurso-coach"]


def test_live_update_syncs_sources_and_rebuilds_on_dependency_changes(
    tilt: TiltRecording,
) -> None:
    (build,) = tilt.of("docker_build")
    steps = {step["builtin"]: step["args"] for step in build["live_update"]}

    assert steps["sync"] == ["src", "/app/src"]
    assert steps["fall_back_on"] == [["pyproject.toml", "uv.lock"]]


def test_the_kind_overlay_is_applied(tilt: TiltRecording) -> None:
    (applied,) = tilt.of("k8s_yaml")

    assert applied["args"][0]["args"] == ["deploy/overlays/kind"]


def test_api_waits_for_database_queue_and_migrations(tilt: TiltRecording) -> None:
    (api,) = [call for call in tilt.of("k8s_resource") if call["args"][0] == "api"]

    assert set(api["resource_deps"]) == {"db", "redis", "migrate"}


def test_data_stores_forward_to_non_default_host_ports(tilt: TiltRecording) -> None:
    forwards = {
        call["args"][0]: call["port_forwards"][0]["args"]
        for call in tilt.of("k8s_resource")
        if call.get("port_forwards")
    }

    assert forwards == {"api": [8000, 8000], "db": [5433, 5432], "redis": [6380, 6379]}


def test_every_workload_is_a_labelled_resource(tilt: TiltRecording) -> None:
    resources = {call["args"][0]: call.get("labels") for call in tilt.of("k8s_resource")}

    assert set(resources) == {"api", "worker", "migrate", "db", "redis"}
    assert all(resources.values())


def test_the_test_suite_is_a_local_resource(tilt: TiltRecording) -> None:
    assert [call["args"][0] for call in tilt.of("local_resource")] == ["tests"]


def test_every_top_level_call_has_a_comment_above_it() -> None:
    lines = TILTFILE.read_text(encoding="utf-8").splitlines()
    calls = [i for i, line in enumerate(lines) if re.match(r"[a-z_0-9]+\(", line)]

    assert [lines[i] for i in calls if not lines[i - 1].startswith("#")] == []


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ("k8s_yaml(", "helm_remote('x')\nk8s_yaml(", "not found"),
        ("sync('src', '/app/src')", "sync('source', '/app/src')", "does not exist"),
        ("k8s_resource('worker'", "k8s_resource('workers'", "no workload"),
        ("resource_deps=['db']", "resource_deps=['database']", "unknown resource"),
        ("port_forward(6380, 6379", "port_forward(6380, 6380", "forwards to 6380"),
        ("'concurso-coach',\n    context", "'coach',\n    context", "no image"),
        ("fall_back_on(['pyproject.toml'", "fall_back_on(['pyproject.tom'", "does not exist"),
    ],
)
def test_a_broken_tiltfile_fails_evaluation(
    tmp_path: Path, old: str, new: str, problem: str
) -> None:
    broken = broken_copy(tmp_path, old, new)

    with pytest.raises((TiltfileError, starlark.StarlarkError), match=problem):
        evaluate_tiltfile(broken, root=ROOT)

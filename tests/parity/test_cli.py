"""`coach parity` on the repository's own files, and on a broken copy of them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from concurso_coach.parity.cli import parity_command

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "compose.yaml"

needs_kubectl = pytest.mark.skipif(shutil.which("kubectl") is None, reason="needs kubectl")


@needs_kubectl
@pytest.mark.parametrize("overlay", ["deploy/overlays/kind", "deploy/overlays/prod"])
def test_repository_probes_match_the_compose_healthchecks(overlay: str) -> None:
    result = CliRunner().invoke(
        parity_command, ["--compose", str(COMPOSE), "--overlay", str(ROOT / overlay)]
    )

    assert result.exit_code == 0, result.output
    assert "compared api, db, redis" in result.output


@needs_kubectl
def test_a_changed_healthcheck_fails_with_one_line_naming_it(tmp_path: Path) -> None:
    document = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    document["services"]["redis"]["healthcheck"]["interval"] = "7s"
    broken = tmp_path / "compose.yaml"
    broken.write_text(yaml.safe_dump(document), encoding="utf-8")

    result = CliRunner().invoke(
        parity_command,
        ["--compose", str(broken), "--overlay", str(ROOT / "deploy/overlays/kind")],
    )

    assert result.exit_code == 1
    assert "error: redis: readiness.periodSeconds: periodSeconds is 5" in result.output


def test_an_unrenderable_overlay_is_reported_not_raised(tmp_path: Path) -> None:
    (tmp_path / "kustomization.yaml").write_text("resources: [missing.yaml]\n")

    result = CliRunner().invoke(
        parity_command, ["--compose", str(COMPOSE), "--overlay", str(tmp_path)]
    )

    assert result.exit_code == 1
    assert "Error:" in result.output


def _run_with_compose(compose_command: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        parity_command,
        [
            "--compose",
            str(COMPOSE),
            "--overlay",
            str(ROOT / "deploy/overlays/kind"),
            "--exec",
            "--compose-command",
            compose_command,
        ],
    )
    return result.exit_code, result.output


@needs_kubectl
def test_exec_reports_one_line_per_probe_run_in_compose() -> None:
    exit_code, output = _run_with_compose("true")

    assert exit_code == 0, output
    assert "ok: api readiness" in output
    assert "ok: redis liveness" in output


@needs_kubectl
def test_exec_fails_when_a_probe_fails_in_its_container() -> None:
    exit_code, output = _run_with_compose("false")

    assert exit_code == 1
    assert "error: db readiness" in output

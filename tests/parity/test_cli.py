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

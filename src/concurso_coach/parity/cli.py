"""`coach parity`: are the Kubernetes probes the Compose healthchecks?"""

from __future__ import annotations

import shlex
from pathlib import Path

import click

from concurso_coach.parity.checks import (
    check_healthcheck_rules,
    check_parity,
    check_probe_rules,
)
from concurso_coach.parity.execution import ProbeRun, plan_probe_runs
from concurso_coach.parity.loader import execute_in_compose, load_compose, render_overlay
from concurso_coach.parity.model import Finding, Severity
from concurso_coach.parity.parsing import (
    ParityInputError,
    containers_from_manifests,
    healthchecks_from_compose,
)


@click.command("parity")
@click.option(
    "--compose",
    "compose_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=Path("compose.yaml"),
    show_default=True,
    help="Compose file whose healthchecks are the reference.",
)
@click.option(
    "--overlay",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=Path("deploy/overlays/kind"),
    show_default=True,
    help="Kustomize overlay to render with `kubectl kustomize`.",
)
@click.option(
    "--exec",
    "execute",
    is_flag=True,
    help="Also run every probe inside the running Compose containers.",
)
@click.option(
    "--compose-command",
    default="docker compose",
    show_default=True,
    help="How to invoke Compose for --exec, e.g. with --env-file.",
)
def parity_command(compose_file: Path, overlay: Path, execute: bool, compose_command: str) -> None:
    """Check that each probe in the overlay runs its Compose healthcheck.

    Prints one line per finding and exits 1 on any error.
    """
    try:
        compose = load_compose(compose_file)
        healthchecks = healthchecks_from_compose(compose)
        containers = containers_from_manifests(render_overlay(overlay))
    except ParityInputError as error:
        raise click.ClickException(str(error)) from None

    findings: list[Finding] = [
        *check_healthcheck_rules(healthchecks),
        *check_probe_rules(containers),
        *check_parity(healthchecks, containers),
    ]
    for finding in findings:
        click.echo(finding.render())
    errors = sum(finding.severity is Severity.ERROR for finding in findings)

    if execute:
        services = [str(name) for name in compose.get("services") or {}]
        runs = plan_probe_runs(containers, services)
        errors += _execute_probes(shlex.split(compose_command), compose_file, runs)

    compared = sorted(healthchecks.keys() & containers.keys())
    click.echo(f"parity: compared {', '.join(compared) or 'nothing'}; {errors} error(s)")
    if errors:
        raise click.exceptions.Exit(1)


def _execute_probes(compose_command: list[str], compose_file: Path, runs: list[ProbeRun]) -> int:
    """Run each probe in its Compose container; one line each, failures counted."""
    if not runs:
        click.echo("error: exec: no probe belongs to a Compose service")
        return 1

    failures = 0
    for run in runs:
        try:
            outcome = execute_in_compose(compose_command, compose_file, run)
        except ParityInputError as error:
            raise click.ClickException(str(error)) from None
        verdict = "ok" if outcome.passed else "error"
        suffix = f": {outcome.detail}" if outcome.detail else ""
        click.echo(f"{verdict}: {run.describe()}: ran in {outcome.seconds:.1f}s{suffix}")
        failures += not outcome.passed
    return failures

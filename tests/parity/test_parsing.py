from __future__ import annotations

import pytest

from concurso_coach.parity.model import HttpGet, TcpSocket
from concurso_coach.parity.parsing import (
    ParityInputError,
    command_from_argv,
    containers_from_manifests,
    healthchecks_from_compose,
    parse_duration,
)
from tests.parity.pairs import compose, manifests


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("5s", 5.0), ("1m30s", 90.0), ("500ms", 0.5), ("1h", 3600.0), (7, 7.0)],
)
def test_compose_durations_are_read_as_seconds(text: object, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["5", "5 s", "fast", "5s!"])
def test_malformed_durations_are_rejected(text: str) -> None:
    with pytest.raises(ParityInputError):
        parse_duration(text)


def test_compose_dollar_escape_reaches_the_container_as_one_dollar() -> None:
    db = healthchecks_from_compose(compose())["db"]

    assert "$POSTGRES_USER" in db.command.argv
    assert db.command.via_shell


def test_disabled_healthchecks_are_left_out() -> None:
    assert "migrate" not in healthchecks_from_compose(compose())


def test_missing_healthcheck_fields_take_compose_defaults() -> None:
    document = {"services": {"x": {"healthcheck": {"test": "true"}}}}

    x = healthchecks_from_compose(document)["x"]

    assert (x.interval, x.timeout, x.retries, x.start_period) == (30.0, 30.0, 3, 0.0)


def test_sh_dash_c_is_unwrapped_to_the_scripts_words() -> None:
    command = command_from_argv(["/bin/sh", "-c", "redis-cli ping|grep -q PONG"])

    assert command.argv == ("redis-cli", "ping", "|", "grep", "-q", "PONG")


def test_named_probe_ports_resolve_to_container_ports() -> None:
    containers = containers_from_manifests(manifests())

    assert containers["api"].probes["readiness"].handler == HttpGet("/health/ready", 8000)
    assert containers["db"].probes["liveness"].handler == TcpSocket(5432)


def test_documents_without_pods_are_skipped() -> None:
    assert set(containers_from_manifests(manifests())) == {"api", "db", "redis", "worker"}

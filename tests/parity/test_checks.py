from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from concurso_coach.parity.checks import (
    check_healthcheck_rules,
    check_parity,
    check_probe_rules,
    whole_seconds,
)
from concurso_coach.parity.model import Finding, Severity
from concurso_coach.parity.parsing import containers_from_manifests, healthchecks_from_compose
from tests.parity.pairs import compose, container_of, manifests

Compose = dict[str, Any]
Manifests = list[dict[str, Any]]


def findings_for(compose_file: Compose, documents: Manifests) -> list[Finding]:
    healthchecks = healthchecks_from_compose(compose_file)
    containers = containers_from_manifests(documents)
    return [
        *check_healthcheck_rules(healthchecks),
        *check_probe_rules(containers),
        *check_parity(healthchecks, containers),
    ]


def errors(findings: list[Finding]) -> list[str]:
    return [f"{f.service}:{f.rule}" for f in findings if f.severity is Severity.ERROR]


def test_agreeing_pair_has_no_findings() -> None:
    assert findings_for(compose(), manifests()) == []


def _probe(documents: Manifests, service: str, role: str) -> dict[str, Any]:
    probe: dict[str, Any] = container_of(documents, service)[f"{role}Probe"]
    return probe


def wrong_port(_: Compose, documents: Manifests) -> None:
    _probe(documents, "api", "readiness")["httpGet"]["port"] = 8080


def wrong_path(_: Compose, documents: Manifests) -> None:
    _probe(documents, "api", "readiness")["httpGet"]["path"] = "/health/live"


def undeclared_named_port(_: Compose, documents: Manifests) -> None:
    _probe(documents, "api", "readiness")["httpGet"]["port"] = "web"


def different_timeout(_: Compose, documents: Manifests) -> None:
    _probe(documents, "redis", "readiness")["timeoutSeconds"] = 5


def different_interval(_: Compose, documents: Manifests) -> None:
    _probe(documents, "db", "readiness")["periodSeconds"] = 10


def different_retries(compose_file: Compose, _: Manifests) -> None:
    compose_file["services"]["api"]["healthcheck"]["retries"] = 3


def missing_startup_probe(_: Compose, documents: Manifests) -> None:
    del container_of(documents, "api")["startupProbe"]


def short_startup_window(_: Compose, documents: Manifests) -> None:
    _probe(documents, "db", "startup")["failureThreshold"] = 3


def identical_liveness(_: Compose, documents: Manifests) -> None:
    container = container_of(documents, "api")
    container["livenessProbe"] = {**container["readinessProbe"], "failureThreshold": 12}


def liveness_gives_up_first(_: Compose, documents: Manifests) -> None:
    _probe(documents, "redis", "liveness")["failureThreshold"] = 10


def unescaped_compose_variable(compose_file: Compose, _: Manifests) -> None:
    test = compose_file["services"]["db"]["healthcheck"]["test"]
    test[1] = test[1].replace("$$", "$")


def variable_without_shell(_: Compose, documents: Manifests) -> None:
    _probe(documents, "db", "readiness")["exec"]["command"] = [
        "pg_isready",
        "-h",
        "127.0.0.1",
        "-U",
        "$POSTGRES_USER",
    ]


def pg_isready_without_host(compose_file: Compose, documents: Manifests) -> None:
    script = "pg_isready -p 5432 -U $POSTGRES_USER -d $POSTGRES_DB"
    _probe(documents, "db", "readiness")["exec"]["command"] = ["sh", "-c", script]
    compose_file["services"]["db"]["healthcheck"]["test"] = [
        "CMD-SHELL",
        script.replace("$", "$$"),
    ]


def redis_without_pong(compose_file: Compose, documents: Manifests) -> None:
    script = "redis-cli -h 127.0.0.1 -p 6379 ping"
    _probe(documents, "redis", "readiness")["exec"]["command"] = ["sh", "-c", script]
    compose_file["services"]["redis"]["healthcheck"]["test"] = ["CMD-SHELL", script]


def timeout_shorter_than_command(compose_file: Compose, documents: Manifests) -> None:
    _probe(documents, "db", "readiness")["timeoutSeconds"] = 2
    compose_file["services"]["db"]["healthcheck"]["timeout"] = "2s"


def implicit_timing(_: Compose, documents: Manifests) -> None:
    del _probe(documents, "redis", "liveness")["periodSeconds"]


def tcp_readiness(_: Compose, documents: Manifests) -> None:
    container = container_of(documents, "redis")
    container["readinessProbe"] = {**container["livenessProbe"], "failureThreshold": 10}


def different_command(_: Compose, documents: Manifests) -> None:
    _probe(documents, "worker", "readiness")["exec"]["command"] = ["coach", "worker", "ping"]


def missing_readiness(_: Compose, documents: Manifests) -> None:
    del container_of(documents, "worker")["readinessProbe"]


@pytest.mark.parametrize(
    ("breakage", "expected"),
    [
        (wrong_port, "api:readiness.port"),
        (wrong_path, "api:readiness.path"),
        (undeclared_named_port, "api:readiness.port"),
        (different_timeout, "redis:readiness.timeoutSeconds"),
        (different_interval, "db:readiness.periodSeconds"),
        (different_retries, "api:readiness.failureThreshold"),
        (missing_startup_probe, "api:startup.missing"),
        (short_startup_window, "db:startup.window"),
        (identical_liveness, "api:liveness.same-as-readiness"),
        (liveness_gives_up_first, "redis:liveness.failureThreshold"),
        (unescaped_compose_variable, "db:compose.interpolation"),
        (variable_without_shell, "db:readiness.shell-variables"),
        (pg_isready_without_host, "db:readiness.pg_isready-host"),
        (pg_isready_without_host, "db:healthcheck.pg_isready-host"),
        (redis_without_pong, "redis:readiness.redis-pong"),
        (redis_without_pong, "redis:healthcheck.redis-pong"),
        (timeout_shorter_than_command, "db:readiness.timeout"),
        (timeout_shorter_than_command, "db:healthcheck.timeout"),
        (implicit_timing, "redis:liveness.timing"),
        (tcp_readiness, "redis:readiness.check"),
        (different_command, "worker:readiness.check"),
        (missing_readiness, "worker:readiness.missing"),
    ],
    ids=lambda value: getattr(value, "__name__", value),
)
def test_broken_pair_is_caught(
    breakage: Callable[[Compose, Manifests], None], expected: str
) -> None:
    compose_file, documents = compose(), manifests()
    breakage(compose_file, documents)

    found = errors(findings_for(compose_file, documents))

    assert expected in found


def test_unescaped_variable_is_not_taken_for_a_mismatch_of_commands() -> None:
    compose_file = compose()
    unescaped_compose_variable(compose_file, [])

    found = errors(findings_for(compose_file, manifests()))

    assert found == ["db:compose.interpolation"]


def test_cmd_and_cmd_shell_forms_of_one_check_agree() -> None:
    compose_file = compose()
    compose_file["services"]["worker"]["healthcheck"]["test"] = [
        "CMD-SHELL",
        "coach worker check",
    ]

    assert findings_for(compose_file, manifests()) == []


def test_braced_variables_agree_with_bare_ones() -> None:
    documents = manifests()
    _probe(documents, "db", "readiness")["exec"]["command"][2] = (
        "pg_isready -h 127.0.0.1 -p 5432 -U ${POSTGRES_USER} -d ${POSTGRES_DB}"
    )

    assert findings_for(compose(), documents) == []


def test_sub_second_durations_round_up_to_whole_seconds() -> None:
    compose_file = compose()
    compose_file["services"]["redis"]["healthcheck"]["timeout"] = "2500ms"

    assert findings_for(compose_file, manifests()) == []


@pytest.mark.parametrize(
    ("seconds", "expected"), [(0.2, 1), (1.0, 1), (1.5, 2), (5.0, 5), (90.0, 90)]
)
def test_whole_seconds_is_the_ceiling_and_at_least_one(seconds: float, expected: int) -> None:
    assert whole_seconds(seconds) == expected


def test_missing_liveness_is_a_warning_not_an_error() -> None:
    documents = manifests()
    del container_of(documents, "worker")["livenessProbe"]

    findings = findings_for(compose(), documents)

    assert [(f.rule, f.severity) for f in findings] == [("liveness.missing", Severity.WARNING)]


def test_no_shared_service_is_an_error() -> None:
    findings = check_parity(healthchecks_from_compose(compose()), {})

    assert errors(findings) == ["*:services"]

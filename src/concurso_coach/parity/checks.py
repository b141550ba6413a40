"""The parity rules: a readiness probe is the Compose healthcheck, in Kubernetes terms.

Rounding rule: Kubernetes counts whole seconds, Compose takes any duration. A
Compose duration `d` maps to `max(1, ceil(d))` seconds, so `interval: 1500ms`
agrees with `periodSeconds: 2` and `interval: 5s` only with `periodSeconds: 5`.
`retries` and `failureThreshold` are counts and must be equal.

Checks are compared after normalising `CMD` against `CMD-SHELL`, Compose's `$$VAR`
against `$VAR`, `${VAR}` against `$VAR`, and `sh -c SCRIPT` against the script's
words. An HTTP URL in the healthcheck command is compared with an `httpGet` probe
by scheme, port (named ports resolved) and path; a loopback host in the URL is
the pod's own address to the kubelet.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from concurso_coach.parity.model import (
    Command,
    Container,
    Finding,
    Healthcheck,
    HttpGet,
    Probe,
    Severity,
    TcpSocket,
)

# Kubernetes' defaults, used to reason about a probe that leaves a field out.
K8S_DEFAULT_PERIOD = 10
K8S_DEFAULT_FAILURE_THRESHOLD = 3
PG_ISREADY_DEFAULT_TIMEOUT = 3.0

_SHELL_OPERATORS = frozenset({"|", "||", "&&", ";", "&", "(", ")"})
_URL = re.compile(r"https?://[^\s'\"()]+", re.IGNORECASE)
_VARIABLE = re.compile(r"\$[A-Za-z_{(]")
_COMPOSE_INTERPOLATION = re.compile(r"(?<!\$)\$(?!\$)[A-Za-z_{]")
_KEYWORD_TIMEOUT = re.compile(r"\btimeout\s*=\s*(\d+(?:\.\d+)?)")
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
_TIMEOUT_FLAGS: dict[str, tuple[str, ...]] = {
    "pg_isready": ("-t", "--timeout"),
    "redis-cli": ("-t",),
    "curl": ("-m", "--max-time"),
    "wget": ("-T", "--timeout"),
}


def whole_seconds(seconds: float) -> int:
    """The Kubernetes value a Compose duration maps to (see the module docstring)."""
    return max(1, math.ceil(seconds))


def check_parity(
    healthchecks: Mapping[str, Healthcheck], containers: Mapping[str, Container]
) -> list[Finding]:
    """Compare every service that has both a healthcheck and a container."""
    shared = sorted(healthchecks.keys() & containers.keys())
    if not shared:
        return [Finding("*", "services", "no Compose service matches a container by name")]

    findings: list[Finding] = []
    for name in shared:
        findings += check_service(healthchecks[name], containers[name])
    return findings


def check_service(healthcheck: Healthcheck, container: Container) -> list[Finding]:
    readiness = container.probes.get("readiness")
    if readiness is None:
        return [Finding(container.name, "readiness.missing", "no readinessProbe")]

    findings = _same_check(healthcheck, readiness)
    findings += _same_timing(healthcheck, readiness)
    findings += _startup_covers(healthcheck, container)
    findings += _liveness_differs(container)
    return findings


def check_probe_rules(containers: Mapping[str, Container]) -> list[Finding]:
    """Rules every probe must follow, whether or not Compose has the service."""
    findings: list[Finding] = []
    for container in containers.values():
        for probe in container.probes.values():
            findings += _probe_rules(container.name, probe)
    return findings


def check_healthcheck_rules(healthchecks: Mapping[str, Healthcheck]) -> list[Finding]:
    """The same semantic rules, applied to the Compose side."""
    findings: list[Finding] = []
    for name, healthcheck in healthchecks.items():
        for part in healthcheck.raw_test:
            if _COMPOSE_INTERPOLATION.search(part):
                findings.append(
                    Finding(
                        name,
                        "compose.interpolation",
                        f"Compose fills `$VAR` from the host in {part!r}; write `$$VAR`",
                    )
                )
        findings += _command_rules(name, "healthcheck", healthcheck.command, healthcheck.timeout)
    return findings


def _same_check(healthcheck: Healthcheck, readiness: Probe) -> list[Finding]:
    expected = " ".join(healthcheck.command.argv)
    handler = readiness.handler

    if isinstance(handler, HttpGet):
        return _same_http(healthcheck.service, healthcheck.command, handler, readiness)
    if isinstance(handler, TcpSocket):
        message = f"readiness only opens a TCP connection; the healthcheck runs `{expected}`"
        return [Finding(healthcheck.service, "readiness.check", message)]
    if handler.argv != healthcheck.command.argv:
        message = f"readiness runs `{' '.join(handler.argv)}`, the healthcheck `{expected}`"
        return [Finding(healthcheck.service, "readiness.check", message)]
    return []


def _same_http(service: str, command: Command, probe: HttpGet, raw: Probe) -> list[Finding]:
    urls = _URL.findall(" ".join(command.argv))
    if len(urls) != 1:
        message = f"readiness is an HTTP GET; the healthcheck runs `{' '.join(command.argv)}`"
        return [Finding(service, "readiness.check", message)]

    url = urlsplit(urls[0])
    scheme = url.scheme.upper()
    port = url.port or (443 if scheme == "HTTPS" else 80)
    path = url.path or "/"
    findings: list[Finding] = []
    if probe.port is None:
        findings.append(
            Finding(service, "readiness.port", f"port {raw.port_ref!r} is no container port")
        )
    elif probe.port != port:
        message = f"readiness probes port {probe.port}, the healthcheck {port}"
        findings.append(Finding(service, "readiness.port", message))
    if probe.path.split("?")[0] != path:
        message = f"readiness probes {probe.path}, the healthcheck {path}"
        findings.append(Finding(service, "readiness.path", message))
    if probe.scheme != scheme:
        message = f"readiness uses {probe.scheme}, the healthcheck {scheme}"
        findings.append(Finding(service, "readiness.scheme", message))
    if url.hostname not in _LOOPBACK:
        message = f"the healthcheck calls {url.hostname}, not the container itself"
        findings.append(Finding(service, "readiness.host", message, Severity.WARNING))
    return findings


@dataclass(frozen=True, slots=True)
class _Pair:
    field: str
    compose: str
    expected: int
    actual: int | None


def _same_timing(healthcheck: Healthcheck, readiness: Probe) -> list[Finding]:
    pairs = (
        _Pair("periodSeconds", "interval", whole_seconds(healthcheck.interval), readiness.period),
        _Pair("timeoutSeconds", "timeout", whole_seconds(healthcheck.timeout), readiness.timeout),
        _Pair("failureThreshold", "retries", healthcheck.retries, readiness.failure_threshold),
    )
    return [
        Finding(
            healthcheck.service,
            f"readiness.{pair.field}",
            f"{pair.field} is {pair.actual}; Compose {pair.compose} means {pair.expected}",
        )
        for pair in pairs
        if pair.actual != pair.expected
    ]


def _startup_covers(healthcheck: Healthcheck, container: Container) -> list[Finding]:
    if healthcheck.start_period <= 0:
        return []
    needed = whole_seconds(healthcheck.start_period)
    startup = container.probes.get("startup")
    if startup is None:
        message = f"Compose allows start_period {needed}s; no startupProbe covers it"
        return [Finding(container.name, "startup.missing", message)]

    window = startup_window(startup)
    if window < needed:
        message = f"startupProbe allows {window}s, Compose's start_period is {needed}s"
        return [Finding(container.name, "startup.window", message)]
    return []


def startup_window(probe: Probe) -> int:
    """Seconds a startup probe waits before the kubelet gives up on the container."""
    period = probe.period or K8S_DEFAULT_PERIOD
    threshold = probe.failure_threshold or K8S_DEFAULT_FAILURE_THRESHOLD
    return (probe.initial_delay or 0) + period * threshold


def _liveness_differs(container: Container) -> list[Finding]:
    readiness = container.probes["readiness"]
    liveness = container.probes.get("liveness")
    if liveness is None:
        message = "no livenessProbe; a hung process is never restarted"
        return [Finding(container.name, "liveness.missing", message, Severity.WARNING)]

    findings: list[Finding] = []
    if _same_handler(liveness, readiness):
        message = "liveness runs the readiness check; an outage elsewhere would restart it"
        findings.append(Finding(container.name, "liveness.same-as-readiness", message))
    live_threshold = liveness.failure_threshold or K8S_DEFAULT_FAILURE_THRESHOLD
    ready_threshold = readiness.failure_threshold or K8S_DEFAULT_FAILURE_THRESHOLD
    if live_threshold <= ready_threshold:
        message = f"liveness failureThreshold {live_threshold} <= readiness's {ready_threshold}"
        findings.append(Finding(container.name, "liveness.failureThreshold", message))
    return findings


def _same_handler(first: Probe, second: Probe) -> bool:
    if isinstance(first.handler, Command) and isinstance(second.handler, Command):
        return first.handler.argv == second.handler.argv
    if isinstance(first.handler, HttpGet) and isinstance(second.handler, HttpGet):
        a, b = first.handler, second.handler
        return (a.path, a.port, a.scheme) == (b.path, b.port, b.scheme)
    return first.handler == second.handler


def _probe_rules(name: str, probe: Probe) -> list[Finding]:
    findings: list[Finding] = []
    timings = {
        "initialDelaySeconds": probe.initial_delay,
        "periodSeconds": probe.period,
        "timeoutSeconds": probe.timeout,
        "failureThreshold": probe.failure_threshold,
    }
    missing = [field for field, value in timings.items() if value is None]
    if missing:
        message = f"leaves {', '.join(missing)} to defaults; set every timing field"
        findings.append(Finding(name, f"{probe.role}.timing", message))

    handler = probe.handler
    if isinstance(handler, HttpGet | TcpSocket) and handler.port is None:
        message = f"port {probe.port_ref!r} is no port the container declares"
        findings.append(Finding(name, f"{probe.role}.port", message))
    if isinstance(handler, Command):
        timeout = float(probe.timeout) if probe.timeout is not None else 1.0
        findings += _command_rules(name, probe.role, handler, timeout)
    return findings


def _command_rules(name: str, where: str, command: Command, timeout: float) -> list[Finding]:
    findings: list[Finding] = []
    words = command.argv
    text = " ".join(words)

    if not command.via_shell and any(_VARIABLE.search(word) for word in words):
        message = f"`{text}` uses a variable but runs without a shell; use sh -c"
        findings.append(Finding(name, f"{where}.shell-variables", message))

    pg_isready = _program_arguments(words, "pg_isready")
    if pg_isready is not None and not _has_flag(pg_isready, ("-h", "--host")):
        message = "pg_isready without -h checks the Unix socket, up before TCP is"
        findings.append(Finding(name, f"{where}.pg_isready-host", message))

    if _is_redis_ping(text) and "PONG" not in text:
        message = "redis-cli exits 0 on error replies too; test its output for PONG"
        findings.append(Finding(name, f"{where}.redis-pong", message))

    own = command_timeout(words)
    if own is not None and timeout < own:
        message = f"times out after {timeout:g}s, before the command's own {own:g}s"
        findings.append(Finding(name, f"{where}.timeout", message))
    return findings


def _is_redis_ping(text: str) -> bool:
    return "redis-cli" in text and re.search(r"\bping\b", text, re.IGNORECASE) is not None


def command_timeout(words: Sequence[str]) -> float | None:
    """The longest a command waits on its own, when it says or has a known default."""
    timeouts: list[float] = []
    for program, flags in _TIMEOUT_FLAGS.items():
        arguments = _program_arguments(words, program)
        if arguments is None:
            continue
        value = _flag_value(arguments, flags)
        if value is not None:
            timeouts.append(value)
        elif program == "pg_isready":
            timeouts.append(PG_ISREADY_DEFAULT_TIMEOUT)
    timeouts += [float(match) for match in _KEYWORD_TIMEOUT.findall(" ".join(words))]
    return max(timeouts, default=None)


def _program_arguments(words: Sequence[str], program: str) -> list[str] | None:
    for index, word in enumerate(words):
        if os.path.basename(word) != program:
            continue
        arguments: list[str] = []
        for argument in words[index + 1 :]:
            if argument in _SHELL_OPERATORS:
                break
            arguments.append(argument)
        return arguments
    return None


def _has_flag(arguments: Sequence[str], flags: tuple[str, ...]) -> bool:
    return any(
        argument == flag or argument.startswith(flag + ("=" if flag.startswith("--") else ""))
        for argument in arguments
        for flag in flags
    )


def _flag_value(arguments: Sequence[str], flags: tuple[str, ...]) -> float | None:
    for index, argument in enumerate(arguments):
        for flag in flags:
            if argument == flag and index + 1 < len(arguments):
                return _number(arguments[index + 1])
            if flag.startswith("--") and argument.startswith(flag + "="):
                return _number(argument.split("=", 1)[1])
            if not flag.startswith("--") and argument.startswith(flag) and argument != flag:
                return _number(argument[len(flag) :])
    return None


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None

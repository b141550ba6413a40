"""Turn a parsed Compose file and rendered manifests into the parity model.

Everything here takes plain YAML data (mappings and lists) and does no I/O.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, cast

from concurso_coach.parity.model import (
    Command,
    Container,
    Handler,
    Healthcheck,
    HttpGet,
    Probe,
    ProbeRole,
    TcpSocket,
)

# Compose's defaults when a healthcheck leaves a field out (compose-spec).
COMPOSE_DEFAULT_INTERVAL = 30.0
COMPOSE_DEFAULT_TIMEOUT = 30.0
COMPOSE_DEFAULT_RETRIES = 3

SHELLS = frozenset({"sh", "bash", "ash", "dash", "/bin/sh", "/bin/bash", "/bin/ash"})

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_UNIT_SECONDS = {
    "ns": 1e-9,
    "us": 1e-6,
    "µs": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
    "m": 60.0,
    "h": 3600.0,
}
_BRACED_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")

_POD_SPEC_PATHS: dict[str, tuple[str, ...]] = {
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
    "Pod": ("spec",),
}
_PROBE_KEYS: dict[ProbeRole, str] = {
    "readiness": "readinessProbe",
    "liveness": "livenessProbe",
    "startup": "startupProbe",
}


class ParityInputError(ValueError):
    """The Compose file or the manifests are not shaped as expected."""


def parse_duration(value: object) -> float:
    """Seconds in a Compose duration such as `5s`, `1m30s` or `500ms`."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    text = str(value).strip()
    parts = _DURATION_PART.findall(text)
    if not parts or "".join(number + unit for number, unit in parts) != text:
        raise ParityInputError(f"not a Compose duration: {value!r}")
    return sum(float(number) * _UNIT_SECONDS[unit] for number, unit in parts)


def shell_words(script: str) -> tuple[str, ...]:
    """The words of a shell script, with `${VAR}` written as `$VAR`."""
    lexer = shlex.shlex(_BRACED_VARIABLE.sub(r"$\1", script), posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    return tuple(lexer)


def command_from_argv(argv: Sequence[str]) -> Command:
    """A command from an argument vector, unwrapping `sh -c SCRIPT`."""
    source = tuple(argv)
    if len(source) >= 3 and source[0] in SHELLS and source[1] == "-c":
        return Command(argv=shell_words(source[2]), source=source, script=source[2])
    return Command(argv=source, source=source)


def command_from_script(script: str) -> Command:
    return Command(argv=shell_words(script), source=("sh", "-c", script), script=script)


def healthchecks_from_compose(document: Mapping[str, Any]) -> dict[str, Healthcheck]:
    """Each service's enabled healthcheck, by service name."""
    services = document.get("services") or {}
    if not isinstance(services, Mapping):
        raise ParityInputError("`services` in the Compose file is not a mapping")

    healthchecks: dict[str, Healthcheck] = {}
    for name, service in services.items():
        healthcheck = (service or {}).get("healthcheck")
        if not healthcheck or healthcheck.get("disable"):
            continue
        parsed = _healthcheck(str(name), healthcheck)
        if parsed is not None:
            healthchecks[str(name)] = parsed
    return healthchecks


def _healthcheck(service: str, healthcheck: Mapping[str, Any]) -> Healthcheck | None:
    test = healthcheck.get("test")
    raw_test: tuple[str, ...] = (test,) if isinstance(test, str) else tuple(test or ())
    if not raw_test or raw_test[0] == "NONE":
        return None

    # `$$` is Compose's escape for a literal `$`; the container sees one `$`.
    unescaped = tuple(part.replace("$$", "$") for part in raw_test)
    if isinstance(test, str):
        command = command_from_script(unescaped[0])
    elif unescaped[0] == "CMD-SHELL":
        command = command_from_script(" ".join(unescaped[1:]))
    elif unescaped[0] == "CMD":
        command = command_from_argv(unescaped[1:])
    else:
        raise ParityInputError(f"{service}: healthcheck test starts with {raw_test[0]!r}")

    return Healthcheck(
        service=service,
        command=command,
        raw_test=raw_test,
        interval=parse_duration(healthcheck.get("interval", COMPOSE_DEFAULT_INTERVAL)),
        timeout=parse_duration(healthcheck.get("timeout", COMPOSE_DEFAULT_TIMEOUT)),
        retries=int(healthcheck.get("retries", COMPOSE_DEFAULT_RETRIES)),
        start_period=parse_duration(healthcheck.get("start_period", 0)),
    )


def containers_from_manifests(documents: Iterable[Mapping[str, Any]]) -> dict[str, Container]:
    """Every container of every workload, by container name."""
    containers: dict[str, Container] = {}
    for document in documents:
        spec = _pod_spec(document)
        if spec is None:
            continue
        workload = f"{document['kind']}/{document['metadata']['name']}"
        for raw in spec.get("containers") or ():
            container = _container(workload, raw)
            if container.name in containers:
                other = containers[container.name].workload
                raise ParityInputError(f"container {container.name!r} in {other} and {workload}")
            containers[container.name] = container
    return containers


def _pod_spec(document: Mapping[str, Any]) -> Mapping[str, Any] | None:
    path = _POD_SPEC_PATHS.get(str(document.get("kind")))
    if path is None:
        return None
    node: Any = document
    for key in path:
        node = (node or {}).get(key)
    return cast("Mapping[str, Any] | None", node)


def _container(workload: str, raw: Mapping[str, Any]) -> Container:
    ports = {
        str(port["name"]): int(port["containerPort"])
        for port in raw.get("ports") or ()
        if "name" in port
    }
    probes = {
        role: _probe(role, raw[key], ports) for role, key in _PROBE_KEYS.items() if raw.get(key)
    }
    return Container(
        name=str(raw["name"]),
        workload=workload,
        image=str(raw.get("image", "")),
        ports=ports,
        probes=probes,
    )


def _probe(role: ProbeRole, raw: Mapping[str, Any], ports: Mapping[str, int]) -> Probe:
    handler: Handler
    port_ref: str | int | None = None
    if "exec" in raw:
        handler = command_from_argv([str(word) for word in raw["exec"].get("command") or ()])
    elif "httpGet" in raw:
        http = raw["httpGet"]
        port_ref = http.get("port")
        handler = HttpGet(
            path=str(http.get("path", "/")),
            port=resolve_port(port_ref, ports),
            scheme=str(http.get("scheme", "HTTP")).upper(),
            host=http.get("host"),
        )
    elif "tcpSocket" in raw:
        port_ref = raw["tcpSocket"].get("port")
        handler = TcpSocket(port=resolve_port(port_ref, ports))
    else:
        raise ParityInputError(f"{role} probe has no exec, httpGet or tcpSocket handler")

    return Probe(
        role=role,
        handler=handler,
        port_ref=port_ref,
        initial_delay=raw.get("initialDelaySeconds"),
        period=raw.get("periodSeconds"),
        timeout=raw.get("timeoutSeconds"),
        failure_threshold=raw.get("failureThreshold"),
    )


def resolve_port(reference: object, ports: Mapping[str, int]) -> int | None:
    """A probe's port as a number, looking names up in the container's ports."""
    if isinstance(reference, int):
        return reference
    if isinstance(reference, str):
        return int(reference) if reference.isdigit() else ports.get(reference)
    return None

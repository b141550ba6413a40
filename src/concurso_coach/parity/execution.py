"""Executed parity: each probe as a command to run inside the Compose container.

The kubelet runs an exec probe in the container, and HTTP and TCP probes from the
node against the pod's address. Inside a Compose container the loopback address
stands in for the pod's: both reach the same listening socket.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from concurso_coach.parity.model import Command, Container, HttpGet, Probe, ProbeRole, TcpSocket

EXECUTED_ROLES: tuple[ProbeRole, ...] = ("readiness", "liveness", "startup")

_HTTP_PROGRAM = """\
import sys, urllib.request
try:
    status = urllib.request.urlopen({url!r}, timeout={timeout}).status
except Exception as error:
    sys.exit(f"{{error}}")
sys.exit(0 if 200 <= status < 400 else f"HTTP {{status}}")
"""
# Images without Python (postgres, redis) have bash, whose /dev/tcp opens a socket.
_TCP_SCRIPT = (
    "if command -v python3 >/dev/null 2>&1; then"
    " exec python3 -c {program}; else exec bash -c {redirect}; fi"
)


@dataclass(frozen=True, slots=True)
class ProbeRun:
    """One probe, ready to run as `docker compose exec -T <service> <argv>`."""

    service: str
    role: ProbeRole
    argv: tuple[str, ...]
    timeout: int

    def describe(self) -> str:
        return f"{self.service} {self.role}"


def plan_probe_runs(containers: Mapping[str, Container], services: Iterable[str]) -> list[ProbeRun]:
    """The probes of every container that has a Compose service of its name."""
    runs: list[ProbeRun] = []
    for service in sorted(set(services) & containers.keys()):
        probes = containers[service].probes
        runs += [
            ProbeRun(service, role, probe_argv(probes[role]), probes[role].timeout or 1)
            for role in EXECUTED_ROLES
            if role in probes
        ]
    return runs


def probe_argv(probe: Probe) -> tuple[str, ...]:
    """What the kubelet would do for this probe, as a command in the container."""
    handler = probe.handler
    timeout = probe.timeout or 1
    if isinstance(handler, Command):
        return handler.source
    if isinstance(handler, HttpGet):
        url = f"{handler.scheme.lower()}://127.0.0.1:{handler.port}{handler.path}"
        return ("python", "-c", _HTTP_PROGRAM.format(url=url, timeout=timeout))
    return ("sh", "-c", _tcp_script(handler, timeout))


def _tcp_script(handler: TcpSocket, timeout: int) -> str:
    program = (
        f"import socket; socket.create_connection(('127.0.0.1', {handler.port}),"
        f" timeout={timeout}).close()"
    )
    redirect = f"exec 3<>/dev/tcp/127.0.0.1/{handler.port}"
    return _TCP_SCRIPT.format(program=shlex.quote(program), redirect=shlex.quote(redirect))

"""The shapes the parity checker compares: healthchecks, probes and findings."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Literal

ProbeRole = Literal["readiness", "liveness", "startup"]


class Severity(Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem with one service; warnings are printed but do not fail."""

    service: str
    rule: str
    message: str
    severity: Severity = Severity.ERROR

    def render(self) -> str:
        return f"{self.severity.value}: {self.service}: {self.rule}: {self.message}"


@dataclass(frozen=True, slots=True)
class Command:
    """A check run as a process.

    `argv` is what is compared: the words of the shell script when there is one,
    else the argument vector. `source` is the vector as written, for running it.
    """

    argv: tuple[str, ...]
    source: tuple[str, ...]
    script: str | None = None

    @property
    def via_shell(self) -> bool:
        return self.script is not None


@dataclass(frozen=True, slots=True)
class Healthcheck:
    """A Compose healthcheck, durations already in seconds."""

    service: str
    command: Command
    raw_test: tuple[str, ...]
    interval: float
    timeout: float
    retries: int
    start_period: float


@dataclass(frozen=True, slots=True)
class HttpGet:
    path: str
    port: int | None
    scheme: str = "HTTP"
    host: str | None = None


@dataclass(frozen=True, slots=True)
class TcpSocket:
    port: int | None


Handler = Command | HttpGet | TcpSocket


@dataclass(frozen=True, slots=True)
class Probe:
    """A container probe; a timing field is None when the manifest leaves it out."""

    role: ProbeRole
    handler: Handler
    port_ref: str | int | None = None
    initial_delay: int | None = None
    period: int | None = None
    timeout: int | None = None
    failure_threshold: int | None = None


@dataclass(frozen=True, slots=True)
class Container:
    """A container of a rendered workload, with its probes by role."""

    name: str
    workload: str
    image: str
    ports: dict[str, int] = field(default_factory=dict)
    probes: dict[ProbeRole, Probe] = field(default_factory=dict)

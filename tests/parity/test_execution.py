from __future__ import annotations

import socket
import subprocess

from concurso_coach.parity.execution import plan_probe_runs, probe_argv
from concurso_coach.parity.model import Probe, TcpSocket
from concurso_coach.parity.parsing import containers_from_manifests
from tests.parity.pairs import manifests


def test_only_services_running_in_compose_are_planned() -> None:
    runs = plan_probe_runs(containers_from_manifests(manifests()), ["db", "migrate"])

    assert [(run.service, run.role) for run in runs] == [
        ("db", "readiness"),
        ("db", "liveness"),
        ("db", "startup"),
    ]


def test_exec_probes_run_exactly_as_the_manifest_writes_them() -> None:
    runs = plan_probe_runs(containers_from_manifests(manifests()), ["redis"])

    assert runs[0].argv == ("sh", "-c", "redis-cli -h 127.0.0.1 -p 6379 ping | grep -q PONG")
    assert runs[0].timeout == 3


def test_http_probes_call_the_resolved_port_and_path_on_loopback() -> None:
    runs = plan_probe_runs(containers_from_manifests(manifests()), ["api"])

    assert runs[0].argv[:2] == ("python", "-c")
    assert "'http://127.0.0.1:8000/health/ready', timeout=5" in runs[0].argv[2]


def _tcp_exit_status(port: int) -> int:
    argv = probe_argv(Probe(role="liveness", handler=TcpSocket(port), timeout=2))
    return subprocess.run(argv, capture_output=True, check=False).returncode


def test_tcp_probe_command_succeeds_against_a_listening_port() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]

        assert _tcp_exit_status(port) == 0


def test_tcp_probe_command_fails_against_a_closed_port() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]

    assert _tcp_exit_status(port) != 0

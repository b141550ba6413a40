"""A Compose file and manifests that agree, to break one field at a time.

The healthchecks are the contract the Compose file in the repository follows.
"""

from __future__ import annotations

import copy
from typing import Any

API_TEST = [
    "CMD",
    "python",
    "-c",
    "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen("
    "'http://127.0.0.1:8000/health/ready', timeout=3).status == 200 else 1)",
]

COMPOSE: dict[str, Any] = {
    "services": {
        "db": {
            "image": "postgres:17",
            "healthcheck": {
                "test": [
                    "CMD-SHELL",
                    "pg_isready -h 127.0.0.1 -p 5432 -U $$POSTGRES_USER -d $$POSTGRES_DB",
                ],
                "interval": "5s",
                "timeout": "5s",
                "retries": 10,
                "start_period": "20s",
            },
        },
        "redis": {
            "image": "redis:7",
            "healthcheck": {
                "test": ["CMD-SHELL", "redis-cli -h 127.0.0.1 -p 6379 ping | grep -q PONG"],
                "interval": "5s",
                "timeout": "3s",
                "retries": 10,
                "start_period": "5s",
            },
        },
        "api": {
            "image": "concurso-coach",
            "healthcheck": {
                "test": API_TEST,
                "interval": "10s",
                "timeout": "5s",
                "retries": 6,
                "start_period": "30s",
            },
        },
        "worker": {
            "image": "concurso-coach",
            "healthcheck": {
                "test": ["CMD", "coach", "worker", "check"],
                "interval": "15s",
                "timeout": "10s",
                "retries": 3,
                "start_period": "20s",
            },
        },
        "migrate": {"image": "concurso-coach", "healthcheck": {"disable": True}},
    }
}


def _timing(period: int, timeout: int, failures: int) -> dict[str, int]:
    return {
        "initialDelaySeconds": 0,
        "periodSeconds": period,
        "timeoutSeconds": timeout,
        "successThreshold": 1,
        "failureThreshold": failures,
    }


def _workload(kind: str, name: str, container: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": kind,
        "metadata": {"name": name},
        "spec": {"template": {"spec": {"containers": [container]}}},
    }


def _http(path: str) -> dict[str, Any]:
    return {"httpGet": {"path": path, "port": "http"}}


def _tcp(port: str) -> dict[str, Any]:
    return {"tcpSocket": {"port": port}}


def _exec(*command: str) -> dict[str, Any]:
    return {"exec": {"command": list(command)}}


MANIFESTS: list[dict[str, Any]] = [
    {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "api"}, "spec": {}},
    _workload(
        "Deployment",
        "api",
        {
            "name": "api",
            "image": "concurso-coach",
            "ports": [{"name": "http", "containerPort": 8000}],
            "readinessProbe": {**_http("/health/ready"), **_timing(10, 5, 6)},
            "livenessProbe": {**_http("/health/live"), **_timing(10, 3, 9)},
            "startupProbe": {**_http("/health/live"), **_timing(3, 3, 20)},
        },
    ),
    _workload(
        "StatefulSet",
        "db",
        {
            "name": "db",
            "image": "postgres:17",
            "ports": [{"name": "postgres", "containerPort": 5432}],
            "readinessProbe": {
                **_exec(
                    "sh",
                    "-c",
                    "pg_isready -h 127.0.0.1 -p 5432 -U $POSTGRES_USER -d $POSTGRES_DB",
                ),
                **_timing(5, 5, 10),
            },
            "livenessProbe": {**_tcp("postgres"), **_timing(10, 5, 12)},
            "startupProbe": {**_tcp("postgres"), **_timing(5, 5, 24)},
        },
    ),
    _workload(
        "Deployment",
        "redis",
        {
            "name": "redis",
            "image": "redis:7",
            "ports": [{"name": "redis", "containerPort": 6379}],
            "readinessProbe": {
                **_exec("sh", "-c", "redis-cli -h 127.0.0.1 -p 6379 ping | grep -q PONG"),
                **_timing(5, 3, 10),
            },
            "livenessProbe": {**_tcp("redis"), **_timing(10, 3, 12)},
            "startupProbe": {**_tcp("redis"), **_timing(2, 3, 15)},
        },
    ),
    _workload(
        "Deployment",
        "worker",
        {
            "name": "worker",
            "image": "concurso-coach",
            "readinessProbe": {**_exec("coach", "worker", "check"), **_timing(15, 10, 3)},
            "livenessProbe": {**_exec("coach", "worker", "alive"), **_timing(15, 5, 6)},
            "startupProbe": {**_exec("coach", "worker", "check"), **_timing(5, 10, 12)},
        },
    ),
]


def compose() -> dict[str, Any]:
    return copy.deepcopy(COMPOSE)


def manifests() -> list[dict[str, Any]]:
    return copy.deepcopy(MANIFESTS)


def container_of(documents: list[dict[str, Any]], name: str) -> dict[str, Any]:
    """The container itself, so a test can break it in place."""
    for document in documents:
        pod = document["spec"].get("template", {}).get("spec", {})
        containers: list[dict[str, Any]] = pod.get("containers", [])
        for container in containers:
            if container["name"] == name:
                return container
    raise KeyError(name)

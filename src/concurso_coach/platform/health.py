"""Liveness and readiness, shaped for Compose healthchecks and Kubernetes probes."""

from __future__ import annotations

import asyncio
from typing import Literal

import msgspec
import structlog
from litestar import Controller, get
from litestar.datastructures import State
from litestar.openapi import ResponseSpec
from litestar.response import Response
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

log = structlog.get_logger(__name__)

CheckStatus = Literal["ok", "down", "draining"]


class Liveness(msgspec.Struct):
    status: Literal["ok"] = "ok"


class Readiness(msgspec.Struct):
    status: Literal["ready", "unavailable"]
    checks: dict[str, CheckStatus]


async def check_database(engine: AsyncEngine, limit: float) -> CheckStatus:
    try:
        async with asyncio.timeout(limit), engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as exc:
        log.warning("readiness_check_failed", check="database", error=type(exc).__name__)
        return "down"
    return "ok"


async def check_redis(state: State, limit: float) -> CheckStatus:
    try:
        async with asyncio.timeout(limit):
            await state.redis.ping()
    except Exception as exc:
        log.warning("readiness_check_failed", check="redis", error=type(exc).__name__)
        return "down"
    return "ok"


class HealthController(Controller):
    """Unauthenticated, unlogged probe endpoints."""

    path = "/health"
    tags = ["health"]  # noqa: RUF012 - Litestar reads this class attribute
    include_in_schema = True
    opt = {"exclude_from_auth": True}  # noqa: RUF012

    @get("/live", summary="Liveness: the process serves requests (no I/O)")
    async def live(self) -> Liveness:
        return Liveness()

    @get("", summary="Alias of /health/live")
    async def alias(self) -> Liveness:
        return Liveness()

    @get(
        "/ready",
        summary="Readiness: database and Redis answer",
        responses={503: ResponseSpec(data_container=Readiness, description="A dependency is down")},
    )
    async def ready(self, state: State) -> Response[Readiness]:
        timeout: float = state.settings.health_check_timeout
        checks: dict[str, CheckStatus] = {}

        engine: AsyncEngine = state.engine
        probes = [check_database(engine, timeout)]
        if state.redis is not None:
            probes.append(check_redis(state, timeout))
        results = await asyncio.gather(*probes)

        checks["database"] = results[0]
        if state.redis is not None:
            checks["redis"] = results[1]
        if state.draining:
            checks["shutdown"] = "draining"

        ready = all(value == "ok" for value in checks.values())
        body = Readiness(status="ready" if ready else "unavailable", checks=checks)
        return Response(body, status_code=200 if ready else 503)

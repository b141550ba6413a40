"""ASGI middleware: request ids, access log and query-string hygiene."""

from __future__ import annotations

import re
import time
import uuid
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

import structlog
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware

from concurso_coach.platform.errors import InvalidField, InvalidInputError
from concurso_coach.platform.types import is_clean_text

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "x-request-id"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._\-]{1,64}$")

access_log = structlog.get_logger("concurso_coach.access")


class RequestContextMiddleware(ASGIMiddleware):
    """Binds a request id to every log line and echoes it in the response."""

    scopes = (ScopeType.HTTP,)

    def __init__(self, log_access: bool = True) -> None:
        self.log_access = log_access

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        request_id = _incoming_request_id(scope) or uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)

        started = time.perf_counter()
        status_holder: list[int] = [500]

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder[0] = message["status"]
                headers = MutableScopeHeaders.from_message(message)
                headers[REQUEST_ID_HEADER] = request_id
            await send(message)

        try:
            await next_app(scope, receive, send_with_id)
        finally:
            # Probes poll every few seconds; logging them would drown real traffic.
            if self.log_access and not scope["path"].startswith("/health"):
                access_log.info(
                    "request",
                    method=scope.get("method"),
                    path=scope["path"],
                    status=status_holder[0],
                    duration_ms=round((time.perf_counter() - started) * 1000, 2),
                )
            structlog.contextvars.clear_contextvars()


def _incoming_request_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            candidate = value.decode("latin-1")
            return candidate if _VALID_REQUEST_ID.match(candidate) else None
    return None


def check_query_string(query_string: bytes) -> None:
    """Reject NUL bytes and undecodable text in query parameters, naming the parameter."""
    if not query_string:
        return

    try:
        pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise InvalidInputError(
            "The query string is not valid UTF-8.",
            errors=[InvalidField(field="query", message="invalid UTF-8", source="query")],
        ) from None

    for key, value in pairs:
        if not (is_clean_text(key) and is_clean_text(value)):
            raise InvalidInputError(
                f"Query parameter '{key}' contains a NUL byte or invalid character.",
                errors=[InvalidField(field=key, message="invalid character", source="query")],
            )

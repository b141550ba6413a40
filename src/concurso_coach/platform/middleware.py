"""ASGI middleware: request ids, access log and query-string hygiene."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

import structlog
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware

from concurso_coach.platform.errors import (
    InvalidField,
    InvalidInputError,
    UnsupportedMediaTypeError,
)
from concurso_coach.platform.request_id import REQUEST_ID_HEADER, request_id_of
from concurso_coach.platform.types import is_clean_text

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Mapping
    from typing import Any

    from litestar.types import ASGIApp, Message, Receive, Scope, Send


access_log = structlog.get_logger("concurso_coach.access")


class RequestContextMiddleware(ASGIMiddleware):
    """Binds the request id to every log line of a routed request."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        request_id = request_id_of(scope)
        scope["state"]["started"] = time.perf_counter()
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        try:
            await next_app(scope, receive, send)
        finally:
            structlog.contextvars.clear_contextvars()


def response_stamper(log_access: bool) -> Callable[[Message, Scope], Awaitable[None]]:
    """A ``before_send`` hook: the request id header and the access log line.

    It runs for every response the app sends, also those that never reach a route's
    middleware (no route, wrong method) or that an authentication error ended there.
    """

    async def stamp(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start" or scope["type"] != ScopeType.HTTP:
            return
        request_id = request_id_of(scope)
        MutableScopeHeaders.from_message(message)[REQUEST_ID_HEADER] = request_id

        # Probes poll every few seconds; logging them would drown real traffic.
        if log_access and not scope["path"].startswith("/health"):
            started = scope["state"].get("started")
            access_log.info(
                "request",
                method=scope.get("method"),
                path=scope["path"],
                status=message["status"],
                duration_ms=(round((time.perf_counter() - started) * 1000, 2) if started else None),
                request_id=request_id,
            )

    return stamp


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


# Handlers that read their body themselves (a syllabus as text, an import file) say so
# with this key in their `opt`; every other body is JSON.
ANY_BODY = "any_body"
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def check_json_body(method: str, headers: Mapping[str, str], opt: Mapping[str, Any]) -> None:
    """A 415 for a body that is not JSON, sent to a route that only reads JSON.

    msgspec would parse a JSON text sent as text/plain or form data all the same; a
    client that mislabels its body is told so rather than half understood.
    """
    if method not in _BODY_METHODS or opt.get(ANY_BODY):
        return
    has_body = headers.get("content-length", "0") not in ("", "0") or (
        "transfer-encoding" in headers
    )
    if not has_body:
        return
    media_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise UnsupportedMediaTypeError(
            f"Send the body as application/json, not {media_type or 'an untyped body'}."
        )

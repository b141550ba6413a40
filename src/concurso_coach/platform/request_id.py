"""The request id: taken from the client when sane, else made up; one per request."""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from litestar.types import Scope

REQUEST_ID_HEADER = "x-request-id"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._\-]{1,64}$")


def request_id_of(scope: Scope) -> str:
    """The request's id: the client's when it sent a sane one, else a new one; kept in scope."""
    state = scope.setdefault("state", {})
    request_id: str | None = state.get("request_id")
    if request_id is None:
        request_id = _incoming_request_id(scope) or uuid.uuid4().hex
        state["request_id"] = request_id
    return request_id


def _incoming_request_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            candidate = value.decode("latin-1")
            return candidate if _VALID_REQUEST_ID.match(candidate) else None
    return None

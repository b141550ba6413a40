"""The error half of the OpenAPI document: problem details, documented per operation.

Every error leaves the service as `errors.Problem` (``application/problem+json``), so
Litestar's own error shape (``status_code``/``detail``/``extra`` as ``application/json``)
must not appear in the document. `ProblemDocsPlugin` sees every route as it is
registered and gives each operation the problem responses that follow from how the
route is built (input, auth, role guards, path ids, body, backing services); a handler
adds the ones only it knows about (409, 422, 429…) with `problems(...)` in its
decorator. A response documented for the same status by Litestar is replaced.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from litestar.openapi import ResponseSpec
from litestar.openapi.spec import Operation, RequestBody
from litestar.plugins import ReceiveRoutePlugin
from litestar.routes import HTTPRoute

from concurso_coach.platform.errors import PROBLEM_MEDIA_TYPE, Problem

if TYPE_CHECKING:
    from litestar.handlers import HTTPRouteHandler
    from litestar.routes import BaseRoute

# What each status means in this API; a handler may say more with `problem(...)`.
PROBLEM_DESCRIPTIONS: dict[int, str] = {
    400: (
        "Validation error or malformed request: the body, a parameter or the query string "
        "does not match the schema; `errors` names the offending fields."
    ),
    401: "Missing, invalid or expired bearer token (`WWW-Authenticate: Bearer`).",
    403: "The caller's role does not allow this action.",
    404: "The resource does not exist, or belongs to someone else.",
    409: "The change conflicts with stored data.",
    413: "The request body is larger than the limit.",
    415: "The body's media type is not accepted (send `application/json`).",
    422: (
        "Well-formed input that cannot be processed: it names nothing that exists, "
        "or breaks a rule."
    ),
    429: "Too many attempts; retry after the seconds in `Retry-After`.",
    503: "A backing service (database or Redis) is unavailable; retry after `Retry-After`.",
}

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})

Guard = Callable[..., Any]


def problem(status: int, description: str | None = None) -> ResponseSpec:
    """One documented problem response: the Problem schema as application/problem+json."""
    return ResponseSpec(
        data_container=Problem,
        description=description or PROBLEM_DESCRIPTIONS.get(status, "Problem details."),
        media_type=PROBLEM_MEDIA_TYPE,
        generate_examples=False,
    )


def problems(*statuses: int) -> dict[int, ResponseSpec]:
    """For a route decorator's ``responses=``: problems only the handler knows it gives."""
    return {status: problem(status) for status in statuses}


def request_body_operation(body: RequestBody) -> type[Operation]:
    """An ``operation_class`` documenting the body of a handler that reads it itself.

    Litestar documents a request body from a ``data`` parameter; a handler that reads
    ``request.body()`` (a text syllabus, an import file) says what it accepts here.
    """

    @dataclass
    class _DocumentedBodyOperation(Operation):
        def __post_init__(self) -> None:
            self.request_body = body

    return _DocumentedBodyOperation


class ProblemDocsPlugin(ReceiveRoutePlugin):
    """Documents the problem responses of every operation as its route is registered.

    Which statuses an operation gets:

    - 400 always: every request passes the query-string check, and input is validated;
    - 401 unless the handler's ``opt`` has ``exclude_from_auth_key`` (bearer auth);
    - 403 when one of ``role_guards`` guards it;
    - 404 when its path has parameters (ids);
    - 413 when it reads a body (a ``data`` parameter, or ``raw_body_key`` in ``opt``);
    - 415 for POST/PUT/PATCH bodies checked as JSON (not ``raw_body_key`` handlers,
      which document their own 415 if they give one);
    - 503 when authenticated (the account is read from Redis or the database) or when
      a dependency it uses reaches one of ``backing_service_keys``.
    """

    __slots__ = ("backing_service_keys", "exclude_from_auth_key", "raw_body_key", "role_guards")

    def __init__(
        self,
        *,
        role_guards: Collection[Guard],
        backing_service_keys: Collection[str],
        exclude_from_auth_key: str = "exclude_from_auth",
        raw_body_key: str,
    ) -> None:
        self.role_guards = tuple(role_guards)
        self.backing_service_keys = frozenset(backing_service_keys)
        self.exclude_from_auth_key = exclude_from_auth_key
        self.raw_body_key = raw_body_key

    def receive_route(self, route: BaseRoute) -> None:
        if not isinstance(route, HTTPRoute):
            return
        for handler in route.route_handlers:
            handler.responses = self.documented_responses(handler, route)

    def documented_responses(
        self, handler: HTTPRouteHandler, route: HTTPRoute
    ) -> dict[int, ResponseSpec]:
        """The handler's own ``responses`` plus the problems its route implies."""
        responses = dict(handler.responses or {})
        for status in self.implied_statuses(handler, route):
            responses.setdefault(status, problem(status))
        # In status order in the document, after the success response.
        return dict(sorted(responses.items()))

    def implied_statuses(self, handler: HTTPRouteHandler, route: HTTPRoute) -> set[int]:
        statuses = {400}
        authenticated = not handler.opt.get(self.exclude_from_auth_key)
        raw_body = bool(handler.opt.get(self.raw_body_key))
        if authenticated:
            statuses |= {401, 503}
        # The layers' own lists: resolve_guards() hands back async wrappers.
        guards = [guard for layer in handler.ownership_layers for guard in layer.guards or ()]
        if any(guard in self.role_guards for guard in guards):
            statuses.add(403)
        if route.path_parameters:
            statuses.add(404)
        if handler.parsed_data_field is not None or raw_body:
            statuses.add(413)
        if _BODY_METHODS & handler.http_methods and not raw_body:
            statuses.add(415)
        if self._reaches_backing_service(handler):
            statuses.add(503)
        return statuses

    def _reaches_backing_service(self, handler: HTTPRouteHandler) -> bool:
        """Whether the handler asks, directly or through its dependencies, for a backing key."""
        providers = handler.resolve_dependencies()
        pending = list(handler.parsed_fn_signature.parameters)
        seen: set[str] = set()
        while pending:
            name = pending.pop()
            if name in seen:
                continue
            seen.add(name)
            if name in self.backing_service_keys:
                return True
            provider = providers.get(name)
            if provider is not None:
                pending.extend(provider.parsed_fn_signature.parameters)
        return False

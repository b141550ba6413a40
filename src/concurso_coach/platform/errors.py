"""Domain errors and their one mapping to RFC 9457 problem details.

Every error a client can see leaves through `problem_response`. Client text is
written here or by the raising code, never copied from a driver.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar

import msgspec
import structlog
from advanced_alchemy import exceptions as aa_exceptions
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from redis import exceptions as redis_exceptions
from sqlalchemy import exc as sa_exc

from concurso_coach.platform.request_id import request_id_of

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:concurso-coach:problem:"
RETRY_AFTER_SECONDS = 5

log = structlog.get_logger(__name__)


class InvalidField(msgspec.Struct, frozen=True):
    """One offending input field of a validation problem."""

    field: Annotated[str, msgspec.Meta(description="Dotted path of the field, or its name.")]
    message: str
    source: Annotated[
        str, msgspec.Meta(description="Where the field is: body, query, path, header…")
    ] = "body"


class Problem(msgspec.Struct, frozen=True, omit_defaults=True):
    """The single error shape of the API (RFC 9457 problem details)."""

    type: Annotated[
        str, msgspec.Meta(description=f"Stable problem type, `{PROBLEM_TYPE_PREFIX}<slug>`.")
    ]
    title: Annotated[str, msgspec.Meta(description="Short summary of the problem type.")]
    status: Annotated[int, msgspec.Meta(description="The HTTP status code.")]
    detail: Annotated[str, msgspec.Meta(description="What went wrong with this request.")]
    instance: Annotated[str | None, msgspec.Meta(description="The request path.")] = None
    request_id: Annotated[
        str | None, msgspec.Meta(description="Also in the X-Request-ID response header.")
    ] = None
    errors: Annotated[
        list[InvalidField] | None,
        msgspec.Meta(description="Validation problems: each offending field."),
    ] = None


class DomainError(Exception):
    """Base of every error the coach raises on purpose; subclasses fix status and type."""

    status_code: ClassVar[int] = 400
    slug: ClassVar[str] = "bad-request"
    title: ClassVar[str] = "Bad request"

    def __init__(
        self,
        detail: str,
        *,
        errors: list[InvalidField] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}


class BadRequestError(DomainError):
    """The request is malformed in a way the schema cannot express."""


class InvalidInputError(DomainError):
    slug = "invalid-input"
    title = "Invalid input"


class AuthenticationError(DomainError):
    status_code = 401
    slug = "unauthenticated"
    title = "Authentication required"

    def __init__(self, detail: str = "Missing or invalid credentials.") -> None:
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"})


class PermissionDeniedError(DomainError):
    status_code = 403
    slug = "forbidden"
    title = "Forbidden"


class NotFoundError(DomainError):
    status_code = 404
    slug = "not-found"
    title = "Not found"


class ConflictError(DomainError):
    status_code = 409
    slug = "conflict"
    title = "Conflict"


class UnsupportedMediaTypeError(DomainError):
    status_code = 415
    slug = "unsupported-media-type"
    title = "Unsupported media type"


class UnprocessableError(DomainError):
    status_code = 422
    slug = "unprocessable"
    title = "Unprocessable content"


class RateLimitedError(DomainError):
    status_code = 429
    slug = "rate-limited"
    title = "Too many requests"

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"Too many attempts; retry in {retry_after} seconds.",
            headers={"Retry-After": str(retry_after)},
        )


class ServiceUnavailableError(DomainError):
    status_code = 503
    slug = "service-unavailable"
    title = "Service unavailable"

    def __init__(self, detail: str = "A backing service is unavailable; retry shortly.") -> None:
        super().__init__(detail, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


# Litestar's own HTTP errors keep their status; these give them stable types.
_HTTP_SLUGS: dict[int, tuple[str, str]] = {
    400: ("bad-request", "Bad request"),
    401: ("unauthenticated", "Authentication required"),
    403: ("forbidden", "Forbidden"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    409: ("conflict", "Conflict"),
    413: ("payload-too-large", "Payload too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    422: ("unprocessable", "Unprocessable content"),
    429: ("rate-limited", "Too many requests"),
    503: ("service-unavailable", "Service unavailable"),
}

# Driver and network failures that mean "try again later", not "we are broken".
_UNAVAILABLE_ERRORS: tuple[type[BaseException], ...] = (
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.TimeoutError,
    redis_exceptions.ConnectionError,
    redis_exceptions.TimeoutError,
    ConnectionError,
    TimeoutError,
)


def backing_service_down(exc: BaseException) -> bool:
    """Whether ``exc`` is, or was raised because of, an unreachable database or Redis.

    Advanced Alchemy wraps every statement error, a lost connection included, in its
    own IntegrityError; the driver's exception survives as the cause.
    """
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            return False
        if isinstance(seen, _UNAVAILABLE_ERRORS):
            return True
        context = None if seen.__suppress_context__ else seen.__context__
        seen = seen.__cause__ or context
    return False


def problem_response(problem: Problem, headers: dict[str, str] | None = None) -> Response[bytes]:
    return Response(
        content=msgspec.json.encode(problem),
        status_code=problem.status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def _problem(
    request: Request[Any, Any, Any],
    status: int,
    slug: str,
    title: str,
    detail: str,
    errors: list[InvalidField] | None = None,
) -> Problem:
    return Problem(
        type=PROBLEM_TYPE_PREFIX + slug,
        title=title,
        status=status,
        detail=detail,
        instance=request.url.path,
        request_id=request_id_of(request.scope),
        errors=errors,
    )


# msgspec names the offending part of a body in its message, not in Litestar's
# `key` (which is the handler's parameter, "data"): "… - at `$.items[0].a`",
# "Object missing required field `name`".
_AT_PATH = re.compile(r" - at `\$\.?(?P<path>[^`]*)`$")
_NAMED_FIELD = re.compile(r"^Object (?:missing required|contains unknown) field `(?P<name>[^`]+)`")
# Our own checks in a Struct's __post_init__ say "<field> must …" (platform.types).
_CHECKED_FIELD = re.compile(r"^(?P<name>[a-z_]+) must ")


def _body_field(message: str) -> str | None:
    """The dotted path of the body field a msgspec message is about, if it names one."""
    path = ""
    at = _AT_PATH.search(message)
    if at is not None:
        path = at.group("path")
        message = message[: at.start()]
    named = _NAMED_FIELD.match(message) or _CHECKED_FIELD.match(message)
    if named is not None:
        path = f"{path}.{named.group('name')}" if path else named.group("name")
    return path or None


def _validation_fields(exc: ValidationException) -> list[InvalidField]:
    fields: list[InvalidField] = []
    extra = exc.extra if isinstance(exc.extra, list) else []
    for item in extra:
        if not isinstance(item, dict):
            continue
        key = str(item.get("key") or "body")
        raw_source = item.get("source") or "body"
        # Litestar gives a ParamType enum for parameters: "query", not "ParamType.QUERY".
        source = str(getattr(raw_source, "value", raw_source))
        message = str(item.get("message", ""))
        if source == "body":
            key = _body_field(message) or key
        fields.append(InvalidField(field=key, message=message, source=source))
    return fields


def handle_exception(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    """The one place where exceptions become HTTP responses."""
    if isinstance(exc, DomainError):
        problem = _problem(request, exc.status_code, exc.slug, exc.title, exc.detail, exc.errors)
        return problem_response(problem, exc.headers)

    if isinstance(exc, ValidationException):
        fields = _validation_fields(exc)
        detail = "The request does not match the expected schema."
        if fields:
            detail = f"Invalid value for '{fields[0].field}': {fields[0].message}"
        elif exc.detail and exc.detail != "Validation failed":
            # A missing parameter comes without fields but with a readable detail.
            detail = str(exc.detail)
        problem = _problem(request, 400, "validation-error", "Validation error", detail, fields)
        return problem_response(problem)

    if isinstance(exc, RecursionError) and "deserializ" in str(exc):
        # msgspec refuses a body nested beyond its recursion limit; the client's fault.
        problem = _problem(
            request, 400, "bad-request", "Bad request", "The JSON body is nested too deeply."
        )
        return problem_response(problem)

    if isinstance(exc, HTTPException):
        slug, title = _HTTP_SLUGS.get(exc.status_code, ("http-error", "HTTP error"))
        detail = exc.detail if exc.status_code < HTTP_500_INTERNAL_SERVER_ERROR else title
        problem = _problem(request, exc.status_code, slug, title, detail)
        return problem_response(problem, dict(exc.headers or {}))

    # Before the repository errors: a lost connection reaches us dressed as one of them.
    if backing_service_down(exc):
        log.warning("backing_service_unavailable", error=type(exc).__name__, path=request.url.path)
        unavailable = ServiceUnavailableError()
        problem = _problem(request, 503, unavailable.slug, unavailable.title, unavailable.detail)
        return problem_response(problem, unavailable.headers)

    if isinstance(exc, aa_exceptions.NotFoundError):
        problem = _problem(request, 404, "not-found", "Not found", "The resource does not exist.")
        return problem_response(problem)

    if isinstance(exc, aa_exceptions.DuplicateKeyError | aa_exceptions.IntegrityError):
        problem = _problem(
            request, 409, "conflict", "Conflict", "The change conflicts with stored data."
        )
        return problem_response(problem)

    log.exception("unhandled_error", path=request.url.path)
    problem = _problem(
        request, 500, "internal-error", "Internal server error", "An unexpected error occurred."
    )
    return problem_response(problem)

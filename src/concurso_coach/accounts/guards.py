"""Role guards and the ownership rule, for every feature's controllers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from concurso_coach.accounts.schemas import CurrentAccount, Role
from concurso_coach.platform.errors import AuthenticationError, NotFoundError, PermissionDeniedError

if TYPE_CHECKING:
    from litestar import Request
    from litestar.connection import ASGIConnection
    from litestar.handlers.base import BaseRouteHandler

# Controllers and routers behind the auth middleware declare this for OpenAPI.
BEARER_SECURITY: list[dict[str, list[str]]] = [{"BearerToken": []}]

EDITOR_ROLES: frozenset[Role] = frozenset({"editor", "admin"})
ADMIN_ROLES: frozenset[Role] = frozenset({"admin"})


def current_account(connection: ASGIConnection[Any, Any, Any, Any]) -> CurrentAccount:
    """The signed-in account; a 401 when the route was left public by mistake."""
    user = connection.scope.get("user")
    if not isinstance(user, CurrentAccount):
        raise AuthenticationError
    return user


def _require(connection: ASGIConnection[Any, Any, Any, Any], roles: frozenset[Role]) -> None:
    if current_account(connection).role not in roles:
        raise PermissionDeniedError("Your role does not allow this action.")


def requires_editor(
    connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler
) -> None:
    """Guard: editors and admins write catalogue data."""
    _require(connection, EDITOR_ROLES)


def requires_admin(
    connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler
) -> None:
    """Guard: only admins manage accounts."""
    _require(connection, ADMIN_ROLES)


def ensure_owner(owner_id: UUID, account: CurrentAccount) -> None:
    """Candidate-owned data is visible to its owner only; others get 404 so that
    they cannot learn that it exists."""
    if owner_id != account.id:
        raise NotFoundError("The resource does not exist.")


async def provide_current_account(request: Request[Any, Any, Any]) -> CurrentAccount:
    """Dependency `current_account` for handlers that act on behalf of the caller."""
    return current_account(request)

"""Bearer-token authentication for every route not marked `exclude_from_auth`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import structlog
from litestar.middleware import (
    AbstractAuthenticationMiddleware,
    AuthenticationResult,
    DefineMiddleware,
)

from concurso_coach.accounts.services import load_current_account
from concurso_coach.accounts.tokens import AccessTokenReader, InvalidTokenError
from concurso_coach.platform.errors import AuthenticationError

if TYPE_CHECKING:
    from litestar.connection import ASGIConnection

    from concurso_coach.accounts.account_cache import AccountCache
    from concurso_coach.settings import Settings

log = structlog.get_logger(__name__)

# Litestar's own OpenAPI routes: the document and its viewers are public.
PUBLIC_PATHS = ["^/schema"]


class BearerAuthMiddleware(AbstractAuthenticationMiddleware):
    """Sets `request.user` to the CurrentAccount of the token's subject.

    The account comes from the cache when present (see account_cache), else
    from the database.

    Litestar's JWT backend rejects any `iat` in the future; ours allows the
    configured leeway both ways so a server whose clock runs ahead still works.
    """

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        token = _bearer_token(connection.headers.get("authorization"))
        try:
            account_id = _token_reader(connection).read(token)
        except InvalidTokenError as exc:
            log.info("access_token_rejected", reason=str(exc))
            raise AuthenticationError from None

        cache: AccountCache = connection.app.state.account_cache
        account = await cache.get(account_id)
        if account is None:
            account = await load_current_account(connection.app.state.engine, account_id)
            if account is None:
                log.info("access_token_rejected", reason="account no longer exists")
                raise AuthenticationError
            await cache.remember(account)
        return AuthenticationResult(user=account, auth=account_id)


def _bearer_token(header: str | None) -> str:
    if not header:
        raise AuthenticationError
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationError
    return token.strip()


def _token_reader(connection: ASGIConnection[Any, Any, Any, Any]) -> AccessTokenReader:
    # Settings may read the key from a file; do that once per app, not per request.
    state = connection.app.state
    reader: AccessTokenReader | None = state.get("access_token_reader")
    if reader is None:
        settings: Settings = state.settings
        reader = AccessTokenReader(settings.signing_key(), settings.jwt_leeway_seconds)
        state.access_token_reader = reader
    return reader


def auth_middleware() -> DefineMiddleware:
    """The middleware as the app factory registers it; OPTIONS (CORS preflight) is public."""
    return DefineMiddleware(
        BearerAuthMiddleware, exclude=PUBLIC_PATHS, exclude_http_methods=["OPTIONS"]
    )

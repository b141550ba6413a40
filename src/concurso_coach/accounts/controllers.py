"""HTTP endpoints: sign-up and sign-in, the current account, account admin."""

from __future__ import annotations

from typing import Any, cast
from uuid import UUID

from litestar import Controller, Request, get, patch, post
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT
from sqlalchemy.ext.asyncio import AsyncSession

from concurso_coach.accounts.client_address import client_address
from concurso_coach.accounts.guards import BEARER_SECURITY, requires_admin
from concurso_coach.accounts.models import Account
from concurso_coach.accounts.ratelimit import (
    AttemptLimiter,
    limit_key,
    parse_limit,
    provide_attempt_limiter,
)
from concurso_coach.accounts.schemas import (
    AccountRead,
    AccountUpdate,
    CurrentAccount,
    LoginRequest,
    RefreshRequest,
    RegisterRequest,
    Role,
    TokenPair,
)
from concurso_coach.accounts.services import AccountService, normalise_email
from concurso_coach.platform.errors import AuthenticationError
from concurso_coach.platform.openapi import problem, problems
from concurso_coach.platform.pagination import Page, PageParams
from concurso_coach.settings import Settings


def provide_account_service(
    db_session: NamedDependency[AsyncSession], request: Request[Any, Any, Any]
) -> AccountService:
    return AccountService(
        session=db_session,
        settings=request.app.state.settings,
        account_cache=request.app.state.account_cache,
    )


def account_read(account: Account) -> AccountRead:
    return AccountRead(
        id=account.id,
        email=account.email,
        display_name=account.display_name,
        role=cast(Role, account.role),
        created_at=account.created_at,
    )


def _address(request: Request[Any, Any, Any], settings: Settings) -> str:
    return client_address(request.scope, tuple(settings.trusted_proxies))


class AuthController(Controller):
    """Public endpoints: the credentials are in the body."""

    path = "/api/auth"
    tags = ["auth"]  # noqa: RUF012 - Litestar reads this class attribute
    opt = {"exclude_from_auth": True}  # noqa: RUF012
    dependencies = {  # noqa: RUF012
        "accounts": Provide(provide_account_service, sync_to_thread=False),
        "limiter": Provide(provide_attempt_limiter, sync_to_thread=False),
    }

    @post(
        "/register",
        status_code=HTTP_201_CREATED,
        summary="Create a candidate account",
        responses=problems(409, 429),
    )
    async def register(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[RegisterRequest],
        accounts: NamedDependency[AccountService],
        limiter: NamedDependency[AttemptLimiter],
        state: State,
    ) -> AccountRead:
        settings: Settings = state.settings
        limit = parse_limit(settings.register_rate_limit)
        keys = (
            limit_key("register", "address", _address(request, settings)),
            limit_key("register", "account", normalise_email(data.email)),
        )
        await limiter.ensure_allowed(limit, *keys)
        await limiter.record(limit, *keys)

        account = await accounts.create_account(data.email, data.password, data.display_name)
        return account_read(account)

    @post(
        "/login",
        status_code=HTTP_200_OK,
        summary="Exchange email and password for tokens",
        responses={401: problem(401, "Wrong email or password."), **problems(429)},
    )
    async def login(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[LoginRequest],
        accounts: NamedDependency[AccountService],
        limiter: NamedDependency[AttemptLimiter],
        state: State,
    ) -> TokenPair:
        settings: Settings = state.settings
        limit = parse_limit(settings.login_rate_limit)
        keys = (
            limit_key("login", "address", _address(request, settings)),
            limit_key("login", "account", normalise_email(data.email)),
        )
        await limiter.ensure_allowed(limit, *keys)

        try:
            return await accounts.login(data.email, data.password)
        except AuthenticationError:
            # Only failures spend the budget: people who type well are never slowed.
            await limiter.record(limit, *keys)
            raise

    @post(
        "/refresh",
        status_code=HTTP_200_OK,
        summary="Rotate a refresh token",
        responses={401: problem(401, "The refresh token is unknown, expired or already used.")},
    )
    async def refresh(
        self, data: JSONBody[RefreshRequest], accounts: NamedDependency[AccountService]
    ) -> TokenPair:
        return await accounts.refresh(data.refresh_token)

    @post("/logout", status_code=HTTP_204_NO_CONTENT, summary="Revoke a refresh token")
    async def logout(
        self, data: JSONBody[RefreshRequest], accounts: NamedDependency[AccountService]
    ) -> None:
        await accounts.logout(data.refresh_token)


class MeController(Controller):
    path = "/api/me"
    tags = ["auth"]  # noqa: RUF012
    security = BEARER_SECURITY
    dependencies = {  # noqa: RUF012
        "accounts": Provide(provide_account_service, sync_to_thread=False)
    }

    @get("", summary="The signed-in account", responses=problems(404))
    async def me(
        self, request: Request[CurrentAccount, Any, Any], accounts: NamedDependency[AccountService]
    ) -> AccountRead:
        return account_read(await accounts.get_account(request.user.id))


class UserController(Controller):
    """Account administration (admins only)."""

    path = "/api/users"
    tags = ["users"]  # noqa: RUF012
    guards = [requires_admin]  # noqa: RUF012
    security = BEARER_SECURITY
    dependencies = {  # noqa: RUF012
        "accounts": Provide(provide_account_service, sync_to_thread=False)
    }

    @get("", summary="List accounts")
    async def list_accounts(
        self, accounts: NamedDependency[AccountService], page: NamedDependency[PageParams]
    ) -> Page[AccountRead]:
        rows, total = await accounts.list_accounts(page.limit, page.offset)
        return Page(
            items=[account_read(row) for row in rows],
            total=total,
            limit=page.limit,
            offset=page.offset,
        )

    @get("/{account_id:uuid}", summary="One account")
    async def get_account(
        self, account_id: FromPath[UUID], accounts: NamedDependency[AccountService]
    ) -> AccountRead:
        return account_read(await accounts.get_account(account_id))

    @patch(
        "/{account_id:uuid}",
        summary="Change an account's role",
        responses=problems(409),
    )
    async def update_account(
        self,
        account_id: FromPath[UUID],
        data: JSONBody[AccountUpdate],
        accounts: NamedDependency[AccountService],
    ) -> AccountRead:
        return account_read(await accounts.change_role(account_id, data.role))


ACCOUNT_CONTROLLERS = [AuthController, MeController, UserController]

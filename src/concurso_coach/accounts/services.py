"""Account rules: registration, sign-in, token rotation and role changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, cast
from uuid import UUID

import anyio
import structlog
from advanced_alchemy.exceptions import DuplicateKeyError, IntegrityError
from advanced_alchemy.filters import LimitOffset, OrderBy
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.pool import NullPool

from concurso_coach.accounts.models import Account
from concurso_coach.accounts.models import RefreshToken as RefreshTokenRow
from concurso_coach.accounts.passwords import hash_password, needs_rehash, verify_password
from concurso_coach.accounts.repositories import AccountRepository, RefreshTokenRepository
from concurso_coach.accounts.schemas import MIN_PASSWORD_LENGTH, CurrentAccount, Role, TokenPair
from concurso_coach.accounts.tokens import (
    digest_refresh_token,
    issue_access_token,
    new_refresh_token,
)
from concurso_coach.platform.errors import (
    AuthenticationError,
    ConflictError,
    InvalidField,
    InvalidInputError,
    NotFoundError,
    backing_service_down,
)
from concurso_coach.platform.session_bound import SessionBound

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from concurso_coach.accounts.account_cache import AccountCache
    from concurso_coach.settings import Settings

log = structlog.get_logger(__name__)

# One answer for every failed sign-in, so that it tells nothing about the account.
LOGIN_FAILED = "The email or password is incorrect."
REFRESH_FAILED = "The refresh token is invalid or expired."


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_password_strength(password: str, email: str) -> None:
    """Length is checked by the wire type; these catch what length alone lets through."""
    lowered = password.lower()
    problem = None
    if len(password) < MIN_PASSWORD_LENGTH:
        problem = f"must have at least {MIN_PASSWORD_LENGTH} characters"
    elif len(set(password)) < 4:
        problem = "must use at least 4 different characters"
    elif normalise_email(email) in lowered or email.split("@", 1)[0].lower() == lowered:
        problem = "must not be the email address"
    if problem is not None:
        raise InvalidInputError(
            f"Invalid value for 'password': {problem}",
            errors=[InvalidField(field="password", message=problem)],
        )


class AccountService:
    """Account operations inside one session; writes commit explicitly."""

    accounts = SessionBound(AccountRepository)
    refresh_tokens = SessionBound(RefreshTokenRepository)

    def __init__(
        self, session: AsyncSession, settings: Settings, account_cache: AccountCache | None = None
    ) -> None:
        self.session = session
        self.settings = settings
        # The auth middleware's cache of signed-in accounts (see account_cache).
        self.account_cache = account_cache

    async def _hash(self, password: str) -> str:
        # Argon2 is deliberately slow CPU work; keep it off the event loop.
        work = partial(hash_password, password, self.settings.password_hash_profile)
        return await anyio.to_thread.run_sync(work)

    async def _verify(self, password_hash: str | None, password: str) -> bool:
        profile = self.settings.password_hash_profile
        work = partial(verify_password, password_hash, password, profile)
        return await anyio.to_thread.run_sync(work)

    async def create_account(
        self, email: str, password: str, display_name: str, role: Role = "candidate"
    ) -> Account:
        email = normalise_email(email)
        check_password_strength(password, email)
        if not display_name.strip():
            raise InvalidInputError(
                "Invalid value for 'display_name': must not be blank",
                errors=[InvalidField(field="display_name", message="must not be blank")],
            )
        if await self.accounts.exists(email=email):
            raise ConflictError("An account with this email already exists.")

        account = Account(
            email=email,
            display_name=display_name.strip() or display_name,
            password_hash=await self._hash(password),
            role=role,
        )
        try:
            await self.accounts.add(account)
            await self.session.commit()
        except (DuplicateKeyError, IntegrityError, sa_exc.IntegrityError) as exc:
            await self.session.rollback()
            if backing_service_down(exc):
                raise
            # Two registrations raced past the check above; the unique index decided.
            raise ConflictError("An account with this email already exists.") from None
        log.info("account_created", account_id=str(account.id), role=role)
        return account

    async def authenticate(self, email: str, password: str) -> Account | None:
        """The account when the password matches; unknown emails cost one Argon2 verify too."""
        account = await self.accounts.get_one_or_none(email=normalise_email(email))
        matched = await self._verify(account.password_hash if account else None, password)
        if account is None or not matched:
            return None

        profile = self.settings.password_hash_profile
        if needs_rehash(account.password_hash, profile):
            account.password_hash = await self._hash(password)
            await self.session.commit()
        return account

    async def login(self, email: str, password: str) -> TokenPair:
        account = await self.authenticate(email, password)
        if account is None:
            raise AuthenticationError(LOGIN_FAILED)
        log.info("login_succeeded", account_id=str(account.id))
        return await self._issue_tokens(account.id)

    async def _issue_tokens(self, account_id: UUID) -> TokenPair:
        now = datetime.now(UTC)
        refresh_token = new_refresh_token()
        await self.refresh_tokens.add(
            _refresh_row(account_id, refresh_token, now, self.settings.refresh_token_ttl_seconds)
        )
        await self.session.commit()

        # A sign-in always sees the account as stored now: a role granted behind the
        # service's back (an operator's UPDATE) holds from the next token on.
        await self._forget_cached(account_id)

        ttl = self.settings.access_token_ttl_seconds
        access_token = issue_access_token(account_id, self.settings.signing_key(), ttl, now)
        return TokenPair(access_token=access_token, expires_in=ttl, refresh_token=refresh_token)

    async def refresh(self, refresh_token: str) -> TokenPair:
        """Rotate: the presented token is revoked and a new pair is issued."""
        now = datetime.now(UTC)
        stored = await self.refresh_tokens.get_one_or_none(
            token_hash=digest_refresh_token(refresh_token)
        )
        if stored is None or _as_utc(stored.expires_at) <= now:
            raise AuthenticationError(REFRESH_FAILED)

        if stored.revoked_at is not None or not await self.refresh_tokens.claim(stored.id, now):
            # A rotated token came back: whoever holds the family may have stolen it.
            await self.refresh_tokens.revoke_all(stored.account_id, now)
            await self.session.commit()
            log.warning("refresh_token_reused", account_id=str(stored.account_id))
            raise AuthenticationError(REFRESH_FAILED)

        return await self._issue_tokens(stored.account_id)

    async def logout(self, refresh_token: str) -> None:
        """Revoke the token; unknown or already revoked tokens are not an error."""
        stored = await self.refresh_tokens.get_one_or_none(
            token_hash=digest_refresh_token(refresh_token)
        )
        if stored is None:
            return
        await self.refresh_tokens.claim(stored.id, datetime.now(UTC))
        await self.session.commit()

    async def get_account(self, account_id: UUID) -> Account:
        account = await self.accounts.get_one_or_none(id=account_id)
        if account is None:
            raise NotFoundError("The account does not exist.")
        return account

    async def list_accounts(self, limit: int, offset: int) -> tuple[list[Account], int]:
        # A separate COUNT: the window-function count is several times slower on PostgreSQL.
        return await self.accounts.get_many_and_count(
            OrderBy(field_name="created_at", sort_order="asc"),
            OrderBy(field_name="id", sort_order="asc"),
            LimitOffset(limit=limit, offset=offset),
            count_with_window_function=False,
        )

    async def change_role(self, account_id: UUID, role: Role) -> Account:
        account = await self.get_account(account_id)
        previous = account.role
        if previous == "admin" and role != "admin" and await self.accounts.count(role="admin") == 1:
            # Nobody could promote a new admin through the API afterwards.
            raise ConflictError("The last admin cannot be demoted; promote another one first.")
        account.role = role
        await self.session.commit()
        # The new role must hold from the account's very next request.
        await self._forget_cached(account_id)
        log.info("account_role_changed", account_id=str(account_id), old=previous, new=role)
        return account

    async def _forget_cached(self, account_id: UUID) -> None:
        if self.account_cache is not None:
            await self.account_cache.forget(account_id)


async def load_current_account(engine: AsyncEngine, account_id: UUID) -> CurrentAccount | None:
    """The signed-in account for the auth middleware, or None when it no longer exists."""
    async with AsyncSession(engine, expire_on_commit=False) as session:
        account = await AccountRepository(session=session).get_one_or_none(id=account_id)
        if account is None:
            return None
        return CurrentAccount(
            id=account.id,
            email=account.email,
            display_name=account.display_name,
            role=cast(Role, account.role),
        )


def _refresh_row(account_id: UUID, token: str, now: datetime, ttl_seconds: int) -> RefreshTokenRow:
    return RefreshTokenRow(
        account_id=account_id,
        token_hash=digest_refresh_token(token),
        expires_at=now + timedelta(seconds=ttl_seconds),
    )


def _as_utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes even for timezone-aware columns.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def create_account_standalone(
    settings: Settings,
    email: str,
    password: str,
    display_name: str,
    role: Role = "candidate",
) -> Account:
    """Create an account outside any app (the CLI, test fixtures), with its own engine."""
    engine = create_async_engine(settings.sqlalchemy_url, poolclass=NullPool)
    try:
        async with AsyncSession(engine, expire_on_commit=False) as session:
            service = AccountService(session=session, settings=settings)
            return await service.create_account(email, password, display_name, role)
    finally:
        await engine.dispose()

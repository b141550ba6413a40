"""Access tokens (HS256 JWTs) and opaque refresh tokens.

Access tokens carry only the account id: the role is read from the database on
each request, so a role change or a deleted account takes effect at once.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections import OrderedDict
from datetime import UTC, datetime, timedelta
from typing import NamedTuple
from uuid import UUID

import jwt

ALGORITHM = "HS256"
TOKEN_TYPE = "access"  # noqa: S105 - a claim value, not a secret


class InvalidTokenError(Exception):
    """The token is missing, malformed, forged or expired (the reason is for logs only)."""


def issue_access_token(
    account_id: UUID, key: str, ttl_seconds: int, now: datetime | None = None
) -> str:
    issued = now or datetime.now(UTC)
    claims = {
        "sub": str(account_id),
        "iat": int(issued.timestamp()),
        "exp": int((issued + timedelta(seconds=ttl_seconds)).timestamp()),
        "typ": TOKEN_TYPE,
        "jti": secrets.token_urlsafe(12),
    }
    return jwt.encode(claims, key, algorithm=ALGORITHM)


def read_access_token(token: str, key: str, leeway_seconds: int) -> UUID:
    """The account id of a valid token; `leeway_seconds` absorbs clock skew both ways."""
    return _verify(token, key, leeway_seconds).account_id


class _Verified(NamedTuple):
    account_id: UUID
    issued_at: int
    expires_at: int


def _verify(token: str, key: str, leeway_seconds: int) -> _Verified:
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            leeway=leeway_seconds,
            options={"require": ["exp", "iat", "sub"]},
        )
    except jwt.PyJWTError as exc:
        raise InvalidTokenError(type(exc).__name__) from None
    except (ValueError, TypeError) as exc:
        # PyJWT wraps most malformed input; anything it lets through is still "invalid".
        raise InvalidTokenError(type(exc).__name__) from None

    if claims.get("typ") != TOKEN_TYPE:
        raise InvalidTokenError("wrong token type")
    try:
        account_id = UUID(str(claims["sub"]))
    except ValueError:
        raise InvalidTokenError("subject is not an account id") from None
    # PyJWT has checked that both are integers.
    return _Verified(account_id, int(claims["iat"]), int(claims["exp"]))


class AccessTokenReader:
    """`read_access_token` for one signing key, remembering tokens it has verified.

    Every request of a signed-in client presents the same token for its lifetime;
    the signature and claims of those bytes cannot change, so they are checked once
    and only the clock is checked again (with PyJWT's own rule and leeway). Tokens
    that fail are never remembered, so a forged token costs a full check each time.
    """

    def __init__(self, key: str, leeway_seconds: int, capacity: int = 4096) -> None:
        self._key = key
        self._leeway = leeway_seconds
        self._capacity = capacity
        self._verified: OrderedDict[str, _Verified] = OrderedDict()

    def read(self, token: str) -> UUID:
        known = self._verified.get(token)
        if known is None:
            return self._verify(token)

        now = time.time()
        if known.expires_at <= now - self._leeway:
            del self._verified[token]
            raise InvalidTokenError("ExpiredSignatureError")
        if known.issued_at > now + self._leeway:
            raise InvalidTokenError("ImmatureSignatureError")
        self._verified.move_to_end(token)
        return known.account_id

    def _verify(self, token: str) -> UUID:
        verified = _verify(token, self._key, self._leeway)
        self._verified[token] = verified
        if len(self._verified) > self._capacity:
            self._verified.popitem(last=False)
        return verified.account_id


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def digest_refresh_token(token: str) -> str:
    """Refresh tokens are 256 random bits, so a plain SHA-256 is enough to store them."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()

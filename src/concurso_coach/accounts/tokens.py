"""Access tokens (HS256 JWTs) and opaque refresh tokens.

Access tokens carry only the account id: the role is read from the database on
each request, so a role change or a deleted account takes effect at once.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
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
        return UUID(str(claims["sub"]))
    except ValueError:
        raise InvalidTokenError("subject is not an account id") from None


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def digest_refresh_token(token: str) -> str:
    """Refresh tokens are 256 random bits, so a plain SHA-256 is enough to store them."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()

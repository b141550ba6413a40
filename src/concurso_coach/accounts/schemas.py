"""Wire types of the accounts feature."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from concurso_coach.platform.types import CLEAN_TEXT_PATTERN, Email, Name

Role = Literal["candidate", "editor", "admin"]

MIN_PASSWORD_LENGTH = 10

# Argon2 takes any length, but an unbounded body field is a cheap way to burn CPU.
Password = Annotated[
    str,
    msgspec.Meta(
        min_length=MIN_PASSWORD_LENGTH,
        max_length=256,
        pattern=CLEAN_TEXT_PATTERN,
        description=f"At least {MIN_PASSWORD_LENGTH} characters.",
    ),
]
LoginEmail = Annotated[str, msgspec.Meta(min_length=1, max_length=320, pattern=CLEAN_TEXT_PATTERN)]
LoginPassword = Annotated[str, msgspec.Meta(max_length=256, pattern=CLEAN_TEXT_PATTERN)]
OpaqueToken = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"^[\x21-\x7e]+$")]


class RegisterRequest(msgspec.Struct, forbid_unknown_fields=True):
    email: Email
    password: Password
    display_name: Name


class LoginRequest(msgspec.Struct, forbid_unknown_fields=True):
    email: LoginEmail
    password: LoginPassword


class RefreshRequest(msgspec.Struct, forbid_unknown_fields=True):
    refresh_token: OpaqueToken


class TokenPair(msgspec.Struct):
    access_token: str
    expires_in: int
    refresh_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth 2 token type, not a secret


class AccountRead(msgspec.Struct):
    id: UUID
    email: str
    display_name: str
    role: Role
    created_at: datetime


class AccountUpdate(msgspec.Struct, forbid_unknown_fields=True):
    role: Role


class CurrentAccount(msgspec.Struct, frozen=True):
    """`request.user` on every authenticated request."""

    id: UUID
    email: str
    display_name: str
    role: Role

"""Argon2id password hashing with a dummy verify for unknown accounts."""

from __future__ import annotations

import contextlib
from functools import cache
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

HashProfile = Literal["standard", "fast"]

# A fixed, never-matching password: verifying against its hash costs what a real check costs.
_DUMMY_PASSWORD = "not-a-real-password-used-to-equalise-timing"  # noqa: S105


@cache
def password_hasher(profile: HashProfile) -> PasswordHasher:
    """The library defaults (RFC 9106 low-memory) or a cheap profile for test suites."""
    if profile == "fast":
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return PasswordHasher()


@cache
def _dummy_hash(profile: HashProfile) -> str:
    return password_hasher(profile).hash(_DUMMY_PASSWORD)


def hash_password(password: str, profile: HashProfile) -> str:
    return password_hasher(profile).hash(password)


def verify_password(password_hash: str | None, password: str, profile: HashProfile) -> bool:
    """Check a password; with no hash (unknown account) burn the same work and say no."""
    hasher = password_hasher(profile)
    if password_hash is None:
        with contextlib.suppress(VerificationError):
            hasher.verify(_dummy_hash(profile), password)
        return False

    try:
        return hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str, profile: HashProfile) -> bool:
    return password_hasher(profile).check_needs_rehash(password_hash)

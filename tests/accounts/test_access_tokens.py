from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.conftest import TEST_SECRET


async def _account_id(client: AsyncTestClient[Litestar], headers: dict[str, str]) -> str:
    return str((await client.get("/api/me", headers=headers)).json()["id"])


def _token(sub: str, issued: datetime, ttl: timedelta, key: str = TEST_SECRET, **extra: Any) -> str:
    claims = {
        "sub": sub,
        "iat": int(issued.timestamp()),
        "exp": int((issued + ttl).timestamp()),
        "typ": "access",
        **extra,
    }
    return jwt.encode(claims, key, algorithm="HS256")


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _assert_generic_401(response: Any) -> None:
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["detail"] == "Missing or invalid credentials."


async def test_token_issued_ten_seconds_in_the_future_is_accepted(
    client: AsyncTestClient[Litestar], candidate_headers: dict[str, str]
) -> None:
    sub = await _account_id(client, candidate_headers)
    token = _token(sub, datetime.now(UTC) + timedelta(seconds=10), timedelta(minutes=15))

    response = await client.get("/api/me", headers=_bearer(token))

    assert response.status_code == 200


async def test_token_expired_five_minutes_ago_is_rejected(
    client: AsyncTestClient[Litestar], candidate_headers: dict[str, str]
) -> None:
    sub = await _account_id(client, candidate_headers)
    token = _token(sub, datetime.now(UTC) - timedelta(minutes=20), timedelta(minutes=15))

    _assert_generic_401(await client.get("/api/me", headers=_bearer(token)))


async def test_token_expired_within_the_leeway_is_still_accepted(
    client: AsyncTestClient[Litestar], candidate_headers: dict[str, str]
) -> None:
    sub = await _account_id(client, candidate_headers)
    token = _token(sub, datetime.now(UTC) - timedelta(seconds=905), timedelta(seconds=900))

    response = await client.get("/api/me", headers=_bearer(token))

    assert response.status_code == 200


async def test_alg_none_token_is_rejected(
    client: AsyncTestClient[Litestar], candidate_headers: dict[str, str]
) -> None:
    sub = await _account_id(client, candidate_headers)
    now = datetime.now(UTC)
    token = jwt.encode(
        {"sub": sub, "iat": int(now.timestamp()), "exp": int(now.timestamp()) + 600},
        None,
        algorithm="none",
    )

    _assert_generic_401(await client.get("/api/me", headers=_bearer(token)))


async def test_token_signed_with_another_key_is_rejected(
    client: AsyncTestClient[Litestar], candidate_headers: dict[str, str]
) -> None:
    sub = await _account_id(client, candidate_headers)
    other_key = "another-secret-key-that-is-long-enough-for-hs256"
    token = _token(sub, datetime.now(UTC), timedelta(minutes=5), key=other_key)

    _assert_generic_401(await client.get("/api/me", headers=_bearer(token)))


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        "a.b.c",
        "eyJhbGciOiJIUzI1NiJ9.%%%.sig",
        base64.urlsafe_b64encode(b'{"alg":"HS256"}').decode() + ".\x80\xff.sig",
        "x" * 5000,
    ],
    ids=["word", "three-parts", "bad-base64", "non-ascii", "huge"],
)
async def test_garbled_token_is_401_never_500(
    client: AsyncTestClient[Litestar], token: str
) -> None:
    header = f"Bearer {token}".encode("latin-1")

    response = await client.get("/api/me", headers={"Authorization": header})

    _assert_generic_401(response)


async def test_token_without_expiry_is_rejected(
    client: AsyncTestClient[Litestar], candidate_headers: dict[str, str]
) -> None:
    sub = await _account_id(client, candidate_headers)
    token = jwt.encode(
        {"sub": sub, "iat": int(datetime.now(UTC).timestamp()), "typ": "access"},
        TEST_SECRET,
        algorithm="HS256",
    )

    _assert_generic_401(await client.get("/api/me", headers=_bearer(token)))


async def test_token_with_a_non_uuid_subject_is_rejected(
    client: AsyncTestClient[Litestar],
) -> None:
    token = _token("not-a-uuid", datetime.now(UTC), timedelta(minutes=5))

    _assert_generic_401(await client.get("/api/me", headers=_bearer(token)))


async def test_token_of_a_deleted_account_is_rejected(
    client: AsyncTestClient[Litestar],
) -> None:
    token = _token("0190f1f5-0000-7000-8000-000000000000", datetime.now(UTC), timedelta(hours=1))

    _assert_generic_401(await client.get("/api/me", headers=_bearer(token)))


async def test_non_bearer_scheme_is_rejected(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/api/me", headers={"Authorization": "Basic YTpi"})

    _assert_generic_401(response)


def test_payload_is_json_for_reference() -> None:
    # Guards the helper: tokens built here are what PyJWT would issue.
    token = _token("x", datetime.now(UTC), timedelta(minutes=1))
    payload = token.split(".")[1]
    assert json.loads(base64.urlsafe_b64decode(payload + "==")).get("typ") == "access"

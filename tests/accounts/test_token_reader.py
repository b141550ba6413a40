"""The per-app access-token reader: verified once, the clock checked on every read."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from concurso_coach.accounts import tokens
from concurso_coach.accounts.tokens import AccessTokenReader, InvalidTokenError, issue_access_token

KEY = "reader-test-key-that-is-long-enough-for-hs256"


class FakeClock:
    def __init__(self) -> None:
        self.now = time.time()

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(tokens, "time", fake)
    return fake


def test_a_remembered_token_is_refused_once_it_expires(clock: FakeClock) -> None:
    account_id = uuid.uuid4()
    reader = AccessTokenReader(KEY, leeway_seconds=30)
    token = issue_access_token(account_id, KEY, ttl_seconds=60)
    assert reader.read(token) == account_id

    clock.now += 60 + 31

    with pytest.raises(InvalidTokenError):
        reader.read(token)


def test_a_remembered_token_still_counts_within_the_leeway_after_expiry(clock: FakeClock) -> None:
    account_id = uuid.uuid4()
    reader = AccessTokenReader(KEY, leeway_seconds=30)
    token = issue_access_token(account_id, KEY, ttl_seconds=60)
    reader.read(token)

    clock.now += 60 + 20

    assert reader.read(token) == account_id


def test_a_forged_token_is_refused_on_every_read() -> None:
    reader = AccessTokenReader(KEY, leeway_seconds=30)
    forged = issue_access_token(uuid.uuid4(), "another-key-that-is-long-enough-for-hs256", 60)

    for _ in range(2):
        with pytest.raises(InvalidTokenError):
            reader.read(forged)


def test_a_token_issued_beyond_the_leeway_in_the_future_is_refused() -> None:
    reader = AccessTokenReader(KEY, leeway_seconds=30)
    issued = datetime.now(UTC) + timedelta(minutes=5)
    claims = {
        "sub": str(uuid.uuid4()),
        "iat": int(issued.timestamp()),
        "exp": int((issued + timedelta(minutes=15)).timestamp()),
        "typ": "access",
    }

    with pytest.raises(InvalidTokenError):
        reader.read(jwt.encode(claims, KEY, algorithm="HS256"))


def test_tokens_beyond_the_capacity_are_still_read_correctly() -> None:
    reader = AccessTokenReader(KEY, leeway_seconds=30, capacity=2)
    accounts = [uuid.uuid4() for _ in range(3)]
    issued = [issue_access_token(account, KEY, 60) for account in accounts]

    read_back = [reader.read(token) for token in issued + issued]

    assert read_back == accounts + accounts

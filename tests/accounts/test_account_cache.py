"""The signed-in account cache: a near cache in the process over the shared store."""

from __future__ import annotations

import uuid

import pytest
from litestar.stores.memory import MemoryStore

from concurso_coach.accounts import account_cache
from concurso_coach.accounts.account_cache import AccountCache
from concurso_coach.accounts.schemas import CurrentAccount


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(account_cache, "time", fake)
    return fake


def _account(role: str = "candidate", account_id: uuid.UUID | None = None) -> CurrentAccount:
    return CurrentAccount(
        id=account_id or uuid.uuid4(), email="ana@example.com", display_name="Ana", role=role
    )


async def test_a_forgotten_account_is_a_miss_at_once(clock: FakeClock) -> None:
    cache = AccountCache(MemoryStore())
    account = _account()
    await cache.remember(account)

    await cache.forget(account.id)

    assert await cache.get(account.id) is None


async def test_another_replicas_change_shows_once_the_near_entry_expires(
    clock: FakeClock,
) -> None:
    shared = MemoryStore()
    here, there = AccountCache(shared), AccountCache(shared)
    candidate = _account("candidate")
    await here.remember(candidate)

    await there.forget(candidate.id)  # a role change served by the other replica
    await there.remember(_account("editor", candidate.id))
    within = await here.get(candidate.id)
    clock.now += account_cache.NEAR_TTL_SECONDS + 0.01
    after = await here.get(candidate.id)

    assert [within, after] == [candidate, _account("editor", candidate.id)]


async def test_an_account_read_from_the_shared_store_is_kept_near(clock: FakeClock) -> None:
    shared = MemoryStore()
    account = _account()
    await AccountCache(shared).remember(account)
    cache = AccountCache(shared)
    await cache.get(account.id)

    await shared.delete_all()

    assert await cache.get(account.id) == account

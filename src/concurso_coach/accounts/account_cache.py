"""The signed-in account, cached for the auth middleware.

Every authenticated request needs the caller's role; reading it from the
database cost a pool checkout, a ping and a query per request, and even the
shared cache costs a Redis round trip. So there are two layers:

- the shared store (Redis when configured), ``ACCOUNT_TTL_SECONDS``;
- a near cache in this process, ``NEAR_TTL_SECONDS``, in front of it.

Only accounts that exist are cached (an unknown id always goes to the
database). A role change or a sign-in forgets the account in both layers of
the process that served it, so there the new role holds from the next
request; another replica may answer with the old role for at most
``NEAR_TTL_SECONDS``. The shared lifetime bounds how long an account removed
behind the service's back keeps working.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import TYPE_CHECKING
from uuid import UUID

import msgspec

from concurso_coach.accounts.schemas import CurrentAccount

if TYPE_CHECKING:
    from litestar.stores.base import Store

ACCOUNT_TTL_SECONDS = 30
NEAR_TTL_SECONDS = 1.0
NEAR_CAPACITY = 10_000

_decoder = msgspec.json.Decoder(CurrentAccount)


def _key(account_id: UUID) -> str:
    return f"account:{account_id}"


class AccountCache:
    """Signed-in accounts by id: near cache over the shared store."""

    def __init__(
        self,
        store: Store,
        near_ttl_seconds: float = NEAR_TTL_SECONDS,
        near_capacity: int = NEAR_CAPACITY,
    ) -> None:
        self._store = store
        self._near_ttl = near_ttl_seconds
        self._near_capacity = near_capacity
        self._near: OrderedDict[UUID, tuple[float, CurrentAccount]] = OrderedDict()

    async def get(self, account_id: UUID) -> CurrentAccount | None:
        near = self._near.get(account_id)
        if near is not None and near[0] > time.monotonic():
            return near[1]

        raw = await self._store.get(_key(account_id))
        if raw is None:
            return None
        try:
            account = _decoder.decode(raw)
        except msgspec.DecodeError:
            # An entry written by an older release: treat it as a miss.
            return None
        self._keep_near(account)
        return account

    async def remember(self, account: CurrentAccount) -> None:
        await self._store.set(_key(account.id), msgspec.json.encode(account), ACCOUNT_TTL_SECONDS)
        self._keep_near(account)

    async def forget(self, account_id: UUID) -> None:
        self._near.pop(account_id, None)
        await self._store.delete(_key(account_id))

    def _keep_near(self, account: CurrentAccount) -> None:
        self._near[account.id] = (time.monotonic() + self._near_ttl, account)
        self._near.move_to_end(account.id)
        if len(self._near) > self._near_capacity:
            self._near.popitem(last=False)

"""The signed-in account, cached for the auth middleware.

Every authenticated request needs the caller's role; reading it from the
database cost a pool checkout, a ping and a query per request. Only accounts
that exist are cached (an unknown id always goes to the database), a role
change forgets its entry at once, and the short lifetime bounds how long an
account removed behind the service's back keeps working.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

import msgspec

from concurso_coach.accounts.schemas import CurrentAccount

if TYPE_CHECKING:
    from litestar.stores.base import Store

ACCOUNT_TTL_SECONDS = 30

_decoder = msgspec.json.Decoder(CurrentAccount)


def _key(account_id: UUID) -> str:
    return f"account:{account_id}"


async def cached_account(store: Store, account_id: UUID) -> CurrentAccount | None:
    raw = await store.get(_key(account_id))
    if raw is None:
        return None
    try:
        return _decoder.decode(raw)
    except msgspec.DecodeError:
        # An entry written by an older release: treat it as a miss.
        return None


async def remember_account(store: Store, account: CurrentAccount) -> None:
    await store.set(_key(account.id), msgspec.json.encode(account), ACCOUNT_TTL_SECONDS)


async def forget_account(store: Store, account_id: UUID) -> None:
    await store.delete(_key(account_id))

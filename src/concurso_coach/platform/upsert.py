"""Insert-if-absent on both backends, for rows that concurrent requests may create at once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_scoped_session

# What Advanced Alchemy repositories hold.
AnySession = AsyncSession | async_scoped_session[AsyncSession]


async def insert_if_absent(
    session: AnySession, table: Table, values: Mapping[str, Any], unique: Sequence[str]
) -> None:
    """Insert ``values`` unless a row with the same ``unique`` columns exists.

    Two first answers of a subject arrive together: both find no row and both
    insert. Without ON CONFLICT the loser's unique violation aborts its whole
    transaction; with it, PostgreSQL makes the loser wait for the winner's commit
    and then do nothing, so the caller can lock and read the row either way.
    """
    dialect = session.get_bind().dialect.name
    insert = postgres_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(table).values(dict(values)).on_conflict_do_nothing(index_elements=unique)
    await session.execute(statement)

"""Alembic environment: one transaction per run, serialised by an advisory lock.

Replicas that start together each run `coach database upgrade`; on PostgreSQL the
first one takes the lock and the others wait, then find nothing left to do.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, cast

from alembic import context
from sqlalchemy import pool, text
from sqlalchemy.ext.asyncio import create_async_engine

from concurso_coach.db.models import metadata

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

# A fixed 64-bit key that names "concurso-coach migrations" for pg_advisory_xact_lock.
MIGRATION_LOCK_KEY = 7_301_954_112_778_001

config: Any = context.config


def _configure(**kwargs: Any) -> None:
    context.configure(
        target_metadata=metadata,
        version_table=config.version_table_name,
        render_as_batch=True,
        compare_type=True,
        transaction_per_migration=False,
        **kwargs,
    )


def run_migrations_offline() -> None:
    _configure(url=config.db_url, literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def _run_locked(connection: Connection) -> None:
    _configure(connection=connection)
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
            )
        context.run_migrations()


async def run_migrations_online() -> None:
    # A private engine: the app's pool belongs to another event loop.
    engine = create_async_engine(cast(str, config.db_url), poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run_locked)
            await connection.commit()
    finally:
        await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    asyncio.run(run_migrations_online())

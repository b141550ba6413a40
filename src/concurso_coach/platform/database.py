"""SQLAlchemy configuration for PostgreSQL (psycopg 3) and the embedded SQLite file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import structlog
from advanced_alchemy.alembic.commands import AlembicCommands
from advanced_alchemy.extensions.litestar import (
    AlembicAsyncConfig,
    AsyncSessionConfig,
    EngineConfig,
    SQLAlchemyAsyncConfig,
)
from sqlalchemy import event
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.pool import ConnectionPoolEntry

from concurso_coach.settings import Settings

log = structlog.get_logger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "db" / "migrations"
VERSION_TABLE = "alembic_version"


def build_database_config(settings: Settings) -> SQLAlchemyAsyncConfig:
    """One config for the app, the CLI and the tests."""
    url = settings.sqlalchemy_url

    if settings.is_postgres:
        engine_config = EngineConfig(
            pool_pre_ping=True,
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow,
            pool_timeout=int(settings.db_pool_timeout),
            pool_recycle=1800,
            echo=settings.db_echo,
            connect_args={
                "connect_timeout": settings.db_connect_timeout,
                "application_name": "concurso-coach",
            },
        )
    else:
        _ensure_sqlite_folder(url)
        engine_config = EngineConfig(
            pool_pre_ping=True,
            echo=settings.db_echo,
            # SQLite serialises writers; waiting beats failing with "database is locked".
            connect_args={"timeout": 30},
        )

    return SQLAlchemyAsyncConfig(
        connection_string=url,
        engine_config=engine_config,
        session_config=AsyncSessionConfig(expire_on_commit=False),
        alembic_config=AlembicAsyncConfig(
            script_location=str(MIGRATIONS_DIR),
            version_table_name=VERSION_TABLE,
            render_as_batch=True,
        ),
        create_all=False,
        # Errors are mapped in one place: concurso_coach.platform.errors.
        set_default_exception_handler=False,
    )


def _ensure_sqlite_folder(url: str) -> None:
    path = url.split(":///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def install_sqlite_pragmas(config: SQLAlchemyAsyncConfig) -> None:
    """Foreign keys are off by default in SQLite; WAL lets readers run beside a writer."""
    engine = config.get_engine()
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
        cursor: Any = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def run_migrations(config: SQLAlchemyAsyncConfig, revision: str = "head") -> None:
    """Upgrade the schema (blocking; call from a worker thread inside an event loop)."""
    AlembicCommands(sqlalchemy_config=config).upgrade(revision=revision)


async def migrate_in_thread(config: SQLAlchemyAsyncConfig) -> None:
    """Run migrations without blocking the loop; env.py runs its own loop in the thread."""
    log.info("migrations_starting", dialect=config.get_engine().dialect.name)
    await anyio.to_thread.run_sync(run_migrations, config)
    log.info("migrations_done")

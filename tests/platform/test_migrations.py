from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from advanced_alchemy.alembic.commands import AlembicCommands

from concurso_coach.db.models import metadata
from concurso_coach.platform.database import VERSION_TABLE, build_database_config
from concurso_coach.settings import Settings
from tests.support import DEFAULT_TEST_DATABASE_URL, in_ci, postgres_dsn


@pytest.fixture
def scratch_database_url() -> Iterator[str]:
    """A database of its own, so schema churn never touches the shared test schema."""
    base = os.environ.get("COACH_TEST_DATABASE_URL", DEFAULT_TEST_DATABASE_URL)
    name = base.rsplit("/", 1)[1] + "_migrations"
    admin_dsn = postgres_dsn(base)
    try:
        with psycopg.connect(admin_dsn, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]
            conn.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
    except psycopg.OperationalError as exc:
        if in_ci():
            pytest.fail(f"PostgreSQL is required in CI: {exc}")
        pytest.skip(f"PostgreSQL does not answer: {type(exc).__name__}")

    yield base.rsplit("/", 1)[0] + "/" + name

    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]


def _tables(database_url: str) -> set[str]:
    with psycopg.connect(postgres_dsn(database_url)) as conn:
        rows = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        ).fetchall()
    return {row[0] for row in rows}


def _settings(database_url: str) -> Settings:
    return Settings(_env_file=None, database_url=database_url)  # type: ignore[call-arg]


def test_upgrade_downgrade_upgrade_round_trips_on_postgres(scratch_database_url: str) -> None:
    config = build_database_config(_settings(scratch_database_url))
    commands = AlembicCommands(sqlalchemy_config=config)
    expected = {table.name for table in metadata.sorted_tables} | {VERSION_TABLE}

    commands.upgrade("head")
    after_first = _tables(scratch_database_url)
    commands.downgrade("base")
    after_downgrade = _tables(scratch_database_url)
    commands.upgrade("head")
    after_second = _tables(scratch_database_url)

    assert after_first == expected
    assert after_downgrade == {VERSION_TABLE}
    assert after_second == expected


def test_replicas_migrating_together_do_not_collide(
    scratch_database_url: str, tmp_path: Path
) -> None:
    # Separate processes, like replicas: Alembic's context is not thread-safe.
    env = {**os.environ, "DATABASE_URL": scratch_database_url, "LOG_FORMAT": "json"}
    command = [sys.executable, "-m", "concurso_coach", "database", "upgrade", "--no-prompt"]
    replicas = [
        subprocess.Popen(
            command, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        for _ in range(3)
    ]

    outputs = [replica.communicate(timeout=120)[0].decode() for replica in replicas]

    assert [replica.returncode for replica in replicas] == [0, 0, 0], outputs
    expected = {table.name for table in metadata.sorted_tables} | {VERSION_TABLE}
    assert _tables(scratch_database_url) == expected

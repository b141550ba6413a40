"""The benchmark's own PostgreSQL database and Redis db: made fresh, dropped after."""

from __future__ import annotations

import os
import subprocess
import sys

import psycopg
import redis
from psycopg import sql


class BenchSetupError(Exception):
    """Something the benchmark needs is missing; the message says how to fix it."""


def recreate_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def migrate(env: dict[str, str]) -> None:
    """Run the project's own migration command, as an operator would."""
    completed = subprocess.run(
        [sys.executable, "-m", "concurso_coach", "database", "upgrade", "--no-prompt"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise BenchSetupError(
            "migrations failed:\n" + completed.stdout[-2000:] + completed.stderr[-2000:]
        )


def flush_redis(url: str) -> None:
    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    finally:
        client.close()


def service_settings(database_url: str, redis_url: str) -> dict[str, str]:
    """The service's settings for the benchmark: production-like, quiet, unthrottled."""
    return {
        "ENVIRONMENT": "production",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": "bench-secret-key-bench-secret-key-bench-secret-key",
        "ACCESS_LOG": "false",
        "LOG_LEVEL": "WARNING",
        "LOG_FORMAT": "json",
        # The same concurrency as wrk's connections and the driver pool.
        "DB_POOL_SIZE": "32",
        "DB_MAX_OVERFLOW": "0",
        "DB_ECHO": "false",
        "DB_MIGRATE_ON_STARTUP": "false",
        # Sign-ins happen only while seeding; the production limits would stop it.
        "LOGIN_RATE_LIMIT": "1000000/minute",
        "REGISTER_RATE_LIMIT": "1000000/minute",
        "PASSWORD_HASH_PROFILE": "fast",
        "ACCESS_TOKEN_TTL_SECONDS": "7200",
    }


def process_environment(settings: dict[str, str]) -> dict[str, str]:
    """This process's environment with the service's settings laid over it."""
    env = {key: value for key, value in os.environ.items() if key not in settings}
    env.update(settings)
    return env

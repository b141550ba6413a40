"""Every test that asks for `client` or `settings` runs on both backends.

- `postgres`: the real PostgreSQL and Redis at COACH_TEST_DATABASE_URL and
  COACH_TEST_REDIS_URL. Missing servers fail the run in CI and skip (with the
  reason shown) elsewhere, so a laptop with only Python can still run the suite.
- `embedded`: SQLite in a temporary folder and in-memory stores.

The schema is built by running the migrations once per backend; each test then
starts from empty tables (a fresh copy of the SQLite file, or TRUNCATE).
"""

from __future__ import annotations

import inspect
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import psycopg
import pytest
import redis
from litestar import Litestar
from litestar.testing import AsyncTestClient

from concurso_coach.accounts.schemas import Role
from concurso_coach.accounts.services import create_account_standalone
from concurso_coach.app import create_app
from concurso_coach.db.models import metadata
from concurso_coach.platform.database import VERSION_TABLE, build_database_config, run_migrations
from concurso_coach.settings import Settings
from tests.support import (
    DEFAULT_TEST_DATABASE_URL,
    DEFAULT_TEST_REDIS_URL,
    Backend,
    in_ci,
    postgres_dsn,
)

TEST_SECRET = "test-secret-key-that-is-long-enough-for-hs256-signing"


def _selected_backends() -> list[str]:
    raw = os.environ.get("COACH_TEST_BACKENDS", "embedded,postgres")
    return [name.strip() for name in raw.split(",") if name.strip()]


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makeitem(collector: pytest.Collector, name: str, obj: object) -> None:
    # Every coroutine test runs under anyio; marking before anyio's own hook sees it.
    if name.startswith("test") and inspect.iscoroutinefunction(obj):
        pytest.mark.anyio(obj)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # A test about the real PostgreSQL or Redis (losing them, Redis round trips) has
    # nothing to say on the embedded default: not generated there, rather than skipped.
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_embedded = callspec is not None and callspec.params.get("backend") == "embedded"
        if on_embedded and item.get_closest_marker("postgres_only"):
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


def _unavailable(reason: str) -> None:
    if in_ci():
        pytest.fail(f"CI requires this service: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session", params=_selected_backends())
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Backend:
    name: str = request.param
    if name == "embedded":
        folder = tmp_path_factory.mktemp("embedded")
        template = folder / "template.db"
        chosen = Backend("embedded", f"sqlite+aiosqlite:///{template}", None)
        _migrate(chosen)
        return chosen

    database_url = os.environ.get("COACH_TEST_DATABASE_URL", DEFAULT_TEST_DATABASE_URL)
    redis_url = os.environ.get("COACH_TEST_REDIS_URL", DEFAULT_TEST_REDIS_URL)
    try:
        with psycopg.connect(postgres_dsn(database_url), connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        _unavailable(f"PostgreSQL at {database_url} does not answer ({type(exc).__name__})")
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        _unavailable(f"Redis at {redis_url} does not answer ({type(exc).__name__})")

    chosen = Backend("postgres", database_url, redis_url)
    reset_postgres_schema(database_url)
    _migrate(chosen)
    return chosen


def reset_postgres_schema(database_url: str) -> None:
    with psycopg.connect(postgres_dsn(database_url), autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")


def _migrate(chosen: Backend) -> None:
    settings = Settings(database_url=chosen.database_url, _env_file=None)  # type: ignore[call-arg]
    run_migrations(build_database_config(settings))


def _truncate_all(database_url: str) -> None:
    tables = [t.name for t in metadata.sorted_tables if t.name != VERSION_TABLE]
    if not tables:
        return
    quoted = ", ".join(f'"{name}"' for name in tables)
    with psycopg.connect(postgres_dsn(database_url), autocommit=True) as conn:
        conn.execute(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")  # type: ignore[arg-type]


@pytest.fixture
def settings(backend: Backend, tmp_path: Path) -> Settings:
    """Settings for one test, on fresh data."""
    if backend.is_postgres:
        _truncate_all(backend.database_url)
        assert backend.redis_url is not None
        redis.Redis.from_url(backend.redis_url).flushdb()
        database_url = backend.database_url
    else:
        template = Path(backend.database_url.split(":///", 1)[1])
        copy = tmp_path / "coach.db"
        shutil.copyfile(template, copy)
        database_url = f"sqlite+aiosqlite:///{copy}"

    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        environment="test",
        database_url=database_url,
        redis_url=backend.redis_url,
        coach_data_dir=tmp_path,
        secret_key=TEST_SECRET,
        log_format="console",
        db_migrate_on_startup=False,
        db_pool_size=5,
        password_hash_profile="fast",
        # Hundreds of apps in one process: frozen objects would pile up across tests.
        gc_tuning=False,
    )


@pytest.fixture
def app(settings: Settings) -> Litestar:
    return create_app(settings)


@pytest.fixture
async def client(app: Litestar, backend: Backend) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=app) as test_client:
        yield test_client


TEST_PASSWORD = "correct-horse-battery-staple"


async def sign_in_as(
    client: AsyncTestClient[Litestar], settings: Settings, email: str, role: Role
) -> dict[str, str]:
    """Create an account with `role` and return the Authorization header of a fresh login."""
    await create_account_standalone(settings, email, TEST_PASSWORD, email.split("@")[0], role)
    response = await client.post(
        "/api/auth/login", json={"email": email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture
async def candidate_headers(
    client: AsyncTestClient[Litestar], settings: Settings
) -> dict[str, str]:
    return await sign_in_as(client, settings, "ana@example.com", "candidate")


@pytest.fixture
async def other_candidate_headers(
    client: AsyncTestClient[Litestar], settings: Settings
) -> dict[str, str]:
    return await sign_in_as(client, settings, "bruno@example.com", "candidate")


@pytest.fixture
async def editor_headers(client: AsyncTestClient[Litestar], settings: Settings) -> dict[str, str]:
    return await sign_in_as(client, settings, "edna@example.com", "editor")


@pytest.fixture
async def admin_headers(client: AsyncTestClient[Litestar], settings: Settings) -> dict[str, str]:
    return await sign_in_as(client, settings, "adm@example.com", "admin")

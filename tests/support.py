"""Test helpers shared by every feature's tests (not fixtures: plain functions)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TEST_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEFAULT_TEST_REDIS_URL = "redis://127.0.0.1:6379/15"


def postgres_dsn(url: str) -> str:
    """The libpq form of a SQLAlchemy psycopg URL."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


@dataclass(frozen=True)
class Backend:
    name: str
    database_url: str
    redis_url: str | None

    @property
    def is_postgres(self) -> bool:
        return self.name == "postgres"


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def _origin_checkout() -> Path | None:
    """The local repository this clone was made from, when it was cloned from a path."""
    try:
        url = subprocess.run(
            ["git", "-C", str(REPO_ROOT), "config", "--get", "remote.origin.url"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    url = url.removeprefix("file://")
    return Path(url) if url.startswith("/") else None


def shared_data_dir() -> Path:
    """The read-only real inputs beside the repository (never copied into it).

    `COACH_SHARED_DATA` wins. Otherwise `../shared/data` next to this checkout or, for a
    throwaway clone (CI clones main into a temporary folder), next to the checkout it
    was cloned from.
    """
    configured = os.environ.get("COACH_SHARED_DATA")
    if configured:
        return Path(configured)

    beside_clone = REPO_ROOT.parent / "shared" / "data"
    origin = _origin_checkout()
    if beside_clone.is_dir() or origin is None:
        return beside_clone
    return origin.parent / "shared" / "data"


def require_shared_data(relative: str) -> Path:
    """The path of a real input file; fails in CI and skips elsewhere when it is missing."""
    path = shared_data_dir() / relative
    if not path.is_file():
        reason = f"real input {path} is missing (set COACH_SHARED_DATA to its folder)"
        if in_ci():
            pytest.fail(reason)
        pytest.skip(reason)
    return path


class TcpProxy:
    """A loopback TCP proxy that tests can cut and restore, to simulate an outage.

    It runs its own event loop in a thread, so it keeps pumping bytes whichever
    loop the app under test is served from.
    """

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(self._start(), self._loop))

    async def stop(self) -> None:
        """Refuse new connections and reset the open ones, like a crashed server."""
        await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(self._stop(), self._loop))

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(timeout=5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    async def _start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _stop(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self._writers.update({writer, up_writer})
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))

    async def _pipe(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, asyncio.CancelledError):
            while data := await source.read(65536):
                sink.write(data)
                await sink.drain()
        sink.transport.abort()
        self._writers.discard(sink)

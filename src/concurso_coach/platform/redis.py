"""The app's Redis client and stores that degrade instead of failing."""

from __future__ import annotations

from datetime import timedelta

import structlog
from litestar.stores.base import NamespacedStore, Store
from litestar.stores.memory import MemoryStore
from litestar.stores.redis import RedisStore
from redis.asyncio import Redis
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

log = structlog.get_logger(__name__)

REDIS_OUTAGE_ERRORS = (RedisConnectionError, RedisTimeoutError, OSError)


def create_redis_client(url: str, timeout: float = 2.0) -> Redis:
    """One client for the app's lifetime; short timeouts so an outage fails fast.

    redis-py reconnects on the next command after an outage, so no restart is needed.
    """
    return Redis.from_url(
        url,
        socket_connect_timeout=timeout,
        socket_timeout=timeout,
        health_check_interval=15,
        retry=Retry(NoBackoff(), retries=1),
    )


class DegradingStore(Store):
    """A cache store over Redis that behaves as an empty cache while Redis is down.

    A cache miss is always a correct answer, so an outage costs speed, never a 500.
    """

    def __init__(self, inner: Store, name: str) -> None:
        self._inner = inner
        self._name = name

    async def set(
        self, key: str, value: str | bytes, expires_in: int | timedelta | None = None
    ) -> None:
        try:
            await self._inner.set(key, value, expires_in)
        except REDIS_OUTAGE_ERRORS as exc:
            log.warning("cache_unavailable", store=self._name, op="set", error=type(exc).__name__)

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        try:
            return await self._inner.get(key, renew_for)
        except REDIS_OUTAGE_ERRORS as exc:
            log.warning("cache_unavailable", store=self._name, op="get", error=type(exc).__name__)
            return None

    async def delete(self, key: str) -> None:
        try:
            await self._inner.delete(key)
        except REDIS_OUTAGE_ERRORS as exc:
            log.warning(
                "cache_unavailable", store=self._name, op="delete", error=type(exc).__name__
            )

    async def delete_all(self) -> None:
        try:
            await self._inner.delete_all()
        except REDIS_OUTAGE_ERRORS as exc:
            log.warning("cache_unavailable", store=self._name, op="clear", error=type(exc).__name__)

    async def exists(self, key: str) -> bool:
        return await self.get(key) is not None

    async def expires_in(self, key: str) -> int | None:
        try:
            return await self._inner.expires_in(key)
        except REDIS_OUTAGE_ERRORS:
            return None


def build_store(redis: Redis | None, namespace: str) -> Store:
    """A Redis store when Redis is configured, an in-process one otherwise."""
    if redis is None:
        return MemoryStore()
    inner: NamespacedStore = RedisStore(redis, namespace=f"coach:{namespace}")
    return DegradingStore(inner, namespace)

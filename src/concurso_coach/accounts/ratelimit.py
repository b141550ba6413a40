"""Attempt limits for sign-in and registration, in Redis with an in-process fallback."""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import structlog
from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from litestar.datastructures import State
from redis.asyncio import Redis
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

from concurso_coach.platform.errors import RateLimitedError

log = structlog.get_logger(__name__)

T = TypeVar("T")

KEY_PREFIX = "coach:ratelimit"
_OUTAGE_ERRORS = (RedisError, StorageError, OSError)


def parse_limit(text: str) -> RateLimitItem:
    """A limit such as "5/minute"; raises ValueError for text `limits` cannot read."""
    return parse(text)


def limit_key(action: str, kind: str, value: str) -> str:
    # Emails are hashed so that the limiter's keys do not hold personal data.
    digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"{action}:{kind}:{digest}"


class AttemptLimiter:
    """Moving-window limits shared through Redis when it is configured and up.

    A Redis outage must not lock people out, so each failed call is answered by an
    in-process limiter instead: limits then hold per replica until Redis is back.
    """

    def __init__(self, redis: Redis | None) -> None:
        self._memory = MovingWindowRateLimiter(MemoryStorage())
        self._shared: MovingWindowRateLimiter | None = None
        self._degraded = False
        if redis is not None:
            storage = RedisStorage(
                "async+redis://",
                implementation="redispy",
                key_prefix=KEY_PREFIX,
                connection_pool=redis.connection_pool,  # type: ignore[arg-type]
                retry=Retry(NoBackoff(), retries=0),  # type: ignore[arg-type]
            )
            self._shared = MovingWindowRateLimiter(storage)

    async def _call(self, action: Callable[[MovingWindowRateLimiter], Awaitable[T]]) -> T:
        if self._shared is None:
            return await action(self._memory)

        try:
            result = await action(self._shared)
        except _OUTAGE_ERRORS as exc:
            if not self._degraded:
                self._degraded = True
                log.warning(
                    "rate_limiter_degraded", fallback="in-process", error=type(exc).__name__
                )
            return await action(self._memory)

        if self._degraded:
            self._degraded = False
            log.info("rate_limiter_recovered")
        return result

    async def ensure_allowed(self, limit: RateLimitItem, *keys: str) -> None:
        """Raise RateLimitedError (with Retry-After) when any key has used its budget."""
        for key in keys:
            if await self._call(lambda limiter, key=key: limiter.test(limit, key)):  # type: ignore[misc]
                continue
            stats = await self._call(
                lambda limiter, key=key: limiter.get_window_stats(limit, key)  # type: ignore[misc]
            )
            retry_after = max(1, math.ceil(stats.reset_time - time.time()))
            log.info("rate_limited", key=key.split(":", 2)[0], retry_after=retry_after)
            raise RateLimitedError(retry_after)

    async def record(self, limit: RateLimitItem, *keys: str) -> None:
        for key in keys:
            await self._call(lambda limiter, key=key: limiter.hit(limit, key))  # type: ignore[misc]


def provide_attempt_limiter(state: State) -> AttemptLimiter:
    """One limiter per app, built on first use inside the app's event loop."""
    limiter: AttemptLimiter | None = state.get("attempt_limiter")
    if limiter is None:
        limiter = AttemptLimiter(state.get("redis"))
        state.attempt_limiter = limiter
    return limiter

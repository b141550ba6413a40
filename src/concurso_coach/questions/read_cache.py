"""Question reads cached in Redis, checked against a question-bank generation.

A question's read depends on its own row and on the catalogue (the board's
acronym; exam, subject and topic links that deletes set to NULL). Rather than
track every such path per question, each committed write to the bank or the
catalogue bumps one generation counter, and an entry counts only while it
carries the current generation. The counter and the entry come back in one
MGET; a reader takes the generation before reading the database, so a write
that commits meanwhile leaves the entry it stores already out of date.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

import msgspec
import structlog

from concurso_coach.platform.redis import REDIS_OUTAGE_ERRORS
from concurso_coach.questions.schemas import QuestionRead

if TYPE_CHECKING:
    from redis.asyncio import Redis
    from sqlalchemy.ext.asyncio import AsyncSession

log = structlog.get_logger(__name__)

SESSION_INFO_KEY = "question_reads"
# A safety net for writes made outside the app (the CLI, plain SQL).
ENTRY_TTL_SECONDS = 300
_GENERATION_KEY = "coach:questions:generation"


class _Entry(msgspec.Struct, array_like=True):
    generation: int
    read: QuestionRead


_decoder = msgspec.json.Decoder(_Entry)


class QuestionReadCache:
    """Editor views of single questions (the answer key included) by id."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def get(self, question_id: UUID) -> tuple[QuestionRead | None, int | None]:
        """The cached read if current, and the generation to store a fresh read under."""
        try:
            generation, raw = await self._redis.mget(_GENERATION_KEY, _key(question_id))
        except REDIS_OUTAGE_ERRORS as exc:
            log.warning("cache_unavailable", store="question_reads", error=type(exc).__name__)
            return None, None
        current = int(generation or 0)
        if raw is None:
            return None, current
        try:
            entry = _decoder.decode(raw)
        except msgspec.DecodeError:
            return None, current
        return (entry.read if entry.generation == current else None), current

    async def put(self, read: QuestionRead, generation: int) -> None:
        value = msgspec.json.encode(_Entry(generation, read))
        try:
            await self._redis.set(_key(read.id), value, ex=ENTRY_TTL_SECONDS)
        except REDIS_OUTAGE_ERRORS as exc:
            log.warning("cache_unavailable", store="question_reads", error=type(exc).__name__)

    async def invalidate_all(self) -> None:
        try:
            await self._redis.incr(_GENERATION_KEY)
        except REDIS_OUTAGE_ERRORS as exc:
            # Entries then live out their TTL; say so loudly.
            log.error("question_reads_not_invalidated", error=type(exc).__name__)


def _key(question_id: UUID) -> str:
    return f"coach:questions:read:{question_id}"


async def question_bank_changed(session: AsyncSession) -> None:
    """Call after a commit that changed questions or the catalogue they link to."""
    cache: Any = session.info.get(SESSION_INFO_KEY)
    if isinstance(cache, QuestionReadCache):
        await cache.invalidate_all()

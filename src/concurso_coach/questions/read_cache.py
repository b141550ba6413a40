"""Question reads and list totals cached in Redis, checked against a bank generation.

A question's read depends on its own row and on the catalogue (the board's
acronym; exam, subject and topic links that deletes set to NULL). Rather than
track every such path per question, each committed write to the bank or the
catalogue bumps one generation counter, and an entry counts only while it
carries the current generation. The counter and the entry come back in one
MGET; a reader takes the generation before reading the database, so a write
that commits meanwhile leaves the entry it stores already out of date.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar
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


class _Total(msgspec.Struct, array_like=True):
    generation: int
    total: int


class _Boards(msgspec.Struct, array_like=True):
    generation: int
    by_acronym: dict[str, UUID]


class ListLookup(NamedTuple):
    """What the cache knows of one list request; ``generation`` None: store nothing."""

    generation: int | None
    total: int | None
    boards: dict[str, UUID] | None


_decoder = msgspec.json.Decoder(_Entry)
_total_decoder = msgspec.json.Decoder(_Total)
_boards_decoder = msgspec.json.Decoder(_Boards)
_BOARDS_KEY = "coach:questions:boards"


class QuestionReadCache:
    """Editor views of single questions by id (the answer key included), list totals and
    the board acronyms lists filter by."""

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

    async def lookup_list(self, list_key: object) -> ListLookup:
        """The cached total of a list and the boards by folded acronym, in one round trip.

        ``list_key`` is any msgspec-encodable description of the list request.
        """
        try:
            generation, raw_total, raw_boards = await self._redis.mget(
                _GENERATION_KEY, _total_key(list_key), _BOARDS_KEY
            )
        except REDIS_OUTAGE_ERRORS as exc:
            log.warning("cache_unavailable", store="question_lists", error=type(exc).__name__)
            return ListLookup(None, None, None)

        current = int(generation or 0)
        total = _current(_total_decoder, raw_total, current)
        boards = _current(_boards_decoder, raw_boards, current)
        return ListLookup(
            current,
            total.total if total is not None else None,
            boards.by_acronym if boards is not None else None,
        )

    async def put_total(self, list_key: object, total: int, generation: int) -> None:
        await self._set(_total_key(list_key), _Total(generation, total))

    async def put_boards(self, by_acronym: dict[str, UUID], generation: int) -> None:
        await self._set(_BOARDS_KEY, _Boards(generation, by_acronym))

    async def _set(self, key: str, entry: msgspec.Struct) -> None:
        try:
            await self._redis.set(key, msgspec.json.encode(entry), ex=ENTRY_TTL_SECONDS)
        except REDIS_OUTAGE_ERRORS as exc:
            log.warning("cache_unavailable", store="question_lists", error=type(exc).__name__)

    async def invalidate_all(self) -> None:
        try:
            await self._redis.incr(_GENERATION_KEY)
        except REDIS_OUTAGE_ERRORS as exc:
            # Entries then live out their TTL; say so loudly.
            log.error("question_reads_not_invalidated", error=type(exc).__name__)


EntryT = TypeVar("EntryT", _Total, _Boards)


def _current(
    decoder: msgspec.json.Decoder[EntryT], raw: bytes | str | None, generation: int
) -> EntryT | None:
    if raw is None:
        return None
    try:
        entry = decoder.decode(raw)
    except msgspec.DecodeError:
        return None
    return entry if entry.generation == generation else None


def _key(question_id: UUID) -> str:
    return f"coach:questions:read:{question_id}"


def _total_key(filters: object) -> str:
    # A digest keeps keys short whatever the search text; the filters are ours, not secret.
    digest = hashlib.blake2b(msgspec.json.encode(filters), digest_size=16).hexdigest()
    return f"coach:questions:total:{digest}"


async def question_bank_changed(session: AsyncSession) -> None:
    """Call after a commit that changed questions or the catalogue they link to."""
    cache: Any = session.info.get(SESSION_INFO_KEY)
    if isinstance(cache, QuestionReadCache):
        await cache.invalidate_all()

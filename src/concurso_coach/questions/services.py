"""Question bank rules: imports, listing and search, editor CRUD.

Other features call `QuestionService` (never the repositories): practice
uses `get_keys` to score attempts and `list_ids_for_subject` to draw mock
exams.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from collections.abc import Awaitable, Callable, Sequence
from typing import IO, Any
from uuid import UUID

import msgspec
import structlog
from advanced_alchemy.exceptions import DuplicateKeyError, IntegrityError
from msgspec import UNSET
from sqlalchemy import exc as sa_exc
from sqlalchemy import text
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession
from uuid_utils.compat import uuid7

from concurso_coach.catalogue.models import ScoringRule
from concurso_coach.catalogue.schemas import BoardCreate, BoardSummary
from concurso_coach.catalogue.services import CatalogueService
from concurso_coach.platform.database import build_database_config, install_sqlite_pragmas
from concurso_coach.platform.errors import (
    ConflictError,
    InvalidField,
    NotFoundError,
    UnprocessableError,
    backing_service_down,
)
from concurso_coach.platform.pagination import Page
from concurso_coach.platform.redis import create_redis_client
from concurso_coach.platform.session_bound import SessionBound
from concurso_coach.questions.fields import MAX_LABEL_CHARS
from concurso_coach.questions.importers import PARSERS, ImportFormat
from concurso_coach.questions.importers.base import (
    ItemProblem,
    Option,
    ParsedQuestion,
    QuestionKind,
    check_question,
)
from concurso_coach.questions.models import Question, QuestionUpload
from concurso_coach.questions.read_cache import (
    SESSION_INFO_KEY,
    ListLookup,
    QuestionReadCache,
    question_bank_changed,
)
from concurso_coach.questions.repositories import (
    QuestionFilters,
    QuestionRepository,
    QuestionUploadRepository,
)
from concurso_coach.questions.schemas import (
    ImportProblem,
    ImportReport,
    OptionRead,
    QuestionCreate,
    QuestionKey,
    QuestionRead,
    QuestionUpdate,
)
from concurso_coach.questions.search import fold, search_document
from concurso_coach.settings import Settings

log = structlog.get_logger(__name__)

ProgressCallback = Callable[[int, int], Awaitable[None]]

IMPORT_BATCH_SIZE = 500
# An import adding this many rows refreshes the planner's statistics (PostgreSQL).
ANALYZE_AFTER_INSERTED = 1000
MISSING_LINK = "A linked board, exam, subject or topic does not exist."
MAX_REPORTED_PROBLEMS = 200

# Boards the real data sets name, created on first import when missing.
KNOWN_BOARDS: dict[str, tuple[str, ScoringRule]] = {
    "cebraspe": (
        "Centro Brasileiro de Pesquisa em Avaliação e Seleção e de Promoção de Eventos",
        ScoringRule.TRUE_FALSE_PENALISED,
    ),
    "fgv": ("Fundação Getulio Vargas", ScoringRule.MULTIPLE_CHOICE),
    "inep": (
        "Instituto Nacional de Estudos e Pesquisas Educacionais Anísio Teixeira",
        ScoringRule.MULTIPLE_CHOICE,
    ),
}


class QuestionService:
    """The question bank over one session; writes commit explicitly."""

    questions = SessionBound(QuestionRepository)
    catalogue = SessionBound(CatalogueService)

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._boards: dict[str, UUID] | None = None
        cache = session.info.get(SESSION_INFO_KEY)
        self.read_cache = cache if isinstance(cache, QuestionReadCache) else None

    # Import

    async def import_stream(
        self,
        stream: IO[bytes],
        import_format: ImportFormat,
        *,
        total_bytes: int = 0,
        on_progress: ProgressCallback | None = None,
    ) -> ImportReport:
        """Import every good item of ``stream``; bad items become problems.

        Items go in batches of ``IMPORT_BATCH_SIZE``, each committed on its own:
        an interrupted import is simply run again, since known items are skipped.
        """
        report = ImportReport(format=import_format.value)
        batch: list[ParsedQuestion] = []

        for item in PARSERS[import_format](stream):
            report.read += 1
            if isinstance(item, ItemProblem):
                _record_problem(report, item)
                continue

            batch.append(item)
            if len(batch) >= IMPORT_BATCH_SIZE:
                await self._store_batch(batch, report)
                batch = []
                if on_progress is not None:
                    await on_progress(_position(stream), total_bytes)

        await self._store_batch(batch, report)
        await self._refresh_statistics(report)
        if on_progress is not None:
            await on_progress(total_bytes, total_bytes)

        log.info(
            "questions_imported",
            format=import_format.value,
            read=report.read,
            inserted=report.inserted,
            already_present=report.already_present,
            problems=report.problem_count,
        )
        return report

    async def _refresh_statistics(self, report: ImportReport) -> None:
        # Searches are planned on the table's statistics; after a large import, stale
        # ones (autovacuum may be off or behind) pick scans over the GIN index.
        if report.inserted < ANALYZE_AFTER_INSERTED:
            return
        if self.session.get_bind().dialect.name != "postgresql":
            return
        await self.session.execute(text("ANALYZE questions"))
        await self.session.commit()

    async def _store_batch(self, batch: list[ParsedQuestion], report: ImportReport) -> None:
        if not batch:
            return
        now = dt.datetime.now(dt.UTC)
        rows = []
        for question in batch:
            board_id = await self._board_id(question.board, question.kind)
            rows.append(_row(question, board_id, now))

        inserted = set(await self.questions.insert_new(rows))
        await self.session.commit()
        if inserted:
            # New rows change every cached list total.
            await question_bank_changed(self.session)

        report.inserted += len(inserted)
        report.already_present += len(rows) - len(inserted)
        report.voided_inserted += sum(row["voided"] for row in rows if row["id"] in inserted)

    async def _board_id(self, name: str | None, kind: QuestionKind) -> UUID | None:
        """The catalogue board of that acronym (case-insensitive), created when missing."""
        if name is None:
            return None
        boards = await self._known_boards()
        key = fold(name)
        if key in boards:
            return boards[key]

        full_name, rule = KNOWN_BOARDS.get(key, (name, _default_rule(kind)))
        created = await self.catalogue.create_board(
            BoardCreate(name=full_name, acronym=name, default_scoring_rule=rule)
        )
        boards[key] = created.id
        log.info("board_created_by_import", acronym=name)
        return created.id

    async def _known_boards(self) -> dict[str, UUID]:
        if self._boards is None:
            acronyms = await self.catalogue.board_acronyms()
            self._boards = {fold(acronym): board_id for board_id, acronym in acronyms}
        return self._boards

    # Reading

    async def list_questions(
        self,
        filters: QuestionFilters,
        limit: int,
        offset: int,
        *,
        board: str | None = None,
        subject: str | None = None,
        with_keys: bool = False,
    ) -> Page[QuestionRead]:
        """A page of questions; ``board`` is an acronym, ``subject`` a free subject name.

        With Redis, the total and the boards by acronym come from the cache while the
        bank is unchanged: the count is the costly half of a search (it visits every
        match, where the page stops at twenty), and it is the same on every page.
        """
        folded_board = fold(board) if board is not None else None
        if subject is not None:
            filters = dataclasses.replace(filters, subject_key=fold(subject.strip()))
        list_key = (filters, folded_board)
        cached = await self._lookup_list(list_key)

        if folded_board is not None:
            boards = cached.boards
            if boards is None:
                boards = await self._known_boards()
                await self._cache_boards(boards, cached.generation)
            board_id = boards.get(folded_board)
            ids = [board_id] if board_id is not None else []
            if filters.board_ids is not None:
                ids = [i for i in ids if i in filters.board_ids]
            filters = dataclasses.replace(filters, board_ids=ids)

        rows = await self.questions.list_page(filters, limit, offset)
        total = cached.total
        if total is None:
            total = await self.questions.count_matches(filters)
            if self.read_cache is not None and cached.generation is not None:
                await self.read_cache.put_total(list_key, total, cached.generation)

        items = [_question_read(row, with_keys) for row in rows]
        return Page(items, total, limit, offset)

    async def _lookup_list(self, list_key: object) -> ListLookup:
        if self.read_cache is None:
            return ListLookup(None, None, None)
        return await self.read_cache.lookup_list(list_key)

    async def _cache_boards(self, boards: dict[str, UUID], generation: int | None) -> None:
        if self.read_cache is not None and generation is not None:
            await self.read_cache.put_boards(boards, generation)

    async def get_question(self, question_id: UUID, *, with_key: bool = False) -> QuestionRead:
        row = await self.questions.get_row(question_id)
        if row is None:
            raise NotFoundError(f"No question has id {question_id}.")
        return _question_read(row, with_key)

    async def get_keys(self, question_ids: Sequence[UUID]) -> dict[UUID, QuestionKey]:
        """Answer keys and subject links of the given questions, for scoring."""
        rows = await self.questions.get_key_rows(question_ids)
        return {row["id"]: _question_key(row) for row in rows}

    async def get_key(self, question_id: UUID) -> QuestionKey:
        keys = await self.get_keys([question_id])
        if question_id not in keys:
            raise NotFoundError(f"No question has id {question_id}.")
        return keys[question_id]

    async def get_reads(
        self, question_ids: Sequence[UUID], *, with_keys: bool
    ) -> dict[UUID, QuestionRead]:
        rows = await self.questions.get_rows(question_ids)
        return {row["id"]: _question_read(row, with_keys) for row in rows}

    async def list_ids_for_subject(
        self,
        subject_id: UUID | None,
        subject_name: str,
        kind: QuestionKind,
        option_count: int | None = None,
    ) -> list[UUID]:
        """Live questions of a subject: linked to it, or unlinked and named alike."""
        return await self.questions.list_ids_for_subject(
            subject_id, fold(subject_name.strip()), kind.value, option_count
        )

    # Editing

    async def create_question(self, data: QuestionCreate) -> QuestionRead:
        question = _parsed_from_create(data)
        _check_or_raise(question)

        links = await self._checked_links(data.exam_id, data.subject_id, data.topic_id)
        board_id = _linked_board(links, data.board_id)
        question = msgspec.structs.replace(
            question,
            subject=_linked_name("subject_name", data.subject_name, links.subject_name),
            topic=_linked_name("topic_name", data.topic_name, links.topic_name),
        )
        row = _row(question, board_id, dt.datetime.now(dt.UTC))
        row.update(exam_id=links.exam_id, subject_id=links.subject_id, topic_id=links.topic_id)
        try:
            inserted = await self.questions.insert_new([row])
        except sa_exc.IntegrityError as exc:
            # Unique keys are skipped by the insert itself: this is a link to nothing.
            await self.session.rollback()
            if backing_service_down(exc):
                raise
            raise UnprocessableError(MISSING_LINK) from None
        if not inserted:
            raise ConflictError(
                f"A question with source '{question.source}' and external_id "
                f"'{question.external_id}' already exists."
            )
        await self._commit()
        log.info("question_created", question_id=str(row["id"]), source=question.source)
        return await self.get_question(row["id"], with_key=True)

    async def update_question(self, question_id: UUID, data: QuestionUpdate) -> QuestionRead:
        question = await self.questions.get_one_or_none(id=question_id)
        if question is None:
            raise NotFoundError(f"No question has id {question_id}.")

        changes = {
            field: getattr(data, field)
            for field in data.__struct_fields__
            if getattr(data, field) is not UNSET
        }
        if "options" in changes:
            changes["options"] = [{"letter": o.letter, "text": o.text} for o in changes["options"]]
        if any(field in changes for field in _LINKED_FIELDS):
            changes.update(await self._relinked(question, changes))
        for field, value in changes.items():
            setattr(question, field, value)
        if question.answer_key is None and not question.voided:
            raise UnprocessableError(
                "A question without an answer key must be voided; send answer_key null "
                "together with voided true."
            )

        _check_or_raise(_parsed_from_row(question))
        _refresh_derived(question)
        await self._commit()
        log.info("question_updated", question_id=str(question_id), fields=sorted(changes))
        return await self.get_question(question_id, with_key=True)

    async def delete_question(self, question_id: UUID) -> None:
        question = await self.questions.get_one_or_none(id=question_id)
        if question is None:
            raise NotFoundError(f"No question has id {question_id}.")
        await self.session.delete(question)
        try:
            await self.session.commit()
        except (IntegrityError, sa_exc.IntegrityError) as exc:
            await self.session.rollback()
            if backing_service_down(exc):
                raise
            # Attempts and mock-exam items hold it back (RESTRICT).
            raise ConflictError(
                "Candidates have answered this question; void it or mark it outdated "
                "instead of deleting it."
            ) from None
        await question_bank_changed(self.session)
        log.info("question_deleted", question_id=str(question_id))

    async def _commit(self) -> None:
        try:
            await self.session.commit()
        except (DuplicateKeyError, IntegrityError, sa_exc.IntegrityError) as exc:
            await self.session.rollback()
            if backing_service_down(exc):
                raise
            raise UnprocessableError(MISSING_LINK) from None
        await question_bank_changed(self.session)

    async def _relinked(self, question: Question, changes: dict[str, Any]) -> dict[str, Any]:
        """The links, board and names a PATCH leaves, checked as on create.

        Sent values win over stored ones; names the PATCH leaves out are taken afresh
        from the catalogue for a linked subject or topic (a stored name was a copy).
        """
        merged = [changes.get(field, getattr(question, field)) for field in _LINK_FIELDS]
        links = await self._checked_links(*merged)
        return {
            "exam_id": links.exam_id,
            "subject_id": links.subject_id,
            "topic_id": links.topic_id,
            "board_id": _linked_board(links, changes.get("board_id", question.board_id)),
            "subject_name": _name_after_update(
                "subject_name", changes, question.subject_name, links.subject_name
            ),
            "topic_name": _name_after_update(
                "topic_name", changes, question.topic_name, links.topic_name
            ),
        }

    async def _checked_links(
        self, exam_id: UUID | None, subject_id: UUID | None, topic_id: UUID | None
    ) -> _Links:
        """A topic belongs to its subject and exam, a subject to its exam; a topic implies
        both, a subject its exam. The links as they will be stored, with the catalogue's
        board of the exam and names of the subject and topic, or a 422 saying which link
        is wrong."""
        topic_name = subject_name = None
        if topic_id is not None:
            try:
                topic = await self.catalogue.get_topic(topic_id)
            except NotFoundError:
                raise UnprocessableError(f"topic_id {topic_id} names no topic.") from None
            if subject_id not in (None, topic.subject_id):
                raise UnprocessableError("topic_id is a topic of another subject.")
            if exam_id not in (None, topic.exam_id):
                raise UnprocessableError("topic_id is a topic of another exam.")
            subject_id, exam_id = topic.subject_id, topic.exam_id
            topic_name = topic.title.strip()[:MAX_LABEL_CHARS]

        if subject_id is not None:
            subject = await self.questions.subject_link(subject_id)
            if subject is None:
                raise UnprocessableError(f"subject_id {subject_id} names no subject.")
            if exam_id not in (None, subject["exam_id"]):
                raise UnprocessableError("subject_id is not a subject of exam_id.")
            exam_id, subject_name = subject["exam_id"], subject["name"]

        board = None
        if exam_id is not None:
            try:
                board = (await self.catalogue.get_exam(exam_id)).board
            except NotFoundError:
                raise UnprocessableError(f"exam_id {exam_id} names no exam.") from None
        return _Links(exam_id, subject_id, topic_id, board, subject_name, topic_name)


_LINK_FIELDS = ("exam_id", "subject_id", "topic_id")
# What a PATCH of any of these must check against the catalogue.
_LINKED_FIELDS = (*_LINK_FIELDS, "board_id", "subject_name", "topic_name")


@dataclasses.dataclass(frozen=True)
class _Links:
    """A question's checked catalogue links and what the catalogue says of them."""

    exam_id: UUID | None
    subject_id: UUID | None
    topic_id: UUID | None
    board: BoardSummary | None
    subject_name: str | None
    topic_name: str | None


def _linked_board(links: _Links, board_id: UUID | None) -> UUID | None:
    """A question linked to an exam has the exam's board: taken when it names none."""
    if links.board is None or board_id == links.board.id:
        return board_id
    if board_id is None:
        return links.board.id
    raise UnprocessableError(
        f"board_id is not the board of the linked exam, {links.board.acronym} "
        f"({links.board.id}); leave board_id out to take the exam's board."
    )


def _linked_name(field: str, given: str | None, catalogue: str | None) -> str | None:
    """The catalogue's name of a linked subject or topic; a name sent with it must agree."""
    if catalogue is None:
        return given
    if given is not None and fold(given.strip()) != fold(catalogue):
        raise UnprocessableError(
            f"{field} {given!r} is not the catalogue's name of the linked "
            f"{field.removesuffix('_name')}, {catalogue!r}; leave {field} out to take it."
        )
    return catalogue


def _name_after_update(
    field: str, changes: dict[str, Any], stored: str | None, catalogue: str | None
) -> str | None:
    if catalogue is None:
        # Unlinked: the free name stays unless the PATCH changes it.
        return changes.get(field, stored)
    return _linked_name(field, changes.get(field), catalogue)


def _default_rule(kind: QuestionKind) -> ScoringRule:
    if kind is QuestionKind.TRUE_FALSE:
        return ScoringRule.TRUE_FALSE_PENALISED
    return ScoringRule.MULTIPLE_CHOICE


def _position(stream: IO[bytes]) -> int:
    try:
        return stream.tell()
    except (OSError, ValueError):
        return 0


def _record_problem(report: ImportReport, problem: ItemProblem) -> None:
    report.problem_count += 1
    if len(report.problems) < MAX_REPORTED_PROBLEMS:
        report.problems.append(ImportProblem(problem.location, problem.reason))


def _options_text(options: Sequence[Option]) -> str:
    return "\n".join(option.text for option in options)


def _row(question: ParsedQuestion, board_id: UUID | None, now: dt.datetime) -> dict[str, Any]:
    options_text = _options_text(question.options)
    subject = question.subject.strip() if question.subject else None
    return {
        "id": uuid7(),
        "created_at": now,
        "updated_at": now,
        "source": question.source,
        "external_id": question.external_id,
        "board_id": board_id,
        "exam_id": None,
        "subject_id": None,
        "topic_id": None,
        "year": question.year,
        "exam_label": question.exam_label,
        "organisation": question.organisation,
        "post": question.post,
        "subject_name": subject,
        "subject_key": fold(subject) if subject else None,
        "topic_name": question.topic,
        "kind": question.kind.value,
        "statement": question.statement,
        "options": [{"letter": o.letter, "text": o.text} for o in question.options],
        "options_text": options_text,
        "answer_key": question.answer_key,
        "voided": question.voided,
        "outdated": question.outdated,
        "licence": question.licence,
        "source_url": question.source_url,
        "search_text": search_document(question.statement, options_text),
    }


def _refresh_derived(question: Question) -> None:
    options = [Option(o["letter"], o["text"]) for o in question.options]
    question.options_text = _options_text(options)
    question.search_text = search_document(question.statement, question.options_text)
    subject = question.subject_name.strip() if question.subject_name else None
    question.subject_key = fold(subject) if subject else None


def _parsed_from_create(data: QuestionCreate) -> ParsedQuestion:
    return ParsedQuestion(
        source=data.source,
        external_id=data.external_id or str(uuid7()),
        kind=QuestionKind(data.kind),
        statement=data.statement,
        options=tuple(Option(o.letter, o.text) for o in data.options),
        answer_key=data.answer_key,
        # A missing key without voided: true is refused by check_question.
        voided=data.voided,
        outdated=data.outdated,
        year=data.year,
        exam_label=data.exam_label,
        organisation=data.organisation,
        post=data.post,
        subject=data.subject_name,
        topic=data.topic_name,
        licence=data.licence,
        source_url=data.source_url,
    )


def _parsed_from_row(question: Question) -> ParsedQuestion:
    return ParsedQuestion(
        source=question.source,
        external_id=question.external_id,
        kind=QuestionKind(question.kind),
        statement=question.statement,
        options=tuple(Option(o["letter"], o["text"]) for o in question.options),
        answer_key=question.answer_key,
        voided=question.voided,
        outdated=question.outdated,
    )


def _check_or_raise(question: ParsedQuestion) -> None:
    reason = check_question(question)
    if reason is not None:
        raise UnprocessableError(
            f"Invalid question: {reason}.",
            errors=[InvalidField(field="question", message=reason)],
        )


def _question_read(row: RowMapping, with_key: bool) -> QuestionRead:
    return QuestionRead(
        id=row["id"],
        source=row["source"],
        external_id=row["external_id"],
        kind=row["kind"],
        statement=row["statement"],
        options=[OptionRead(o["letter"], o["text"]) for o in row["options"]],
        voided=row["voided"],
        outdated=row["outdated"],
        board_id=row["board_id"],
        board=row["board_acronym"],
        exam_id=row["exam_id"],
        year=row["year"],
        exam_label=row["exam_label"],
        organisation=row["organisation"],
        post=row["post"],
        subject_id=row["subject_id"],
        subject_name=row["subject_name"],
        topic_id=row["topic_id"],
        topic_name=row["topic_name"],
        licence=row["licence"],
        source_url=row["source_url"],
        answer_key=row["answer_key"] if with_key else UNSET,
    )


def _question_key(row: RowMapping) -> QuestionKey:
    return QuestionKey(
        id=row["id"],
        kind=row["kind"],
        option_count=int(row["option_count"] or 0),
        answer_key=row["answer_key"],
        voided=row["voided"],
        subject_id=row["subject_id"],
        subject_name=row["subject_name"],
        topic_id=row["topic_id"],
        topic_name=row["topic_name"],
        board_id=row["board_id"],
    )


async def import_stream_standalone(
    settings: Settings,
    stream: IO[bytes],
    import_format: ImportFormat,
    total_bytes: int = 0,
    on_progress: ProgressCallback | None = None,
) -> ImportReport:
    """Import a stream outside any app (the CLI), with an engine of its own."""
    config = build_database_config(settings)
    install_sqlite_pragmas(config)
    engine = config.get_engine()
    # The running service caches list totals in Redis; its entries must see these rows.
    redis = create_redis_client(settings.redis_url) if settings.redis_url else None
    try:
        async with AsyncSession(engine, expire_on_commit=False) as session:
            if redis is not None:
                session.info[SESSION_INFO_KEY] = QuestionReadCache(redis)
            return await QuestionService(session).import_stream(
                stream, import_format, total_bytes=total_bytes, on_progress=on_progress
            )
    finally:
        await engine.dispose()
        if redis is not None:
            await redis.aclose()


class UploadService:
    """Staging of uploaded files for import jobs that may run in another process."""

    uploads = SessionBound(QuestionUploadRepository)

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def stage(
        self, owner_id: UUID, import_format: ImportFormat, filename: str, content: bytes
    ) -> UUID:
        upload = QuestionUpload(
            owner_id=owner_id,
            format=import_format.value,
            filename=filename,
            size=len(content),
            content=content,
        )
        self.session.add(upload)
        await self.session.commit()
        log.info("question_upload_staged", upload_id=str(upload.id), size=len(content))
        return upload.id

    async def import_staged(
        self, upload_id: UUID, on_progress: ProgressCallback | None = None
    ) -> ImportReport:
        """Import a staged upload, then drop it; a retry after a crash starts over safely."""
        upload = await self.uploads.get_one_or_none(id=upload_id)
        if upload is None:
            raise NotFoundError(f"No staged upload has id {upload_id}.")

        stream = io.BytesIO(upload.content)
        report = await QuestionService(self.session).import_stream(
            stream, ImportFormat(upload.format), total_bytes=upload.size, on_progress=on_progress
        )
        await self.session.delete(upload)
        await self.session.commit()
        return report

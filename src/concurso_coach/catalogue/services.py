"""Catalogue rules and transactions: boards, exams and their structure.

The syllabus import lives in `syllabus_service`.

Other features call `CatalogueService` (never the repositories):
`get_exam_structure`, `resolve_subject`, `list_subject_topics`, `get_topic`.
Every write commits explicitly; a failed commit propagates.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec
import structlog
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from concurso_coach.catalogue.models import (
    Block,
    Board,
    Exam,
    ExamStatus,
    ScoringRule,
    Subject,
    Topic,
)
from concurso_coach.catalogue.repositories import (
    BlockRepository,
    BoardRepository,
    ExamFilters,
    ExamRepository,
    ExamSort,
    SubjectRepository,
    TopicRepository,
)
from concurso_coach.catalogue.schemas import (
    BlockCreate,
    BlockRead,
    BlockUpdate,
    BlockWithSubjects,
    BoardCreate,
    BoardRead,
    BoardSummary,
    BoardUpdate,
    ExamCreate,
    ExamDetail,
    ExamRead,
    ExamUpdate,
    SubjectCreate,
    SubjectRead,
    SubjectUpdate,
    TopicNode,
    TopicRead,
)
from concurso_coach.platform.errors import ConflictError, NotFoundError, UnprocessableError
from concurso_coach.platform.pagination import Page
from concurso_coach.platform.session_bound import SessionBound
from concurso_coach.questions.read_cache import question_bank_changed

log = structlog.get_logger(__name__)

# Editais give the exam day in Brasília time; a start time alone implies its date there.
EXAM_TIMEZONE = ZoneInfo("America/Sao_Paulo")


def normalise_search(text: str) -> str:
    """Lower case without accents: "Polícia Rodoviária" → "policia rodoviaria"."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(stripped.casefold().split())


class CatalogueService:
    """Boards, exams, blocks, subjects and topics over one session."""

    boards = SessionBound(BoardRepository)
    exams = SessionBound(ExamRepository)
    blocks = SessionBound(BlockRepository)
    subjects = SessionBound(SubjectRepository)
    topics = SessionBound(TopicRepository)

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _commit(self) -> None:
        # The checks before each write give the precise message; this covers a
        # concurrent writer that slipped in between the check and the commit.
        try:
            await self.session.commit()
        except IntegrityError:
            await self.session.rollback()
            raise ConflictError(
                "The change conflicts with data stored meanwhile; reload and retry."
            ) from None
        # Question reads show board acronyms and exam, subject and topic links.
        await question_bank_changed(self.session)

    # Boards

    async def list_boards(self, limit: int, offset: int) -> Page[BoardRead]:
        boards, total = await self.boards.list_page(limit, offset)
        return Page([_board_read(board) for board in boards], total, limit, offset)

    async def board_acronyms(self) -> list[tuple[UUID, str]]:
        """(id, acronym) of every board, for callers that resolve acronyms."""
        return await self.boards.acronyms()

    async def get_board(self, board_id: UUID) -> BoardRead:
        return _board_read(await self._require_board(board_id))

    async def create_board(self, data: BoardCreate) -> BoardRead:
        await self._check_acronym_free(data.acronym)
        board = Board(
            name=data.name,
            acronym=data.acronym,
            default_scoring_rule=data.default_scoring_rule.value,
        )
        self.session.add(board)
        await self._commit()
        log.info("board_created", board_id=str(board.id), acronym=board.acronym)
        return _board_read(board)

    async def update_board(self, board_id: UUID, data: BoardUpdate) -> BoardRead:
        board = await self._require_board(board_id)
        changes = _changes(data)
        if "acronym" in changes and changes["acronym"] != board.acronym:
            await self._check_acronym_free(changes["acronym"])
        if "default_scoring_rule" in changes:
            changes["default_scoring_rule"] = changes["default_scoring_rule"].value
        apply_changes(board, changes)
        await self._commit()
        return _board_read(board)

    async def delete_board(self, board_id: UUID) -> None:
        board = await self._require_board(board_id)
        if await self.boards.has_exams(board_id):
            raise ConflictError("The board still runs exams; delete or move them first.")
        await self.session.delete(board)
        await self._commit()
        log.info("board_deleted", board_id=str(board_id))

    async def _require_board(self, board_id: UUID) -> Board:
        board = await self.boards.get_one_or_none(id=board_id)
        if board is None:
            raise NotFoundError(f"No board has id {board_id}.")
        return board

    async def _check_acronym_free(self, acronym: str) -> None:
        # Lists filter boards by acronym ignoring case and accents: "cebraspe" and
        # "Cebraspe" would be one board to them.
        wanted = normalise_search(acronym)
        if any(normalise_search(known) == wanted for _, known in await self.boards.acronyms()):
            raise ConflictError(f"A board with the acronym '{acronym}' already exists.")

    # Exams

    async def list_exams(
        self, filters: ExamFilters, sort: ExamSort, limit: int, offset: int
    ) -> Page[ExamRead]:
        if filters.search is not None:
            filters.search = normalise_search(filters.search)
        exams, total = await self.exams.list_page(filters, sort, limit, offset)
        boards = await self._boards_by_id({exam.board_id for exam in exams})
        items = [_exam_read(exam, boards[exam.board_id]) for exam in exams]
        return Page(items, total, limit, offset)

    async def get_exam(self, exam_id: UUID) -> ExamRead:
        exam = await self._require_exam(exam_id)
        return _exam_read(exam, await self._require_board(exam.board_id))

    async def create_exam(self, data: ExamCreate) -> ExamDetail:
        board = await self._referenced_board(data.board_id)
        exam = Exam(
            organisation=data.organisation,
            post=data.post,
            board_id=board.id,
            scoring_rule=data.scoring_rule.value if data.scoring_rule else None,
            exam_date=data.exam_date,
            exam_starts_at=data.exam_starts_at,
            status=data.status.value,
            edital_number=data.edital_number,
            edital_url=data.edital_url,
            option_count=data.option_count,
        )
        _refresh_derived(exam)
        self.session.add(exam)
        await self._commit()
        log.info("exam_created", exam_id=str(exam.id), board=board.acronym)
        return await self.get_exam_structure(exam.id)

    async def update_exam(self, exam_id: UUID, data: ExamUpdate) -> ExamDetail:
        exam = await self._require_exam(exam_id)
        changes = _changes(data)
        if "board_id" in changes:
            await self._referenced_board(changes["board_id"])
        for key in ("scoring_rule", "status"):
            if changes.get(key) is not None:
                changes[key] = changes[key].value
        apply_changes(exam, changes)
        _refresh_derived(exam)
        await self._commit()
        return await self.get_exam_structure(exam_id)

    async def delete_exam(self, exam_id: UUID) -> None:
        exam = await self._require_exam(exam_id)
        # Blocks, subjects and topics go with it through ON DELETE CASCADE; candidates'
        # goals hold it back (RESTRICT).
        await self.session.delete(exam)
        try:
            await self.session.commit()
        except IntegrityError:
            await self.session.rollback()
            raise ConflictError(
                "Candidates have this exam as their goal; set its status to held or "
                "cancelled instead of deleting it."
            ) from None
        await question_bank_changed(self.session)
        log.info("exam_deleted", exam_id=str(exam_id))

    async def get_exam_structure(self, exam_id: UUID) -> ExamDetail:
        """The exam with its effective scoring rule, blocks and weighted subjects.

        What mock exams and the study planner need: weights, question counts
        and minimum scores of every block and subject, in edital order.
        """
        exam = await self._require_exam(exam_id)
        board = await self._require_board(exam.board_id)
        blocks = await self.blocks.list_for_exam(exam_id)
        subjects = await self.subjects.list_for_exam(exam_id)
        counts = await self.subjects.topic_counts(exam_id)

        by_block: dict[UUID, list[SubjectRead]] = defaultdict(list)
        for subject in subjects:
            by_block[subject.block_id].append(_subject_read(subject, counts))

        read = _exam_read(exam, board)
        return ExamDetail(
            **msgspec.structs.asdict(read),
            blocks=[_block_with_subjects(block, by_block[block.id]) for block in blocks],
            topic_count=sum(counts.values()),
        )

    async def _require_exam(self, exam_id: UUID) -> Exam:
        exam = await self.exams.get_one_or_none(id=exam_id)
        if exam is None:
            raise NotFoundError(f"No exam has id {exam_id}.")
        return exam

    async def _referenced_board(self, board_id: UUID) -> Board:
        board = await self.boards.get_one_or_none(id=board_id)
        if board is None:
            raise UnprocessableError(f"board_id {board_id} names no board.")
        return board

    async def _boards_by_id(self, ids: set[UUID]) -> dict[UUID, Board]:
        if not ids:
            return {}
        boards = await self.boards.get_many(Board.id.in_(ids))
        return {board.id: board for board in boards}

    # Blocks

    async def list_blocks(self, exam_id: UUID, limit: int, offset: int) -> Page[BlockRead]:
        await self._require_exam(exam_id)
        blocks = await self.blocks.list_for_exam(exam_id)
        items = [_block_read(block) for block in blocks[offset : offset + limit]]
        return Page(items, len(blocks), limit, offset)

    async def get_block(self, exam_id: UUID, block_id: UUID) -> BlockRead:
        return _block_read(await self._require_block(exam_id, block_id))

    async def create_block(self, exam_id: UUID, data: BlockCreate) -> BlockRead:
        await self._require_exam(exam_id)
        await self._check_block_name_free(exam_id, data.name)
        existing = await self.blocks.list_for_exam(exam_id)
        block = Block(
            exam_id=exam_id,
            name=data.name,
            position=data.position if data.position is not None else len(existing),
            item_count=data.item_count,
            weight=data.weight,
            minimum_score=data.minimum_score,
        )
        self.session.add(block)
        await self._commit()
        return _block_read(block)

    async def update_block(self, exam_id: UUID, block_id: UUID, data: BlockUpdate) -> BlockRead:
        block = await self._require_block(exam_id, block_id)
        changes = _changes(data)
        if "name" in changes and changes["name"] != block.name:
            await self._check_block_name_free(exam_id, changes["name"])
        apply_changes(block, changes)
        await self._commit()
        return _block_read(block)

    async def delete_block(self, exam_id: UUID, block_id: UUID) -> None:
        block = await self._require_block(exam_id, block_id)
        if await self.blocks.has_subjects(block_id):
            raise ConflictError("The block still has subjects; delete or move them first.")
        await self.session.delete(block)
        await self._commit()

    async def _require_block(self, exam_id: UUID, block_id: UUID) -> Block:
        block = await self.blocks.get_one_or_none(id=block_id, exam_id=exam_id)
        if block is None:
            raise NotFoundError(f"Exam {exam_id} has no block {block_id}.")
        return block

    async def _check_block_name_free(self, exam_id: UUID, name: str) -> None:
        if await self.blocks.exists(exam_id=exam_id, name=name):
            raise ConflictError(f"The exam already has a block named '{name}'.")

    # Subjects

    async def list_subjects(
        self, exam_id: UUID, block_id: UUID | None, limit: int, offset: int
    ) -> Page[SubjectRead]:
        await self._require_exam(exam_id)
        subjects, total = await self.subjects.list_page(exam_id, block_id, limit, offset)
        counts = await self.subjects.topic_counts(exam_id)
        return Page([_subject_read(s, counts) for s in subjects], total, limit, offset)

    async def get_subject(self, exam_id: UUID, subject_id: UUID) -> SubjectRead:
        subject = await self._require_subject(exam_id, subject_id)
        return _subject_read(subject, await self.subjects.topic_counts(exam_id))

    async def resolve_subject(self, exam_id: UUID, name: str) -> SubjectRead:
        """The exam's subject called `name`, ignoring case and accents."""
        wanted = normalise_search(name)
        for subject in await self.subjects.list_for_exam(exam_id):
            if normalise_search(subject.name) == wanted:
                return _subject_read(subject, await self.subjects.topic_counts(exam_id))
        raise NotFoundError(f"Exam {exam_id} has no subject named '{name}'.")

    async def subject_id_named(self, exam_id: UUID, name: str) -> UUID | None:
        """Like `resolve_subject`, for callers that need only the id (every answer asks)."""
        wanted = normalise_search(name)
        for subject_id, subject_name in await self.subjects.names_for_exam(exam_id):
            if normalise_search(subject_name) == wanted:
                return subject_id
        return None

    async def create_subject(self, exam_id: UUID, data: SubjectCreate) -> SubjectRead:
        await self._require_exam(exam_id)
        await self._referenced_block(exam_id, data.block_id)
        await self._check_subject_name_free(exam_id, data.name)
        siblings = await self.subjects.count(exam_id=exam_id, block_id=data.block_id)
        subject = Subject(
            exam_id=exam_id,
            block_id=data.block_id,
            name=data.name,
            note=data.note,
            position=data.position if data.position is not None else siblings,
            weight=data.weight,
            question_count=data.question_count,
            minimum_score=data.minimum_score,
        )
        self.session.add(subject)
        await self._commit()
        return _subject_read(subject, {})

    async def update_subject(
        self, exam_id: UUID, subject_id: UUID, data: SubjectUpdate
    ) -> SubjectRead:
        subject = await self._require_subject(exam_id, subject_id)
        changes = _changes(data)
        if "block_id" in changes:
            await self._referenced_block(exam_id, changes["block_id"])
        if "name" in changes and changes["name"] != subject.name:
            await self._check_subject_name_free(exam_id, changes["name"])
        apply_changes(subject, changes)
        await self._commit()
        return _subject_read(subject, await self.subjects.topic_counts(exam_id))

    async def delete_subject(self, exam_id: UUID, subject_id: UUID) -> None:
        subject = await self._require_subject(exam_id, subject_id)
        await self.session.delete(subject)
        await self._commit()

    async def _require_subject(self, exam_id: UUID, subject_id: UUID) -> Subject:
        subject = await self.subjects.get_one_or_none(id=subject_id, exam_id=exam_id)
        if subject is None:
            raise NotFoundError(f"Exam {exam_id} has no subject {subject_id}.")
        return subject

    async def _referenced_block(self, exam_id: UUID, block_id: UUID) -> None:
        if not await self.blocks.exists(id=block_id, exam_id=exam_id):
            raise UnprocessableError(f"block_id {block_id} names no block of this exam.")

    async def _check_subject_name_free(self, exam_id: UUID, name: str) -> None:
        if await self.subjects.exists(exam_id=exam_id, name=name):
            raise ConflictError(f"The exam already has a subject named '{name}'.")

    # Topics

    async def list_topics(
        self,
        exam_id: UUID,
        *,
        subject_id: UUID | None,
        under: UUID | None,
        limit: int,
        offset: int,
    ) -> Page[TopicRead]:
        await self._require_exam(exam_id)
        root = None
        if under is not None:
            root = await self.topics.get_one_or_none(id=under, exam_id=exam_id)
            if root is None:
                raise NotFoundError(f"Exam {exam_id} has no topic {under}.")
        topics, total = await self.topics.list_page(
            exam_id, subject_id=subject_id, under=root, limit=limit, offset=offset
        )
        return Page([_topic_read(topic) for topic in topics], total, limit, offset)

    async def get_topic(self, topic_id: UUID) -> TopicRead:
        return _topic_read(await self._require_topic(topic_id))

    async def get_subtree(self, topic_id: UUID) -> TopicNode:
        """The topic with every topic below it, nested."""
        root = await self._require_topic(topic_id)
        rows = await self.topics.list_subtree(root)
        children: dict[UUID | None, list[Topic]] = defaultdict(list)
        for topic in rows:
            children[topic.parent_id].append(topic)

        def node(topic: Topic) -> TopicNode:
            below = [node(child) for child in children[topic.id]]
            return TopicNode(topic.id, topic.number, topic.title, topic.depth, below)

        return node(root)

    async def list_subject_topics(self, subject_id: UUID) -> list[TopicRead]:
        """Every topic of a subject in reading order (pre-order)."""
        return [_topic_read(topic) for topic in await self.topics.list_for_subject(subject_id)]

    async def _require_topic(self, topic_id: UUID) -> Topic:
        topic = await self.topics.get_one_or_none(id=topic_id)
        if topic is None:
            raise NotFoundError(f"No topic has id {topic_id}.")
        return topic


def _changes(data: msgspec.Struct) -> dict[str, Any]:
    """The fields a PATCH body actually sent (UNSET ones are left out)."""
    return {
        name: value
        for name, value in msgspec.structs.asdict(data).items()
        if value is not msgspec.UNSET
    }


def apply_changes(row: object, changes: dict[str, Any]) -> None:
    for name, value in changes.items():
        setattr(row, name, value)


def _refresh_derived(exam: Exam) -> None:
    exam.search_text = normalise_search(f"{exam.organisation} {exam.post}")
    if exam.exam_date is None and exam.exam_starts_at is not None:
        exam.exam_date = exam.exam_starts_at.astimezone(EXAM_TIMEZONE).date()


def _board_read(board: Board) -> BoardRead:
    return BoardRead(
        id=board.id,
        name=board.name,
        acronym=board.acronym,
        default_scoring_rule=ScoringRule(board.default_scoring_rule),
        created_at=board.created_at,
        updated_at=board.updated_at,
    )


def _exam_read(exam: Exam, board: Board) -> ExamRead:
    override = ScoringRule(exam.scoring_rule) if exam.scoring_rule else None
    return ExamRead(
        id=exam.id,
        organisation=exam.organisation,
        post=exam.post,
        board=BoardSummary(id=board.id, name=board.name, acronym=board.acronym),
        scoring_rule=override or ScoringRule(board.default_scoring_rule),
        scoring_rule_source="exam" if override else "board",
        scoring_rule_override=override,
        exam_date=exam.exam_date,
        exam_starts_at=exam.exam_starts_at,
        status=ExamStatus(exam.status),
        edital_number=exam.edital_number,
        edital_url=exam.edital_url,
        option_count=exam.option_count,
        created_at=exam.created_at,
        updated_at=exam.updated_at,
    )


def _block_read(block: Block) -> BlockRead:
    return BlockRead(
        id=block.id,
        exam_id=block.exam_id,
        name=block.name,
        position=block.position,
        item_count=block.item_count,
        weight=block.weight,
        minimum_score=block.minimum_score,
    )


def _block_with_subjects(block: Block, subjects: list[SubjectRead]) -> BlockWithSubjects:
    return BlockWithSubjects(
        id=block.id,
        name=block.name,
        position=block.position,
        item_count=block.item_count,
        weight=block.weight,
        minimum_score=block.minimum_score,
        subjects=subjects,
    )


def _subject_read(subject: Subject, topic_counts: dict[UUID, int]) -> SubjectRead:
    return SubjectRead(
        id=subject.id,
        exam_id=subject.exam_id,
        block_id=subject.block_id,
        name=subject.name,
        note=subject.note,
        position=subject.position,
        weight=subject.weight,
        question_count=subject.question_count,
        minimum_score=subject.minimum_score,
        topic_count=topic_counts.get(subject.id, 0),
    )


def _topic_read(topic: Topic) -> TopicRead:
    return TopicRead(
        id=topic.id,
        exam_id=topic.exam_id,
        subject_id=topic.subject_id,
        parent_id=topic.parent_id,
        number=topic.number,
        title=topic.title,
        position=topic.position,
        depth=topic.depth,
    )

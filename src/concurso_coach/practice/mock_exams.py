"""Mock exams (simulados): drawn per subject from the bank, scored as the board would."""

from __future__ import annotations

import datetime as dt
import secrets
from collections import defaultdict
from typing import Literal
from uuid import UUID

import msgspec
import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from concurso_coach.catalogue.services import CatalogueService
from concurso_coach.coach.services import on_attempt as coach_on_attempt
from concurso_coach.platform.errors import (
    ConflictError,
    InvalidField,
    InvalidInputError,
    NotFoundError,
    UnprocessableError,
)
from concurso_coach.platform.pagination import Page
from concurso_coach.platform.session_bound import SessionBound
from concurso_coach.practice.models import MockExam, MockExamItem
from concurso_coach.practice.repositories import (
    MockExamItemRepository,
    MockExamRepository,
)
from concurso_coach.practice.schemas import (
    MockExamItemRead,
    MockExamRead,
    MockExamSummary,
    Shortfall,
)
from concurso_coach.practice.scoring import (
    Answer,
    BlockSpec,
    InvalidAnswerError,
    ItemKind,
    ItemResult,
    MockExamResult,
    MockExamStructure,
    ScoringRule,
    SubjectSpec,
    score_answer,
    score_mock_exam,
)
from concurso_coach.practice.services import (
    AttemptService,
    attempt_row,
    aware_utc,
    check_answer,
)
from concurso_coach.questions.importers.base import QuestionKind
from concurso_coach.questions.schemas import QuestionKey
from concurso_coach.questions.services import QuestionService

log = structlog.get_logger(__name__)

DEFAULT_TIME_LIMIT_MINUTES = 240

MockStatus = Literal["in_progress", "expired", "submitted"]


class MockExamService:
    """Draws, shows and scores mock exams; every read is owner-only."""

    mock_exams = SessionBound(MockExamRepository)
    items = SessionBound(MockExamItemRepository)
    attempts = SessionBound(AttemptService)
    questions = SessionBound(QuestionService)
    catalogue = SessionBound(CatalogueService)

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def create_mock_exam(
        self,
        account_id: UUID,
        exam_id: UUID,
        time_limit_minutes: int | None = None,
        now: dt.datetime | None = None,
    ) -> MockExamRead:
        """Draw questions per subject, unseen ones first, never one twice."""
        now = now or dt.datetime.now(dt.UTC)
        # One at a time: submitting one would reveal the keys of another that shares
        # its questions, and practice of a held question is refused only while open.
        open_mock = await self.mock_exams.open_for(account_id, now)
        if open_mock is not None:
            raise ConflictError(
                f"Your mock exam {open_mock} is still in progress; submit it, or let its "
                "time limit pass, before drawing another."
            )
        exam = await self.catalogue.get_exam_structure(exam_id)
        rule = ScoringRule(exam.scoring_rule.value)
        item_kind = _exam_item_kind(rule, exam.option_count)
        kind = (
            QuestionKind.TRUE_FALSE
            if rule is ScoringRule.TRUE_FALSE_PENALISED
            else (QuestionKind.MULTIPLE_CHOICE)
        )
        option_count = None if kind is QuestionKind.TRUE_FALSE else len(item_kind.options)

        seen = await self.attempts.seen_question_ids(account_id)
        drawn: set[UUID] = set()
        blocks: list[BlockSpec] = []
        items: list[tuple[str, UUID]] = []
        shortfall: list[Shortfall] = []
        for block in exam.blocks:
            specs = []
            for subject in block.subjects:
                if subject.question_count <= 0:
                    continue
                pool = await self.questions.list_ids_for_subject(
                    subject.id, subject.name, kind, option_count
                )
                chosen = _draw(pool, subject.question_count, seen, drawn)
                drawn.update(chosen)
                items += [(subject.name, question_id) for question_id in chosen]
                if len(chosen) < subject.question_count:
                    shortfall.append(Shortfall(subject.name, subject.question_count, len(chosen)))
                specs.append(
                    SubjectSpec(
                        name=subject.name,
                        # A block's weight multiplies the weight of each of its items.
                        weight=subject.weight * block.weight,
                        question_count=len(chosen),
                        minimum_score=subject.minimum_score,
                    )
                )
            if specs:
                blocks.append(BlockSpec(block.name, tuple(specs), block.minimum_score))

        if not items:
            raise UnprocessableError(
                "The bank has no live question for any subject of this exam; "
                "nothing to draw a mock exam from."
            )

        structure = MockExamStructure(rule=rule, item_kind=item_kind, blocks=tuple(blocks))
        minutes = time_limit_minutes or DEFAULT_TIME_LIMIT_MINUTES
        mock = MockExam(
            account_id=account_id,
            exam_id=exam_id,
            exam_title=f"{exam.organisation} — {exam.post}",
            started_at=now,
            deadline=now + dt.timedelta(minutes=minutes),
            time_limit_minutes=minutes,
            structure=msgspec.to_builtins(structure),
            shortfall=msgspec.to_builtins(shortfall),
        )
        self.session.add(mock)
        await self.session.flush()
        self.session.add_all(
            MockExamItem(
                mock_exam_id=mock.id, question_id=qid, position=position, subject_name=name
            )
            for position, (name, qid) in enumerate(items, start=1)
        )
        await self.session.commit()
        log.info(
            "mock_exam_drawn",
            mock_exam_id=str(mock.id),
            exam_id=str(exam_id),
            questions=len(items),
            short_subjects=len(shortfall),
        )
        return await self._read(mock, now)

    async def get_mock_exam(
        self, account_id: UUID, mock_exam_id: UUID, now: dt.datetime | None = None
    ) -> MockExamRead:
        mock = await self._require_own(account_id, mock_exam_id)
        return await self._read(mock, now or dt.datetime.now(dt.UTC))

    async def list_mock_exams(
        self, account_id: UUID, limit: int, offset: int, now: dt.datetime | None = None
    ) -> Page[MockExamSummary]:
        now = now or dt.datetime.now(dt.UTC)
        rows, total = await self.mock_exams.list_page(account_id, limit, offset)
        items = [
            MockExamSummary(
                id=mock.id,
                exam_id=mock.exam_id,
                exam_title=mock.exam_title,
                status=_status(mock, now),
                started_at=mock.started_at,
                deadline=mock.deadline,
                submitted_at=mock.submitted_at,
                passed=mock.result["passed"] if mock.result else None,
                total_net=mock.result["total_net"] if mock.result else None,
            )
            for mock in rows
        ]
        return Page(items, total, limit, offset)

    async def submit(
        self,
        account_id: UUID,
        mock_exam_id: UUID,
        answers: dict[UUID, str | None],
        now: dt.datetime | None = None,
    ) -> MockExamRead:
        """Score the answer sheet by the board's rule; blanks for questions left out."""
        now = now or dt.datetime.now(dt.UTC)
        mock = await self._require_own(account_id, mock_exam_id)
        if mock.submitted_at is not None:
            raise ConflictError(
                f"This mock exam was already submitted at {mock.submitted_at.isoformat()}; "
                "a mock exam is scored once."
            )
        if now > aware_utc(mock.deadline):
            raise ConflictError(
                f"The time limit ended at {aware_utc(mock.deadline).isoformat()}; "
                "answers can no longer be submitted."
            )

        items = await self.items.list_for(mock.id)
        item_ids = {item.question_id for item in items}
        unknown = [str(qid) for qid in answers if qid not in item_ids]
        if unknown:
            raise InvalidInputError(
                f"Invalid value for 'answers': {unknown[0]} is not a question of this mock exam",
                errors=[InvalidField("answers", "question not in this mock exam")],
            )

        keys = await self.questions.get_keys(list(item_ids))
        for item in items:
            check_answer(keys[item.question_id], answers.get(item.question_id), "answers")

        structure = msgspec.convert(mock.structure, MockExamStructure)
        result = _score(structure, items, keys, answers)

        # The guarded UPDATE decides a race between two submits of one sheet.
        if not await self.mock_exams.claim_submission(mock.id, now):
            await self.session.rollback()
            raise ConflictError("This mock exam was already submitted; it is scored once.")
        await self._record(account_id, mock, items, keys, answers, now)
        mock.result = msgspec.to_builtins(result)
        await self.session.commit()
        await self.session.refresh(mock)
        log.info(
            "mock_exam_submitted",
            mock_exam_id=str(mock.id),
            passed=result.passed,
            total_net=result.total_net,
        )
        return await self._read(mock, now)

    async def _record(
        self,
        account_id: UUID,
        mock: MockExam,
        items: list[MockExamItem],
        keys: dict[UUID, QuestionKey],
        answers: dict[UUID, str | None],
        now: dt.datetime,
    ) -> None:
        """Store each answer as an attempt too, so that stats include mock exams."""
        used_ms = int((min(now, aware_utc(mock.deadline)) - aware_utc(mock.started_at)) / _MS)
        per_item_ms = used_ms // max(len(items), 1)
        rule = ScoringRule(mock.structure["rule"])
        item_kind = ItemKind(mock.structure["item_kind"])
        rows = []
        for item in items:
            key = keys[item.question_id]
            given = answers.get(item.question_id)
            answer_key = None if key.voided else key.answer_key
            outcome = score_answer(rule, item_kind, given, answer_key)
            item.answer = given
            item.result = outcome.result.value
            rows.append(
                attempt_row(
                    account_id,
                    key,
                    given,
                    outcome.result,
                    outcome.points,
                    per_item_ms,
                    mock_exam_id=mock.id,
                    at=now,
                )
            )
        await self.attempts.attempts.insert_many(rows)

        # Mock-exam answers teach the coach as much as free practice does.
        for row in rows:
            key = keys[row["question_id"]]
            if row["result"] != ItemResult.BLANK.value and not key.voided:
                right = row["result"] == ItemResult.RIGHT.value
                await coach_on_attempt(self.session, account_id, key, right, now)

    async def _require_own(self, account_id: UUID, mock_exam_id: UUID) -> MockExam:
        mock = await self.mock_exams.get_one_or_none(id=mock_exam_id)
        if mock is None or mock.account_id != account_id:
            raise NotFoundError("The mock exam does not exist.")
        return mock

    async def _read(self, mock: MockExam, now: dt.datetime) -> MockExamRead:
        items = await self.items.list_for(mock.id)
        submitted = mock.submitted_at is not None
        questions = await self.questions.get_reads(
            [item.question_id for item in items], with_keys=submitted
        )
        used = None
        if mock.submitted_at is not None:
            used = int((aware_utc(mock.submitted_at) - aware_utc(mock.started_at)).total_seconds())
        return MockExamRead(
            id=mock.id,
            exam_id=mock.exam_id,
            exam_title=mock.exam_title,
            status=_status(mock, now),
            rule=mock.structure["rule"],
            item_kind=mock.structure["item_kind"],
            started_at=aware_utc(mock.started_at),
            deadline=aware_utc(mock.deadline),
            time_limit_minutes=mock.time_limit_minutes,
            submitted_at=aware_utc(mock.submitted_at) if mock.submitted_at else None,
            time_used_seconds=used,
            question_count=len(items),
            shortfall=msgspec.convert(mock.shortfall, list[Shortfall]),
            items=[
                MockExamItemRead(
                    position=item.position,
                    subject=item.subject_name,
                    question=questions[item.question_id],
                    answer=item.answer,
                    result=item.result,  # type: ignore[arg-type]
                )
                for item in items
                if item.question_id in questions
            ],
            result=msgspec.convert(mock.result, MockExamResult) if mock.result else None,
        )


_MS = dt.timedelta(milliseconds=1)


def _exam_item_kind(rule: ScoringRule, option_count: int | None) -> ItemKind:
    if rule is ScoringRule.TRUE_FALSE_PENALISED:
        return ItemKind.TRUE_FALSE
    return ItemKind.CHOICE_A_TO_D if option_count == 4 else ItemKind.CHOICE_A_TO_E


def _draw(pool: list[UUID], count: int, seen: set[UUID], drawn: set[UUID]) -> list[UUID]:
    """``count`` ids at random, unseen ones first, none already drawn in this mock exam."""
    rng = secrets.SystemRandom()
    fresh = [qid for qid in pool if qid not in drawn and qid not in seen]
    again = [qid for qid in pool if qid not in drawn and qid in seen]
    rng.shuffle(fresh)
    rng.shuffle(again)
    return (fresh + again)[:count]


def _score(
    structure: MockExamStructure,
    items: list[MockExamItem],
    keys: dict[UUID, QuestionKey],
    answers: dict[UUID, str | None],
) -> MockExamResult:
    sheet: dict[str, list[Answer]] = defaultdict(list)
    for item in items:
        key = keys[item.question_id]
        # An item voided after the draw is awarded to everyone, as the boards do.
        answer_key = None if key.voided else key.answer_key
        sheet[item.subject_name].append(Answer(answers.get(item.question_id), answer_key))
    try:
        return score_mock_exam(structure, sheet)
    except InvalidAnswerError as exc:
        raise InvalidInputError(f"Invalid value for 'answers': {exc}") from None


def _status(mock: MockExam, now: dt.datetime) -> MockStatus:
    if mock.submitted_at is not None:
        return "submitted"
    return "expired" if now > aware_utc(mock.deadline) else "in_progress"

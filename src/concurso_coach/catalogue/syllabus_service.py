"""Syllabus import into an exam: parse, plan the re-import, store in one transaction.

A retificação keeps the ids of recognised topics (the pairing rules are the pure
core in `syllabus_import`), so candidates' progress on unchanged topics survives.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any
from uuid import UUID

import structlog
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from uuid_utils.compat import uuid7

from concurso_coach.catalogue.models import (
    Block,
    Subject,
    Topic,
)
from concurso_coach.catalogue.schemas import (
    SyllabusIds,
    SyllabusResult,
    syllabus_result,
)
from concurso_coach.catalogue.services import CatalogueService, apply_changes
from concurso_coach.catalogue.syllabus_import import (
    ReimportPlan,
    StoredTopic,
    SyllabusImportError,
    check_importable,
    plan_reimport,
    topic_path,
)
from concurso_coach.catalogue.syllabus_model import (
    ParsedBlock,
    ParsedSubject,
    ParsedSyllabus,
    ParsedTopic,
    flatten_topics,
)
from concurso_coach.catalogue.syllabus_parser import SyllabusParseError, parse_syllabus
from concurso_coach.platform.errors import ConflictError, NotFoundError, UnprocessableError
from concurso_coach.questions.read_cache import question_bank_changed

log = structlog.get_logger(__name__)


def read_syllabus(text: str) -> ParsedSyllabus:
    """Parse a syllabus and check it fits the tables; 422 with the reason if not."""
    try:
        syllabus = parse_syllabus(text)
        check_importable(syllabus)
    except (SyllabusParseError, SyllabusImportError) as exc:
        raise UnprocessableError(f"Not an importable syllabus: {exc.reason}") from None
    return syllabus


class SyllabusService:
    """An exam's syllabus: read as a tree, or (re-)imported from edital text."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.catalogue = CatalogueService(session)
        self.exams = self.catalogue.exams
        self.blocks = self.catalogue.blocks
        self.subjects = self.catalogue.subjects
        self.topics = self.catalogue.topics

    async def get_syllabus(self, exam_id: UUID) -> SyllabusResult:
        """The stored syllabus in the shape an import answers, with ids."""
        await self.catalogue.get_exam(exam_id)
        syllabus, ids = await self._stored_syllabus(exam_id)
        return syllabus_result(syllabus, ids)

    async def import_syllabus(
        self, exam_id: UUID, text: str, *, dry_run: bool = False
    ) -> SyllabusResult:
        """Store the syllabus of `text` for the exam, in one transaction.

        A re-import keeps the ids of recognised topics (see syllabus_import) and
        answers the diff; a dry run answers the same without writing.
        """
        syllabus = read_syllabus(text)
        # The row lock makes concurrent imports of one exam take turns on
        # PostgreSQL; SQLite already serialises writers.
        if await self.exams.get_for_update(exam_id, lock=not dry_run) is None:
            raise NotFoundError(f"No exam has id {exam_id}.")

        subjects = await self.subjects.list_for_exam(exam_id)
        stored_rows = await self.topics.list_for_exam(exam_id)
        stored = [StoredTopic(t.id, name, t.number, t.title) for t, name in stored_rows]
        plan = plan_reimport(stored, [subject.name for subject in subjects], syllabus)
        diff = plan.diff if subjects else None

        if dry_run:
            return syllabus_result(syllabus, diff=diff)

        try:
            ids = await self._store(exam_id, syllabus, plan, subjects, stored_rows)
            await self.session.commit()
            await question_bank_changed(self.session)
        except IntegrityError:
            await self.session.rollback()
            raise ConflictError(
                "The exam changed while its syllabus was being imported; retry."
            ) from None
        except BaseException:
            await self.session.rollback()
            raise

        log.info(
            "syllabus_imported",
            exam_id=str(exam_id),
            blocks=syllabus.block_count,
            subjects=syllabus.subject_count,
            topics=syllabus.topic_count,
            added=len(plan.diff.added),
            removed=len(plan.diff.removed),
            renamed=len(plan.diff.renamed),
            moved=len(plan.diff.moved),
        )
        return syllabus_result(syllabus, ids, diff)

    async def _store(
        self,
        exam_id: UUID,
        syllabus: ParsedSyllabus,
        plan: ReimportPlan,
        subjects: list[Subject],
        stored_rows: list[tuple[Topic, str]],
    ) -> SyllabusIds:
        block_ids = await self._store_blocks(exam_id, syllabus)
        subject_ids, gone_subjects = await self._store_subjects(
            exam_id, syllabus, subjects, block_ids
        )

        # Kept rows first let go of their paths and parents, so that deleting a
        # removed parent cannot cascade to them and no path collides midway.
        stored_by_id = {topic.id: topic for topic, _ in stored_rows}
        for index, topic_id in enumerate(plan.kept.values()):
            stored_by_id[topic_id].path = f"~{index}"
            stored_by_id[topic_id].parent_id = None
        await self.session.flush()

        await self.topics.delete_ids(plan.removed_ids)
        if gone_subjects:
            await self.session.execute(delete(Subject).where(Subject.id.in_(gone_subjects)))
        await self.session.execute(
            delete(Block).where(Block.exam_id == exam_id, Block.id.not_in(block_ids.values()))
        )

        topic_ids = await self._store_topics(exam_id, syllabus, plan, subject_ids, stored_by_id)
        return SyllabusIds(block_ids, subject_ids, topic_ids)

    async def _store_blocks(self, exam_id: UUID, syllabus: ParsedSyllabus) -> dict[str, UUID]:
        existing = {block.name: block for block in await self.blocks.list_for_exam(exam_id)}
        ids: dict[str, UUID] = {}
        for position, parsed in enumerate(syllabus.blocks):
            block = existing.get(parsed.name)
            if block is None:
                block = Block(id=_new_id(), exam_id=exam_id, name=parsed.name)
                self.session.add(block)
            block.position = position
            ids[parsed.name] = block.id
        await self.session.flush()
        return ids

    async def _store_subjects(
        self,
        exam_id: UUID,
        syllabus: ParsedSyllabus,
        subjects: list[Subject],
        block_ids: dict[str, UUID],
    ) -> tuple[dict[str, UUID], list[UUID]]:
        # Matched subjects keep their editor-set weights, counts and minimums.
        existing = {subject.name: subject for subject in subjects}
        ids: dict[str, UUID] = {}
        for block in syllabus.blocks:
            for position, parsed in enumerate(block.subjects):
                subject = existing.pop(parsed.name, None)
                if subject is None:
                    subject = Subject(id=_new_id(), exam_id=exam_id, name=parsed.name)
                    self.session.add(subject)
                subject.block_id = block_ids[block.name]
                subject.note = parsed.note
                subject.position = position
                ids[parsed.name] = subject.id
        await self.session.flush()
        return ids, [subject.id for subject in existing.values()]

    async def _store_topics(
        self,
        exam_id: UUID,
        syllabus: ParsedSyllabus,
        plan: ReimportPlan,
        subject_ids: dict[str, UUID],
        stored_by_id: dict[UUID, Topic],
    ) -> dict[tuple[str, str], UUID]:
        ids: dict[tuple[str, str], UUID] = {}
        kept_values: dict[UUID, dict[str, Any]] = {}
        for subject in syllabus.subjects():
            sibling_counts: dict[str | None, int] = defaultdict(int)
            for flat in flatten_topics(subject.topics):
                # Pre-order: a parent's id is always known before its children.
                parent = flat.parent_number
                topic_id = plan.kept.get((subject.name, flat.number)) or _new_id()
                values = {
                    "exam_id": exam_id,
                    "subject_id": subject_ids[subject.name],
                    "parent_id": ids[subject.name, parent] if parent else None,
                    "number": flat.number,
                    "title": flat.title,
                    "position": sibling_counts[parent],
                    "depth": flat.depth,
                    "path": topic_path(flat.number),
                }
                sibling_counts[parent] += 1
                ids[subject.name, flat.number] = topic_id

                if topic_id in stored_by_id:
                    kept_values[topic_id] = values
                else:
                    self.session.add(Topic(id=topic_id, **values))

        # New rows go in before kept rows point at them: a flush runs a
        # table's UPDATEs before its INSERTs.
        await self.session.flush()
        for topic_id, values in kept_values.items():
            apply_changes(stored_by_id[topic_id], values)
        await self.session.flush()
        return ids

    async def _stored_syllabus(self, exam_id: UUID) -> tuple[ParsedSyllabus, SyllabusIds]:
        blocks = await self.blocks.list_for_exam(exam_id)
        subjects = await self.subjects.list_for_exam(exam_id)
        rows = await self.topics.list_for_exam(exam_id)

        by_subject: dict[UUID, list[Topic]] = defaultdict(list)
        for topic, _ in rows:
            by_subject[topic.subject_id].append(topic)
        by_block: dict[UUID, list[ParsedSubject]] = defaultdict(list)
        for subject in subjects:
            topics = _topic_tree(by_subject[subject.id])
            by_block[subject.block_id].append(
                ParsedSubject(name=subject.name, topics=topics, note=subject.note)
            )

        syllabus = ParsedSyllabus(
            blocks=tuple(
                ParsedBlock(name=block.name, subjects=tuple(by_block[block.id])) for block in blocks
            )
        )
        names = {subject.id: subject.name for subject in subjects}
        ids = SyllabusIds(
            blocks={block.name: block.id for block in blocks},
            subjects={subject.name: subject.id for subject in subjects},
            topics={(names[topic.subject_id], topic.number): topic.id for topic, _ in rows},
        )
        return syllabus, ids


def _new_id() -> UUID:
    # Ids are set before the flush so that children can point at new parents.
    new: UUID = uuid7()
    return new


def _topic_tree(topics: Sequence[Topic]) -> tuple[ParsedTopic, ...]:
    children: dict[UUID | None, list[Topic]] = defaultdict(list)
    for topic in topics:
        children[topic.parent_id].append(topic)

    def build(topic: Topic) -> ParsedTopic:
        below = tuple(build(child) for child in children[topic.id])
        return ParsedTopic(number=topic.number, title=topic.title, children=below)

    return tuple(build(topic) for topic in children[None])

"""Helpers of the coach API tests: an exam with questions, answers, and running jobs."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis
from saq import Worker

from concurso_coach.coach.services import coach_day
from concurso_coach.jobs.queue import JobInfo, JobQueue, LocalJobQueue, SaqJobQueue
from concurso_coach.jobs.registry import TASKS, load_task_modules
from concurso_coach.jobs.worker import _saq_function
from concurso_coach.platform.database import build_database_config
from concurso_coach.settings import Settings

Client = AsyncTestClient[Litestar]
Headers = dict[str, str]

TEXT_PLAIN = {"Content-Type": "text/plain; charset=utf-8"}

# Two blocks, three subjects, ten topics, in the PDF-copy style of an edital.
SMALL_SYLLABUS = """\
BLOCO I
LÍNGUA PORTUGUESA: 1 Compreensão de textos. 2 Ortografia oficial. 3 Coesão
textual. 3.1 Emprego de conectores. 3.2 Emprego de tempos verbais. 4 Crase.
RACIOCÍNIO LÓGICO: 1 Proposições. 2 Porcentagem.
BLOCO II
LEGISLAÇÃO DE TRÂNSITO: 1 Código de Trânsito Brasileiro. 2 Resoluções do CONTRAN.
"""
SMALL_COUNTS = {"LÍNGUA PORTUGUESA": 20, "RACIOCÍNIO LÓGICO": 10, "LEGISLAÇÃO DE TRÂNSITO": 30}

TEN_HOURS = [90, 90, 90, 90, 90, 75, 75]
TERMINAL_STATUSES = frozenset({"complete", "failed", "aborted"})


def parse_moment(moment: str) -> dt.datetime:
    return dt.datetime.fromisoformat(moment.replace("Z", "+00:00"))


def today() -> dt.date:
    """Today as the coach counts days (Brasília)."""
    return coach_day(dt.datetime.now(dt.UTC))


@dataclass
class ExamSetup:
    exam_id: str
    subjects: dict[str, str]
    topics: dict[str, list[str]]
    questions: dict[str, list[str]] = field(default_factory=dict)


async def create_exam(
    client: Client,
    editor: Headers,
    *,
    syllabus: str = SMALL_SYLLABUS,
    counts: dict[str, int] | None = None,
    weights: dict[str, float] | None = None,
    exam_date: dt.date | None = None,
) -> ExamSetup:
    """A Cebraspe exam with its syllabus imported and question counts set."""
    board = await client.post(
        "/api/boards",
        json={
            "name": "Centro Brasileiro de Pesquisa em Avaliação e Seleção",
            "acronym": "Cebraspe",
            "default_scoring_rule": "true_false_penalised",
        },
        headers=editor,
    )
    assert board.status_code == 201, board.text
    exam = await client.post(
        "/api/exams",
        json={
            "organisation": "Polícia Rodoviária Federal",
            "post": "Policial Rodoviário Federal",
            "board_id": board.json()["id"],
            "exam_date": (exam_date or today() + dt.timedelta(days=90)).isoformat(),
        },
        headers=editor,
    )
    assert exam.status_code == 201, exam.text
    exam_id = exam.json()["id"]

    imported = await client.put(
        f"/api/exams/{exam_id}/syllabus",
        content=syllabus.encode(),
        headers={**editor, **TEXT_PLAIN},
    )
    assert imported.status_code == 200, imported.text

    subjects = await _subjects(client, editor, exam_id)
    for name, count in (SMALL_COUNTS if counts is None else counts).items():
        changes: dict[str, Any] = {"question_count": count}
        if weights and name in weights:
            changes["weight"] = weights[name]
        patched = await client.patch(
            f"/api/exams/{exam_id}/subjects/{subjects[name]}", json=changes, headers=editor
        )
        assert patched.status_code == 200, patched.text

    return ExamSetup(exam_id, subjects, await _topics(client, editor, exam_id, subjects))


async def _subjects(client: Client, headers: Headers, exam_id: str) -> dict[str, str]:
    page = await client.get(f"/api/exams/{exam_id}/subjects?limit=100", headers=headers)
    return {item["name"]: item["id"] for item in page.json()["items"]}


async def _topics(
    client: Client, headers: Headers, exam_id: str, subjects: dict[str, str]
) -> dict[str, list[str]]:
    names = {subject_id: name for name, subject_id in subjects.items()}
    topics: dict[str, list[str]] = {name: [] for name in subjects}
    offset = 0
    while True:
        page = (
            await client.get(
                f"/api/exams/{exam_id}/topics?limit=100&offset={offset}", headers=headers
            )
        ).json()
        for item in page["items"]:
            topics[names[item["subject_id"]]].append(item["id"])
        offset += 100
        if offset >= page["total"]:
            return topics


async def add_questions(
    client: Client, editor: Headers, setup: ExamSetup, subject: str, count: int
) -> list[str]:
    """Certo/errado questions (key C) of ``subject``, spread over its topics."""
    ids = []
    topics = setup.topics[subject]
    for index in range(count):
        created = await client.post(
            "/api/questions",
            json={
                "kind": "true_false",
                "statement": f"{subject}: afirmação número {index + 1}.",
                "answer_key": "C",
                "exam_id": setup.exam_id,
                "subject_id": setup.subjects[subject],
                "topic_id": topics[index % len(topics)],
            },
            headers=editor,
        )
        assert created.status_code == 201, created.text
        ids.append(created.json()["id"])
    setup.questions.setdefault(subject, []).extend(ids)
    return ids


async def answer(client: Client, headers: Headers, question_id: str, *, right: bool) -> None:
    response = await client.post(
        "/api/attempts",
        json={"question_id": question_id, "answer": "C" if right else "E", "elapsed_ms": 30_000},
        headers=headers,
    )
    assert response.status_code == 201, response.text


async def set_goal(
    client: Client,
    headers: Headers,
    setup: ExamSetup,
    *,
    weekly_minutes: list[int] | None = None,
    exam_date: dt.date | None = None,
    self_assessment: dict[str, int] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "exam_id": setup.exam_id,
        "weekly_minutes": weekly_minutes or TEN_HOURS,
    }
    if exam_date is not None:
        body["exam_date"] = exam_date.isoformat()
    if self_assessment is not None:
        body["self_assessment"] = {
            setup.subjects[name]: level for name, level in self_assessment.items()
        }
    response = await client.put("/api/me/goal", json=body, headers=headers)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def run_job(client: Client, headers: Headers, settings: Settings, job_id: str) -> Any:
    """Wait for a job: in-process it runs by itself; with Redis a burst worker runs it.

    The worker is built in the test's own event loop (the app's Redis client
    belongs to the test client's loop).
    """
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if settings.redis_url:
            await _burst_worker(settings)
        status = await client.get(f"/api/jobs/{job_id}", headers=headers)
        assert status.status_code == 200, status.text
        if status.json()["status"] in TERMINAL_STATUSES:
            return status.json()
        await asyncio.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish")


async def _burst_worker(settings: Settings) -> None:
    assert settings.redis_url is not None
    redis = Redis.from_url(settings.redis_url)
    db_config = build_database_config(settings)
    queue = SaqJobQueue(redis)
    try:
        await queue.start()
        session_maker = db_config.create_session_maker()
        functions = [
            _saq_function(spec, settings, session_maker, queue)
            for spec in load_task_modules().values()
        ]
        assert TASKS
        worker = Worker(queue.saq, functions=functions, burst=True, dequeue_timeout=0.5)
        await worker.start()
    finally:
        await queue.stop()
        await redis.aclose()
        await db_config.get_engine().dispose()


class JobRuntime:
    """A queue built in the test's own loop, to enqueue tasks no endpoint exposes."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.db_config = build_database_config(settings)
        self.redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
        self.queue: JobQueue = (
            SaqJobQueue(self.redis)
            if self.redis is not None
            else LocalJobQueue(settings, self.db_config.create_session_maker())
        )

    async def run(self, task: str, **kwargs: Any) -> JobInfo:
        """Enqueue ``task`` and run everything ready in the queue; its final state.

        SAQ's sweep, which a fresh worker runs at once, can catch a job between its
        dequeue and its ACTIVE mark and re-queue it (tobymao/saq#277); the job is
        idempotent, so the test drains again until the job is done, as production would.
        """
        load_task_modules()
        queued = await self.queue.enqueue(task, kwargs=kwargs)
        deadline = time.monotonic() + 60
        while True:
            await self.drain()
            info = await self.queue.get(queued.id)
            assert info is not None
            if info.status in TERMINAL_STATUSES or time.monotonic() > deadline:
                return info

    async def drain(self) -> None:
        if isinstance(self.queue, LocalJobQueue):
            await self.queue.wait_idle()
        else:
            await _burst_worker(self.settings)

    async def close(self) -> None:
        await self.queue.stop()
        if self.redis is not None:
            await self.redis.aclose()
        await self.db_config.get_engine().dispose()

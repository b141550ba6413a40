"""Seed candidates, their goals, attempts and review cards through the service itself.

Accounts are made by the accounts service (as ``coach users create`` does);
everything else goes through the public API of the running server, so the
seeded rows are exactly what real use leaves behind. Parts of the API that do
not exist yet are skipped and reported, not faked.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path
from uuid import UUID

import httpx
import psycopg

from bench.database import BenchSetupError
from bench.scenarios import SeededData
from concurso_coach.accounts.services import create_account_standalone
from concurso_coach.settings import load_settings

PASSWORD = "bench-password-123"
ATTEMPT_CONCURRENCY = 16
EDITAL = "policia-rodoviaria-federal-2019.txt"
SUBJECT_QUESTIONS = 10


@dataclass
class SeedReport:
    candidates: int = 0
    attempts: int = 0
    goals: int = 0
    review_cards: int = 0
    notes: list[str] = field(default_factory=list)


async def create_accounts(settings: dict[str, str], candidates: int) -> list[str]:
    """An admin and ``candidates`` candidates; returns their emails, admin first."""
    service_settings = load_settings(**{key.lower(): value for key, value in settings.items()})
    emails = ["bench-admin@example.com"]
    await create_account_standalone(service_settings, emails[0], PASSWORD, "Bench Admin", "admin")
    for number in range(candidates):
        email = f"bench-candidate-{number:03d}@example.com"
        await create_account_standalone(service_settings, email, PASSWORD, f"Candidate {number}")
        emails.append(email)
    return emails


def log_in(client: httpx.Client, email: str) -> str:
    response = client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    _require(response, "sign-in")
    token: str = response.json()["access_token"]
    return token


def create_exam(client: httpx.Client, admin_token: str, data_dir: Path) -> UUID | None:
    """The PRF 2019 exam with its real syllabus, for the candidates' goals."""
    auth = {"Authorization": f"Bearer {admin_token}"}
    boards = client.get("/api/boards", params={"limit": 100}, headers=auth)
    _require(boards, "list boards")
    board_id = next(
        (b["id"] for b in boards.json()["items"] if b["acronym"].lower() == "cebraspe"), None
    )
    if board_id is None:
        return None

    exam = client.post(
        "/api/exams",
        headers=auth,
        json={
            "organisation": "Polícia Rodoviária Federal",
            "post": "Policial Rodoviário Federal",
            "board_id": board_id,
            "exam_date": (dt.date.today() + dt.timedelta(days=120)).isoformat(),
        },
    )
    _require(exam, "create exam")
    exam_id = UUID(exam.json()["id"])
    syllabus = (data_dir.parent / "editais" / EDITAL).read_text(encoding="utf-8")
    imported = client.put(
        f"/api/exams/{exam_id}/syllabus",
        headers={**auth, "Content-Type": "text/plain"},
        content=syllabus.encode(),
    )
    _require(imported, "import syllabus")

    # The planner shares study time by each subject's weight in the exam.
    subjects = client.get(f"/api/exams/{exam_id}/subjects", params={"limit": 100}, headers=auth)
    _require(subjects, "list subjects")
    for subject in subjects.json()["items"]:
        changed = client.patch(
            f"/api/exams/{exam_id}/subjects/{subject['id']}",
            headers=auth,
            json={"question_count": SUBJECT_QUESTIONS},
        )
        _require(changed, "set a subject's question count")
    return exam_id


def set_goals(client: httpx.Client, tokens: list[str], exam_id: UUID, report: SeedReport) -> None:
    """Each candidate aims at the exam; skipped (and noted) while the coach API is missing."""
    exam_date = (dt.date.today() + dt.timedelta(days=120)).isoformat()
    body = {"exam_id": str(exam_id), "exam_date": exam_date, "weekly_minutes": [90] * 7}
    for token in tokens:
        response = client.put(
            "/api/me/goal", json=body, headers={"Authorization": f"Bearer {token}"}
        )
        if response.status_code in (404, 405):
            report.notes.append(
                f"goals not seeded: PUT /api/me/goal answered {response.status_code}"
            )
            return
        _require(response, "set goal")
        report.goals += 1


async def submit_attempts(
    base_url: str,
    tokens: list[str],
    answerable: list[tuple[UUID, str, str]],
    count: int,
    rng: random.Random,
) -> int:
    """``count`` answers over the candidates, a third of them wrong (review cards)."""
    jobs = asyncio.Queue[tuple[str, dict[str, object]]]()
    for number in range(count):
        question_id, right, wrong = rng.choice(answerable[: max(1, len(answerable) // 4)])
        answer = right if rng.random() < 0.66 else wrong
        body = {"question_id": str(question_id), "answer": answer, "elapsed_ms": 30_000}
        jobs.put_nowait((tokens[number % len(tokens)], body))

    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:

        async def worker() -> None:
            while not jobs.empty():
                token, body = jobs.get_nowait()
                response = await client.post(
                    "/api/attempts", json=body, headers={"Authorization": f"Bearer {token}"}
                )
                _require(response, "submit attempt")

        await asyncio.gather(*(worker() for _ in range(ATTEMPT_CONCURRENCY)))
    return count


def answerable_questions(database_url: str, limit: int = 4_000) -> list[tuple[UUID, str, str]]:
    """Live questions with a key: (id, the right answer, a wrong but valid answer)."""
    with psycopg.connect(database_url) as connection:
        rows = connection.execute(
            "SELECT id, answer_key, kind FROM questions "
            "WHERE NOT voided AND NOT outdated AND answer_key IS NOT NULL "
            "ORDER BY md5(id::text) LIMIT %s",
            (limit,),
        ).fetchall()
    return [(row[0], row[1], _wrong(row[1], row[2])) for row in rows]


def _wrong(key: str, kind: str) -> str:
    if kind == "true_false":
        return "E" if key == "C" else "C"
    return "A" if key != "A" else "B"


def seeded_data(database_url: str, tokens: list[str]) -> SeededData:
    with psycopg.connect(database_url) as connection:
        ids = [
            row[0]
            for row in connection.execute(
                "SELECT id FROM questions WHERE NOT voided AND NOT outdated "
                "ORDER BY md5(id::text) LIMIT 2000"
            )
        ]
        filters = [
            (row[0], row[1], row[2], row[3])
            for row in connection.execute(
                "SELECT b.acronym, q.year, q.kind, q.subject_name, count(*) "
                "FROM questions q JOIN boards b ON b.id = q.board_id "
                "WHERE NOT q.voided AND NOT q.outdated AND q.year IS NOT NULL "
                "GROUP BY 1, 2, 3, 4 HAVING count(*) >= 100 ORDER BY 5 DESC LIMIT 48"
            )
        ]
    if not ids or not filters:
        raise BenchSetupError("seeding left no questions to request")
    return SeededData(
        tokens=tokens,
        question_ids=ids,
        answerable=answerable_questions(database_url),
        filters=filters,
    )


def analyze(database_url: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")


def count_rows(database_url: str, table: str) -> int:
    with psycopg.connect(database_url) as connection:
        try:
            row = connection.execute(f"SELECT count(*) FROM {table}").fetchone()  # noqa: S608
        except psycopg.errors.UndefinedTable:
            return 0
    return int(row[0]) if row else 0


def _require(response: httpx.Response, what: str) -> None:
    if not 200 <= response.status_code < 300:
        raise BenchSetupError(
            f"seeding failed to {what}: {response.request.method} {response.request.url} "
            f"answered {response.status_code}: {response.text[:300]}"
        )

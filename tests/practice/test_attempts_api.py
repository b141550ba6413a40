"""Attempts over HTTP: scoring by the board's rule, ownership and stats, on both backends."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import update

from concurso_coach.practice.models import Attempt
from concurso_coach.settings import Settings
from tests.questions.helpers import db_session, load_sample_bank

Client = AsyncTestClient[Litestar]
Headers = dict[str, str]

# Sample bank: pf-2021-1 certo/errado key E (Língua Portuguesa, topic Crase),
# pf-2021-2 certo/errado key C (Direito Administrativo), tj-2019-7 A–E key A
# (Direito Administrativo), tj-2019-8 A–D key C (Língua Portuguesa), tj-2019-9 voided.


@pytest.fixture
async def bank(client: Client, settings: Settings, editor_headers: Headers) -> dict[str, str]:
    return await load_sample_bank(client, settings, editor_headers)


async def _attempt(
    client: Client, headers: Headers, question_id: str, answer: str | None, **extra: Any
) -> dict[str, Any]:
    body = {"question_id": question_id, "answer": answer, "elapsed_ms": 30_000, **extra}
    response = await client.post("/api/attempts", json=body, headers=headers)
    assert response.status_code == 201, response.text
    outcome: dict[str, Any] = response.json()
    return outcome


@pytest.mark.parametrize(
    ("external_id", "answer", "result", "points"),
    [
        ("pf-2021-1", "E", "right", 1),
        ("pf-2021-1", "C", "wrong", -1),
        ("pf-2021-1", None, "blank", 0),
        ("tj-2019-7", "A", "right", 1),
        ("tj-2019-7", "B", "wrong", 0),
        ("tj-2019-7", None, "blank", 0),
    ],
)
async def test_attempt_is_scored_by_the_board_rule_and_reveals_the_key(
    client: Client,
    candidate_headers: Headers,
    bank: dict[str, str],
    external_id: str,
    answer: str | None,
    result: str,
    points: int,
) -> None:
    outcome = await _attempt(client, candidate_headers, bank[external_id], answer)

    assert (outcome["result"], outcome["points"]) == (result, points)
    assert outcome["correct"] is (result == "right")
    assert outcome["key"] == ("E" if external_id == "pf-2021-1" else "A")


async def test_attempt_returns_the_updated_stats_of_its_subject(
    client: Client, candidate_headers: Headers, bank: dict[str, str]
) -> None:
    await _attempt(client, candidate_headers, bank["pf-2021-1"], "E")
    outcome = await _attempt(client, candidate_headers, bank["tj-2019-8"], "A")

    stats = outcome["subject_stats"]
    assert stats["subject_name"] == "Língua Portuguesa"
    assert (stats["attempts"], stats["right"], stats["wrong"], stats["accuracy"]) == (2, 1, 1, 0.5)
    assert (stats["true_false_attempts"], stats["true_false_net"]) == (1, 1)


@pytest.mark.parametrize(("external_id", "answer"), [("pf-2021-1", "A"), ("tj-2019-8", "E")])
async def test_answer_outside_the_item_options_is_400(
    client: Client, candidate_headers: Headers, bank: dict[str, str], external_id: str, answer: str
) -> None:
    body = {"question_id": bank[external_id], "answer": answer, "elapsed_ms": 1}

    response = await client.post("/api/attempts", json=body, headers=candidate_headers)

    assert response.status_code == 400
    assert "answer" in response.json()["detail"]


async def test_voided_question_cannot_be_practised(
    client: Client, candidate_headers: Headers, bank: dict[str, str]
) -> None:
    body = {"question_id": bank["tj-2019-9"], "answer": "A", "elapsed_ms": 1}

    response = await client.post("/api/attempts", json=body, headers=candidate_headers)

    assert response.status_code == 422


async def test_another_candidates_attempt_is_404(
    client: Client,
    candidate_headers: Headers,
    other_candidate_headers: Headers,
    bank: dict[str, str],
) -> None:
    outcome = await _attempt(client, candidate_headers, bank["pf-2021-1"], "E")
    attempt_id = outcome["attempt"]["id"]

    mine = await client.get(f"/api/attempts/{attempt_id}", headers=candidate_headers)
    theirs = await client.get(f"/api/attempts/{attempt_id}", headers=other_candidate_headers)

    assert mine.status_code == 200
    assert theirs.status_code == 404


async def test_attempt_list_shows_only_my_own(
    client: Client,
    candidate_headers: Headers,
    other_candidate_headers: Headers,
    bank: dict[str, str],
) -> None:
    await _attempt(client, candidate_headers, bank["pf-2021-1"], "E")
    await _attempt(client, candidate_headers, bank["pf-2021-2"], "C")
    await _attempt(client, other_candidate_headers, bank["pf-2021-2"], "E")

    mine = (await client.get("/api/attempts", headers=candidate_headers)).json()
    theirs = (await client.get("/api/attempts", headers=other_candidate_headers)).json()

    assert (mine["total"], theirs["total"]) == (2, 1)


async def test_stats_group_by_subject_and_topic_with_net_and_average_time(
    client: Client, candidate_headers: Headers, bank: dict[str, str]
) -> None:
    await _attempt(client, candidate_headers, bank["pf-2021-2"], "E", elapsed_ms=10_000)
    await _attempt(client, candidate_headers, bank["pf-2021-2"], None, elapsed_ms=20_000)
    await _attempt(client, candidate_headers, bank["tj-2019-7"], "A", elapsed_ms=60_000)

    stats = (await client.get("/api/me/stats", headers=candidate_headers)).json()

    assert stats["attempts"] == 3
    (admin,) = stats["subjects"]
    assert admin["subject_name"] == "Direito Administrativo"
    assert (admin["right"], admin["wrong"], admin["blank"]) == (1, 1, 1)
    assert (admin["true_false_attempts"], admin["true_false_net"]) == (2, -1)
    assert admin["average_ms"] == 30_000
    topics = {t["topic_name"]: t["attempts"] for t in admin["topics"]}
    assert topics == {"Licitações": 2, None: 1}


async def test_trend_counts_accuracy_per_iso_week_for_the_last_8_weeks(
    client: Client, settings: Settings, candidate_headers: Headers, bank: dict[str, str]
) -> None:
    old = await _attempt(client, candidate_headers, bank["pf-2021-1"], "C")
    await _attempt(client, candidate_headers, bank["pf-2021-1"], "E")
    three_weeks_ago = dt.datetime.now(dt.UTC) - dt.timedelta(weeks=3)
    async with db_session(settings) as session:
        await session.execute(
            update(Attempt)
            .where(Attempt.id == UUID(old["attempt"]["id"]))
            .values(created_at=three_weeks_ago)
        )
        await session.commit()

    stats = (await client.get("/api/me/stats", headers=candidate_headers)).json()

    trend = stats["subjects"][0]["trend"]
    assert len(trend) == 8
    assert trend[-1] == {"week": _week(dt.datetime.now(dt.UTC)), "attempts": 1, "accuracy": 1.0}
    assert trend[-4] == {"week": _week(three_weeks_ago), "attempts": 1, "accuracy": 0.0}
    assert sum(point["attempts"] for point in trend) == 2


async def test_trend_weeks_start_on_monday_utc_and_older_attempts_count_only_in_totals(
    client: Client, settings: Settings, candidate_headers: Headers, bank: dict[str, str]
) -> None:
    today = dt.datetime.now(dt.UTC).date()
    this_monday = dt.datetime.combine(
        today - dt.timedelta(days=today.weekday()), dt.time(), tzinfo=dt.UTC
    )
    oldest_monday = this_monday - dt.timedelta(weeks=7)
    moments = {
        "right": oldest_monday,  # first instant of the oldest week shown
        "wrong": oldest_monday - dt.timedelta(microseconds=1),  # the week before: not shown
    }
    for result, moment in moments.items():
        answer = "E" if result == "right" else "C"
        outcome = await _attempt(client, candidate_headers, bank["pf-2021-1"], answer)
        async with db_session(settings) as session:
            await session.execute(
                update(Attempt)
                .where(Attempt.id == UUID(outcome["attempt"]["id"]))
                .values(created_at=moment)
            )
            await session.commit()

    stats = (await client.get("/api/me/stats", headers=candidate_headers)).json()

    (subject,) = stats["subjects"]
    assert subject["attempts"] == 2
    assert subject["trend"][0] == {"week": _week(oldest_monday), "attempts": 1, "accuracy": 1.0}
    assert sum(point["attempts"] for point in subject["trend"]) == 1


def _week(moment: dt.datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


async def test_an_answered_question_cannot_be_deleted_and_the_attempt_stays(
    client: Client, editor_headers: Headers, candidate_headers: Headers
) -> None:
    created = await client.post(
        "/api/questions",
        json={"kind": "true_false", "statement": "Há crase aqui.", "answer_key": "C"},
        headers=editor_headers,
    )
    question_id = created.json()["id"]
    await client.post(
        "/api/attempts",
        json={"question_id": question_id, "answer": "C", "elapsed_ms": 1000},
        headers=candidate_headers,
    )

    deleted = await client.delete(f"/api/questions/{question_id}", headers=editor_headers)
    attempts = await client.get("/api/attempts", headers=candidate_headers)

    assert deleted.status_code == 409
    assert "void it" in deleted.json()["detail"]
    assert attempts.json()["total"] == 1

"""Answers given at the same moment: each one counts, none is refused."""

from __future__ import annotations

import asyncio
from uuid import UUID

from concurso_coach.practice.services import AttemptService
from concurso_coach.settings import Settings
from tests.coach.helpers import Client, Headers, add_questions, create_exam, set_goal
from tests.questions.helpers import db_session


async def test_first_answers_of_a_subject_given_at_once_are_all_counted(
    client: Client, settings: Settings, editor_headers: Headers, candidate_headers: Headers
) -> None:
    # Eight first answers race to create the same subject's mastery row and topic cards
    # (a double-tapped button does it with two), each through the service in its own
    # session, as concurrent requests do; the losers must wait for the winner, not fail.
    setup = await create_exam(client, editor_headers)
    await set_goal(client, candidate_headers, setup)
    questions = await add_questions(client, editor_headers, setup, "LÍNGUA PORTUGUESA", 8)
    account_id = UUID((await client.get("/api/me", headers=candidate_headers)).json()["id"])

    async def answer_wrongly(question_id: str) -> None:
        async with db_session(settings) as session:
            await AttemptService(session).record_attempt(account_id, UUID(question_id), "E", 1000)

    await asyncio.gather(*(answer_wrongly(question) for question in questions))
    mastery = (await client.get("/api/me/mastery", headers=candidate_headers)).json()
    due = (await client.get("/api/me/reviews/due", headers=candidate_headers)).json()

    subject = next(s for s in mastery["subjects"] if s["subject"] == "LÍNGUA PORTUGUESA")
    assert subject["attempts"] == 8
    assert sum(topic["attempts"] for topic in subject["topics"]) == 8
    topic_cards = {card["topic_id"] for card in due["items"] if card["kind"] == "topic"}
    assert len(topic_cards) == len(setup.topics["LÍNGUA PORTUGUESA"])
    assert sum(card["kind"] == "question" for card in due["items"]) == 8

"""Request pools: every scenario gets rotating, valid-looking requests."""

from __future__ import annotations

import uuid

import msgspec
from bench.scenarios import POOL_SIZE, SCENARIO_NAMES, SeededData, capture_sample, request_pools
from bench.traffic import HttpRequest


def _seeded() -> SeededData:
    question = uuid.uuid4()
    return SeededData(
        tokens=["t0", "t1"],
        question_ids=[question],
        answerable=[(question, "C", "E")],
        filters=[("FGV", 2012, "multiple_choice", "Direito Civil")],
    )


def test_every_scenario_has_a_pool() -> None:
    assert set(request_pools(_seeded())) == set(SCENARIO_NAMES)


def test_list_requests_carry_the_filters_and_a_page_of_twenty() -> None:
    request = request_pools(_seeded())["list"][0]

    assert request.path == (
        "/api/questions?board=FGV&year=2012&kind=multiple_choice&subject=Direito+Civil&limit=20"
    )


def test_tokens_rotate_across_candidates() -> None:
    pool = request_pools(_seeded())["by_id"]

    assert [request.token for request in pool[:3]] == ["t0", "t1", "t0"]


def test_attempts_mix_right_and_wrong_answers() -> None:
    pool = request_pools(_seeded())["attempt"]

    answers = {msgspec.json.decode(request.body or b"{}")["answer"] for request in pool}

    assert answers == {"C", "E"}
    assert len(pool) == POOL_SIZE


def test_capture_sample_keeps_every_distinct_read_of_the_pool() -> None:
    pool = [HttpRequest("GET", f"/{n}") for n in range(256)]

    sample = capture_sample(pool)

    assert [request.path for request in sample] == [f"/{n}" for n in range(256)]


def test_capture_sample_replays_each_term_of_a_rotating_pool_once() -> None:
    # 16 terms in rotation, each sent with another token: a stride of 16 saw one term.
    pool = [HttpRequest("GET", f"/search?q={n % 16}", f"t{n}") for n in range(256)]

    sample = capture_sample(pool)

    assert [request.path for request in sample] == [f"/search?q={n}" for n in range(16)]


def test_capture_sample_takes_more_traces_of_a_write() -> None:
    pool = [HttpRequest("POST", f"/{n}", body=b"{}") for n in range(256)]

    assert len(capture_sample(pool)) == 64

"""What is measured: each hot path, its request pool and its target."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode
from uuid import UUID

import msgspec

from bench.traffic import HttpRequest

POOL_SIZE = 256
# Writes lock rows (a review card per account and question): replaying few
# traces would make the ceiling fight over the same rows more than wrk does.
CAPTURED_WRITES = 64

# Words a candidate types: inflected, accented, some multi-word (stemming and unaccent).
SEARCH_TERMS = (
    "honorários advocatícios",
    "licitação",
    "prescrição",
    "mandado de segurança",
    "responsabilidade civil",
    "servidor público",
    "habeas corpus",
    "contrato de trabalho",
    "constituição federal",
    "recurso extraordinário",
    "improbidade administrativa",
    "tributo",
    "sucessão",
    "advogado",
    "energia",
    "ditadura",
)


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    # Minimum share of the driver ceiling; None: reported, no target (or no ceiling).
    target_ratio: float | None
    has_driver_ceiling: bool = True


SCENARIOS = (
    Scenario("health", "framework ceiling: GET /health/live", None, has_driver_ceiling=False),
    Scenario("list", "question list: GET /api/questions?board=&year=… (page of 20 + total)", 0.5),
    Scenario("by_id", "question by id: GET /api/questions/{id}", 0.5),
    Scenario("search", "Portuguese search: GET /api/questions?q=…", 0.5),
    Scenario("attempt", "attempt submission: POST /api/attempts", 0.4),
    Scenario("due_reviews", "due reviews: GET /api/me/reviews/due", None),
    Scenario("study_plan", "study plan: GET /api/me/study-plan", None),
)
SCENARIO_NAMES = tuple(scenario.name for scenario in SCENARIOS)


@dataclass(frozen=True)
class SeededData:
    """What the seeding left behind, to build requests from."""

    tokens: Sequence[str]
    question_ids: Sequence[UUID]
    # (question id, right answer, a wrong but valid answer) of live questions.
    answerable: Sequence[tuple[UUID, str, str]]
    # (board acronym, year, kind, subject or None) combinations that exist.
    filters: Sequence[tuple[str, int, str, str | None]]


def request_pools(seeded: SeededData, seed: int = 7) -> dict[str, list[HttpRequest]]:
    """POOL_SIZE requests per scenario, rotated by wrk; tokens rotate across candidates."""
    rng = random.Random(seed)
    tokens = list(seeded.tokens)

    def token(index: int) -> str:
        return tokens[index % len(tokens)]

    def list_path(index: int) -> str:
        board, year, kind, subject = seeded.filters[index % len(seeded.filters)]
        query: dict[str, str | int] = {"board": board, "year": year, "kind": kind}
        if subject is not None:
            query["subject"] = subject
        query["limit"] = 20
        return "/api/questions?" + urlencode(query)

    def search_path(index: int) -> str:
        term = SEARCH_TERMS[index % len(SEARCH_TERMS)]
        return "/api/questions?" + urlencode({"q": term, "limit": 20})

    def attempt_body(index: int) -> bytes:
        question_id, right, wrong = rng.choice(seeded.answerable)
        answer = right if index % 3 else wrong
        payload = {"question_id": str(question_id), "answer": answer, "elapsed_ms": 42_000}
        return msgspec.json.encode(payload)

    ids = list(seeded.question_ids)
    rng.shuffle(ids)
    pools = {
        "health": [HttpRequest("GET", "/health/live")],
        "list": [HttpRequest("GET", list_path(i), token(i)) for i in range(POOL_SIZE)],
        "by_id": [
            HttpRequest("GET", f"/api/questions/{ids[i % len(ids)]}", token(i))
            for i in range(POOL_SIZE)
        ],
        "search": [HttpRequest("GET", search_path(i), token(i)) for i in range(POOL_SIZE)],
        "attempt": [
            HttpRequest("POST", "/api/attempts", token(i), attempt_body(i))
            for i in range(POOL_SIZE)
        ],
        "due_reviews": [
            HttpRequest("GET", "/api/me/reviews/due", token(i)) for i in range(len(tokens))
        ],
        "study_plan": [
            HttpRequest("GET", "/api/me/study-plan", token(i)) for i in range(len(tokens))
        ],
    }
    return pools


def capture_sample(requests: Sequence[HttpRequest]) -> list[HttpRequest]:
    """The requests whose SQL the driver ceiling replays, in the mix wrk sends.

    wrk cycles through the whole pool, so the ceiling replays each distinct request
    of it once (tokens aside: they change no SQL). A strided pick would alias with a
    pool that rotates through a few values (16 search terms, every 16th request the
    same term) and measure one query instead of the mix.
    """
    writes = any(request.method != "GET" for request in requests)
    size = CAPTURED_WRITES if writes else len(requests)
    seen: set[tuple[str, str, bytes | None]] = set()
    sample: list[HttpRequest] = []
    for request in requests:
        identity = (request.method, request.path, request.body)
        if identity in seen:
            continue
        seen.add(identity)
        sample.append(request)
        if len(sample) == size:
            break
    return sample

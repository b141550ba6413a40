"""docs/questions-jsonl.schema.json documents exactly what the native parser accepts."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from concurso_coach.questions.importers import ParsedQuestion, parse_native
from tests.support import REPO_ROOT

SCHEMA_PATH = REPO_ROOT / "docs" / "questions-jsonl.schema.json"
SAMPLE = Path(__file__).parent / "data" / "sample.jsonl"


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _sample_lines() -> list[dict[str, Any]]:
    return [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]


def test_schema_validates_every_line_of_the_sample_file(validator: Draft202012Validator) -> None:
    errors = [list(validator.iter_errors(line)) for line in _sample_lines()]

    assert errors == [[] for _ in errors]


def test_parser_accepts_every_line_of_the_sample_file() -> None:
    items = list(parse_native(io.BytesIO(SAMPLE.read_bytes())))

    assert all(isinstance(item, ParsedQuestion) for item in items)
    assert len(items) == 6


BAD_LINES = {
    "missing statement": {"source": "s", "external_id": "1", "kind": "true_false", "answer": "C"},
    "true_false answered A": {
        "source": "s",
        "external_id": "1",
        "kind": "true_false",
        "statement": "x",
        "answer": "A",
    },
    "three options": {
        "source": "s",
        "external_id": "1",
        "kind": "multiple_choice",
        "statement": "x",
        "options": [{"letter": L, "text": L} for L in "ABC"],
        "answer": "A",
    },
    "unknown field": {
        "source": "s",
        "external_id": "1",
        "kind": "true_false",
        "statement": "x",
        "answer": "C",
        "difficulty": 3,
    },
    "script address as source_url": {
        "source": "s",
        "external_id": "1",
        "kind": "true_false",
        "statement": "x",
        "answer": "C",
        "source_url": "javascript:alert(1)",
    },
    "null answer without voided": {
        "source": "s",
        "external_id": "1",
        "kind": "true_false",
        "statement": "x",
        "answer": None,
    },
}


@pytest.mark.parametrize("name", sorted(BAD_LINES))
def test_schema_rejects_a_bad_line(validator: Draft202012Validator, name: str) -> None:
    assert list(validator.iter_errors(BAD_LINES[name]))


@pytest.mark.parametrize("name", sorted(BAD_LINES))
def test_parser_rejects_the_same_bad_line(name: str) -> None:
    items = list(parse_native(io.BytesIO(json.dumps(BAD_LINES[name]).encode())))

    assert not any(isinstance(item, ParsedQuestion) for item in items)

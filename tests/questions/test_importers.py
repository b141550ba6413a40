"""The streaming parsers alone: real files, crafted bad items, no database."""

from __future__ import annotations

import io
import json
from collections import Counter
from pathlib import Path

from concurso_coach.questions.importers import (
    ItemProblem,
    ParsedQuestion,
    parse_enem,
    parse_native,
    parse_oab,
)
from tests.support import require_shared_data

OAB_FILE = "questions/oab-exams-2010-2018.json"
ENEM_FILE = "questions/enem-2024.jsonl"
SAMPLE = Path(__file__).parent / "data" / "sample.jsonl"


def _questions(items: list[ParsedQuestion | ItemProblem]) -> list[ParsedQuestion]:
    return [item for item in items if isinstance(item, ParsedQuestion)]


def _problems(items: list[ParsedQuestion | ItemProblem]) -> list[ItemProblem]:
    return [item for item in items if isinstance(item, ItemProblem)]


def test_oab_file_gives_2140_four_option_questions_with_8_voided() -> None:
    with require_shared_data(OAB_FILE).open("rb") as stream:
        items = list(parse_oab(stream))

    questions = _questions(items)
    assert len(questions) == 2140
    assert not _problems(items)
    assert {len(q.options) for q in questions} == {4}
    assert sum(q.voided for q in questions) == 8
    assert all(q.answer_key is None for q in questions if q.voided)


def test_oab_board_is_cebraspe_for_2010_and_fgv_from_the_third_exam() -> None:
    with require_shared_data(OAB_FILE).open("rb") as stream:
        questions = _questions(list(parse_oab(stream)))

    boards = Counter((q.board, q.exam_label) for q in questions)
    assert boards[("Cebraspe", "1º Exame de Ordem Unificado")] == 100
    assert boards[("Cebraspe", "2º Exame de Ordem Unificado")] == 100
    assert {q.board for q in questions if q.year and q.year >= 2011} == {"FGV"}


def test_oab_natural_keys_are_unique_and_keep_the_exam_variant() -> None:
    with require_shared_data(OAB_FILE).open("rb") as stream:
        questions = _questions(list(parse_oab(stream)))

    keys = [q.natural_key for q in questions]
    assert len(set(keys)) == len(keys)
    assert "oab:2010-01:7" in keys
    assert any(key.startswith("oab:2016-20a:") for key in keys)


def test_oab_areas_become_portuguese_subject_names() -> None:
    with require_shared_data(OAB_FILE).open("rb") as stream:
        first = next(iter(parse_oab(stream)))

    assert isinstance(first, ParsedQuestion)
    assert first.subject == "Ética Profissional"


def test_enem_file_gives_180_five_option_questions_answer_from_label() -> None:
    with require_shared_data(ENEM_FILE).open("rb") as stream:
        items = list(parse_enem(stream))

    questions = _questions(items)
    assert len(questions) == 180
    assert {len(q.options) for q in questions} == {5}
    assert {q.board for q in questions} == {"INEP"}
    assert questions[0].natural_key == "enem:2024:questao_01"
    assert questions[0].answer_key == "A"


def test_enem_item_labelled_anulado_is_voided() -> None:
    with require_shared_data(ENEM_FILE).open("rb") as stream:
        questions = _questions(list(parse_enem(stream)))

    voided = [q.external_id for q in questions if q.voided]
    assert voided == ["2024:questao_124"]


def test_native_bad_lines_are_reported_with_line_and_reason_and_the_rest_kept() -> None:
    good = SAMPLE.read_bytes().splitlines()[0]
    lines = [
        good,
        b"{not json",
        json.dumps({"source": "x", "external_id": "1", "kind": "true_false"}).encode(),
        json.dumps(
            {
                "source": "x",
                "external_id": "2",
                "kind": "multiple_choice",
                "statement": "Three options only",
                "options": [{"letter": L, "text": L} for L in "ABC"],
                "answer": "A",
            }
        ).encode(),
        b"",
        json.dumps(
            {
                "source": "x",
                "external_id": "3",
                "kind": "true_false",
                "statement": "s",
                "answer": "A",
            }
        ).encode(),
    ]

    items = list(parse_native(io.BytesIO(b"\n".join(lines))))

    assert len(_questions(items)) == 1
    problems = {p.location: p.reason for p in _problems(items)}
    assert set(problems) == {"line 2", "line 3", "line 4", "line 6"}
    assert "statement" in problems["line 3"]
    assert "4 or 5 options" in problems["line 4"]
    assert "not one of C, E" in problems["line 6"]


def test_oab_item_missing_a_field_is_a_problem_and_the_next_item_still_parses() -> None:
    good = {
        "areas": ["CIVIL"],
        "enum": "Enunciado",
        "filename": "2012-06.txt",
        "number": "1",
        "options": [{"letter": L, "text": L, "correct": L == "B" or None} for L in "ABCD"],
        "valid": True,
    }
    broken = {key: value for key, value in good.items() if key != "enum"}
    stream = io.BytesIO(json.dumps([broken, {**good, "number": "2"}]).encode())

    items = list(parse_oab(stream))

    assert items[0] == ItemProblem("item 1", "missing field 'enum'")
    assert isinstance(items[1], ParsedQuestion)
    assert items[1].answer_key == "B"


def test_truncated_oab_array_reports_where_it_broke() -> None:
    stream = io.BytesIO(b'[{"filename": "2012-06.txt", "number": "1", "enum"')

    items = list(parse_oab(stream))

    assert len(items) == 1
    assert isinstance(items[0], ItemProblem)
    assert "malformed JSON" in items[0].reason


def test_an_oab_file_of_200000_opening_brackets_is_one_problem_not_a_crash() -> None:
    # ijson's prefixed events grew quadratically here and the process was killed.
    problems = list(parse_oab(io.BytesIO(b"[" * 200_000)))

    assert problems == [ItemProblem("after item 0", "malformed JSON: nested deeper than 32 levels")]


def test_an_oab_file_that_is_not_an_array_is_reported() -> None:
    problems = list(parse_oab(io.BytesIO(b'{"not": "a list"}')))

    assert [problem.reason for problem in problems] == [
        "malformed JSON: the file must hold one JSON array of questions"
    ]


def test_oab_items_of_the_wrong_shape_are_reported_in_our_words() -> None:
    stream = io.BytesIO(b'[1, {"filename": "2010-01.txt", "number": 1, "options": "ABC"}]')

    reasons = [problem.reason for problem in parse_oab(stream)]

    assert reasons == [
        "an item must be an object with filename, number, enum and options",
        "options must be a list of objects with letter, text and correct",
    ]


def test_an_enem_line_nested_too_deeply_is_a_problem_of_that_line_only() -> None:
    deep = b'{"a":' * 100_000 + b"1" + b"}" * 100_000
    stream = io.BytesIO(deep + b"\n" + b'"just a string"\n')

    problems = [item for item in parse_enem(stream) if isinstance(item, ItemProblem)]

    assert problems == [
        ItemProblem("line 1", "malformed JSON: nested too deeply"),
        ItemProblem(
            "line 2", "a line must be an object with id, exam, question, alternatives, label"
        ),
    ]

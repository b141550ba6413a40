"""The 100,000-question file: real items repeated under distinct natural keys."""

from __future__ import annotations

import io

from bench.dataset import repeated_lines

from concurso_coach.questions.importers import Option, ParsedQuestion, QuestionKind
from concurso_coach.questions.importers.native import parse_native


def _question(external_id: str) -> ParsedQuestion:
    return ParsedQuestion(
        source="oab",
        external_id=external_id,
        kind=QuestionKind.MULTIPLE_CHOICE,
        statement="Assinale a opção correta.",
        options=tuple(Option(letter, f"opção {letter}") for letter in "ABCD"),
        answer_key="B",
        board="FGV",
        year=2012,
    )


def test_repeats_keep_every_natural_key_distinct() -> None:
    lines = list(repeated_lines([_question("1"), _question("2")], 5))

    parsed = list(parse_native(io.BytesIO(b"".join(lines))))

    assert [item.external_id for item in parsed] == ["1", "2", "1~r1", "2~r1", "1~r2"]


def test_a_voided_item_keeps_its_null_answer() -> None:
    voided = ParsedQuestion(
        source="enem", external_id="9", kind=QuestionKind.MULTIPLE_CHOICE,
        statement="Texto.", options=(Option("A", "a"), Option("B", "b"), Option("C", "c"),
                                     Option("D", "d"), Option("E", "e")),
        answer_key=None, voided=True,
    )  # fmt: skip

    [item] = list(parse_native(io.BytesIO(next(repeated_lines([voided], 1)))))

    assert isinstance(item, ParsedQuestion)
    assert item.voided
    assert item.answer_key is None

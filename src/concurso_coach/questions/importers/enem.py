"""The ENEM 2024 set (gpt-4-enem, Pires 2023 format): JSON Lines, one item a line.

``label`` holds the answer letter, or ``Anulado`` for a voided item. ENEM
numbers its 180 items by area in fixed ranges, which give the subject.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO, Any

from concurso_coach.questions.importers.base import (
    ItemProblem,
    Option,
    ParsedQuestion,
    QuestionKind,
    validated,
)
from concurso_coach.questions.importers.json_items import MalformedJSONError, line_item

SOURCE = "enem"
BOARD = "INEP"
LICENCE = "MIT — gpt-4-enem data set (Ramon Pires, 2023)"
VOIDED_LABEL = "anulado"

_ID = re.compile(r"^questao_(?P<number>\d{1,3})$")

# (first item, last item, area) as printed on every ENEM test book.
AREAS: tuple[tuple[int, int, str], ...] = (
    (1, 45, "Linguagens, Códigos e suas Tecnologias"),
    (46, 90, "Ciências Humanas e suas Tecnologias"),
    (91, 135, "Ciências da Natureza e suas Tecnologias"),
    (136, 180, "Matemática e suas Tecnologias"),
)


def parse_enem(stream: IO[bytes]) -> Iterator[ParsedQuestion | ItemProblem]:
    """Yield one question or problem per non-blank line of ``stream``."""
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue

        location = f"line {number}"
        try:
            parsed = _to_parsed(line_item(line))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            yield ItemProblem(location, _describe(exc))
            continue
        yield validated(parsed, location)


def _to_parsed(item: Any) -> ParsedQuestion:
    if not isinstance(item, dict):
        raise ValueError("a line must be an object with id, exam, question, alternatives, label")
    match = _ID.match(str(item["id"]))
    if match is None:
        raise ValueError(f"id {item['id']!r} is not questao_NN")
    year = int(str(item["exam"]).strip()[:4])

    alternatives = item["alternatives"]
    if not isinstance(alternatives, list):
        raise TypeError("alternatives must be a list")
    options = tuple(Option(chr(ord("A") + i), str(text)) for i, text in enumerate(alternatives))

    label = str(item["label"]).strip()
    voided = label.lower() == VOIDED_LABEL

    return ParsedQuestion(
        source=SOURCE,
        external_id=f"{year}:{item['id']}",
        kind=QuestionKind.MULTIPLE_CHOICE,
        statement=str(item["question"]),
        options=options,
        answer_key=None if voided else label.upper(),
        voided=voided,
        board=BOARD,
        year=year,
        exam_label=f"ENEM {year}",
        organisation="INEP",
        post="Exame Nacional do Ensino Médio",
        subject=_area(int(match["number"])),
        licence=LICENCE,
    )


def _area(number: int) -> str | None:
    for first, last, area in AREAS:
        if first <= number <= last:
            return area
    return None


def _describe(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"missing field {exc.args[0]!r}"
    if isinstance(exc, MalformedJSONError):
        return f"malformed JSON: {exc}"
    if isinstance(exc, ValueError):
        return str(exc)
    # A field of the wrong type; Python's own wording would mean nothing to an editor.
    return "a field has the wrong type for the ENEM format"

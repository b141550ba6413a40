"""The OAB exams data set (Rademaker et al., 2018): one JSON array of items.

The array is read with ijson, item by item, so memory stays flat whatever the
file size. ``filename`` (``2016-20a.txt``) gives the year and the exam number;
Cebraspe ran the two 2010 exams and FGV every exam from the third on.
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
from concurso_coach.questions.importers.json_items import MalformedJSONError, array_items

SOURCE = "oab"
LICENCE = "MIT — oab-exams data set (Rademaker, Cuconato, Passos, Delfino, 2018)"
FIRST_FGV_EXAM = 3

_FILENAME = re.compile(r"^(?P<year>\d{4})-(?P<exam>\d{2})(?P<variant>[a-z]?)\.txt$")

# The data set names areas in English, with a few typos; subjects are named as
# the editais name them so that they meet the catalogue's subjects by name.
AREA_SUBJECTS: dict[str, str] = {
    "ETHICS": "Ética Profissional",
    "PHILOSOPHY": "Filosofia do Direito",
    "PHILOSHOPY": "Filosofia do Direito",
    "CONSTITUTIONAL": "Direito Constitucional",
    "HUMAN-RIGHTS": "Direitos Humanos",
    "HUMAM-RIGHTS": "Direitos Humanos",
    "INTERNATIONAL": "Direito Internacional",
    "TAXES": "Direito Tributário",
    "ADMINISTRATIVE": "Direito Administrativo",
    "ENVIRONMENTAL": "Direito Ambiental",
    "CIVIL": "Direito Civil",
    "CHILDREN": "Estatuto da Criança e do Adolescente",
    "CHILD": "Estatuto da Criança e do Adolescente",
    "CONSUMER": "Direito do Consumidor",
    "BUSINESS": "Direito Empresarial",
    "CIVIL-PROCEDURE": "Direito Processual Civil",
    "CRIMINAL": "Direito Penal",
    "CRIMINAL-PROCEDURE": "Direito Processual Penal",
    "LABOUR": "Direito do Trabalho",
    "LABOUR-PROCEDURE": "Direito Processual do Trabalho",
}


def parse_oab(stream: IO[bytes]) -> Iterator[ParsedQuestion | ItemProblem]:
    """Yield one question or problem per element of the top-level array."""
    index = 0
    try:
        for index, item in enumerate(array_items(stream), start=1):
            location = f"item {index}"
            try:
                parsed = _to_parsed(item)
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                yield ItemProblem(location, _describe(exc))
                continue
            yield validated(parsed, location)
    except MalformedJSONError as exc:
        # A broken array cannot be resynchronised; report where it broke and stop.
        yield ItemProblem(f"after item {index}", f"malformed JSON: {exc}")


def _to_parsed(item: Any) -> ParsedQuestion:
    if not isinstance(item, dict):
        raise ValueError("an item must be an object with filename, number, enum and options")
    if not isinstance(item.get("options"), list) or not all(
        isinstance(option, dict) for option in item["options"]
    ):
        raise ValueError("options must be a list of objects with letter, text and correct")
    match = _FILENAME.match(str(item["filename"]))
    if match is None:
        raise ValueError(f"filename {item['filename']!r} is not YYYY-NN.txt")
    year, exam = int(match["year"]), int(match["exam"])
    exam_code = match["year"] + "-" + match["exam"] + match["variant"]
    number = str(item["number"]).strip()

    options = tuple(Option(str(o["letter"]).strip(), str(o["text"])) for o in item["options"])
    keys = [str(o["letter"]).strip() for o in item["options"] if o.get("correct") is True]
    if len(keys) > 1:
        raise ValueError(f"{len(keys)} options are marked correct")

    return ParsedQuestion(
        source=SOURCE,
        external_id=f"{exam_code}:{number}",
        kind=QuestionKind.MULTIPLE_CHOICE,
        statement=str(item["enum"]),
        options=options,
        answer_key=keys[0] if keys else None,
        # No option marked correct: the item was voided (anulada) after the exam.
        voided=not keys,
        board="Cebraspe" if exam < FIRST_FGV_EXAM else "FGV",
        year=year,
        exam_label=f"{exam}º Exame de Ordem Unificado",
        organisation="OAB",
        post="Advogado",
        subject=_subject(item.get("areas")),
        licence=LICENCE,
    )


def _subject(areas: object) -> str | None:
    if not isinstance(areas, list):
        return None
    named = [area for area in areas if isinstance(area, str) and area.strip()]
    if not named:
        return None
    # One item lists two areas; its first is the one the exam files it under.
    area = named[0].strip().upper()
    return AREA_SUBJECTS.get(area, area)


def _describe(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"missing field {exc.args[0]!r}"
    if isinstance(exc, ValueError):
        return str(exc)
    # A field of the wrong type; Python's own wording would mean nothing to an editor.
    return "a field has the wrong type for the OAB format"

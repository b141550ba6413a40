"""The 100,000-question import file, made from the real OAB and ENEM data sets.

The real files hold a few thousand questions; the benchmark repeats them with
distinct external ids (``<id>~r<k>``) until it has the count asked for, and
writes our native JSON Lines format, the format of a bulk import.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import msgspec

from concurso_coach.questions.importers import PARSERS, ImportFormat, ParsedQuestion

SOURCES = (
    ("oab-exams-2010-2018.json", ImportFormat.OAB),
    ("enem-2024.jsonl", ImportFormat.ENEM),
)

_encoder = msgspec.json.Encoder()


def read_real_questions(data_dir: Path) -> list[ParsedQuestion]:
    """Every good item of the real files, in file order."""
    found: list[ParsedQuestion] = []
    for name, import_format in SOURCES:
        path = data_dir / name
        if not path.exists():
            raise FileNotFoundError(f"real question file missing: {path}")
        with path.open("rb") as stream:
            found.extend(
                item for item in PARSERS[import_format](stream) if isinstance(item, ParsedQuestion)
            )
    return found


def native_line(question: ParsedQuestion, repeat: int) -> bytes:
    """One native JSON line; repeat 0 keeps the original external id."""
    external_id = question.external_id if repeat == 0 else f"{question.external_id}~r{repeat}"
    item: dict[str, object] = {
        "source": question.source,
        "external_id": external_id,
        "kind": question.kind.value,
        "statement": question.statement,
        "answer": question.answer_key,
        "options": [{"letter": o.letter, "text": o.text} for o in question.options],
        "voided": question.voided,
        "outdated": question.outdated,
        "board": question.board,
        "year": question.year,
        "exam": question.exam_label,
        "organisation": question.organisation,
        "post": question.post,
        "subject": question.subject,
        "topic": question.topic,
        "licence": question.licence,
        "source_url": question.source_url,
    }
    # `answer` is required (null on a voided item); the other nulls are left out.
    kept = {k: v for k, v in item.items() if v is not None or k == "answer"}
    return _encoder.encode(kept) + b"\n"


def repeated_lines(questions: list[ParsedQuestion], count: int) -> Iterator[bytes]:
    """``count`` lines cycling through ``questions``, each natural key distinct."""
    if not questions:
        raise ValueError("no real questions to repeat")
    for index in range(count):
        repeat, position = divmod(index, len(questions))
        yield native_line(questions[position], repeat)


def write_import_file(data_dir: Path, target: Path, count: int) -> int:
    """Write the import file (once per count) and return its size in bytes."""
    target.parent.mkdir(parents=True, exist_ok=True)
    questions = read_real_questions(data_dir)
    partial = target.with_suffix(".partial")
    with partial.open("wb") as stream:
        for line in repeated_lines(questions, count):
            stream.write(line)
    partial.replace(target)
    return target.stat().st_size

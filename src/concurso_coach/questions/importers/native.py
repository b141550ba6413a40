"""Our own JSON Lines format: one question per line.

The format is documented, field by field, by the JSON Schema in
``docs/questions-jsonl.schema.json``; this parser and that schema accept the
same lines (the tests hold them together).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Literal

import msgspec

from concurso_coach.questions.fields import (
    ExternalId,
    Label,
    OptionText,
    SourceName,
    SourceUrl,
    Statement,
    Year,
)
from concurso_coach.questions.importers.base import (
    ItemProblem,
    Option,
    ParsedQuestion,
    QuestionKind,
    validated,
)

Letter = Literal["A", "B", "C", "D", "E"]
Key = Literal["A", "B", "C", "D", "E"]


class NativeOption(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    letter: Letter
    text: OptionText


class NativeItem(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One line; its fields follow the API's rules (`questions.fields`)."""

    source: SourceName
    external_id: ExternalId
    kind: QuestionKind
    statement: Statement
    answer: Key | None
    options: list[NativeOption] = []
    voided: bool = False
    outdated: bool = False
    board: Label | None = None
    year: Year | None = None
    exam: Label | None = None
    organisation: Label | None = None
    post: Label | None = None
    subject: Label | None = None
    topic: Label | None = None
    licence: Label | None = None
    source_url: SourceUrl | None = None


_decoder = msgspec.json.Decoder(NativeItem)


def parse_native(stream: IO[bytes]) -> Iterator[ParsedQuestion | ItemProblem]:
    """Yield one question or problem per non-blank line of ``stream``."""
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue

        location = f"line {number}"
        try:
            item = _decoder.decode(line)
        except msgspec.DecodeError as exc:
            # msgspec names the offending field, e.g. "at `$.options[2].letter`".
            yield ItemProblem(location, str(exc))
            continue
        except RecursionError:
            yield ItemProblem(location, "malformed JSON: nested too deeply")
            continue

        yield validated(_to_parsed(item), location)


def _to_parsed(item: NativeItem) -> ParsedQuestion:
    return ParsedQuestion(
        source=item.source,
        external_id=item.external_id,
        kind=item.kind,
        statement=item.statement,
        options=tuple(Option(option.letter, option.text) for option in item.options),
        answer_key=item.answer,
        voided=item.voided,
        outdated=item.outdated,
        board=item.board,
        year=item.year,
        exam_label=item.exam,
        organisation=item.organisation,
        post=item.post,
        subject=item.subject,
        topic=item.topic,
        licence=item.licence,
        source_url=item.source_url,
    )

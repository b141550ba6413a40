"""Streaming parsers that turn question files into `ParsedQuestion`s.

Each parser reads a binary stream once, front to back, and yields either a
`ParsedQuestion` or an `ItemProblem`, so a bad item never stops the rest and a
file of any size is read in constant memory. They do no I/O of their own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import IO

from concurso_coach.questions.importers.base import (
    ImportFormat,
    ItemProblem,
    Option,
    ParsedQuestion,
    QuestionKind,
)
from concurso_coach.questions.importers.enem import parse_enem
from concurso_coach.questions.importers.native import parse_native
from concurso_coach.questions.importers.oab import parse_oab

Parser = Callable[[IO[bytes]], Iterator[ParsedQuestion | ItemProblem]]

PARSERS: dict[ImportFormat, Parser] = {
    ImportFormat.NATIVE: parse_native,
    ImportFormat.OAB: parse_oab,
    ImportFormat.ENEM: parse_enem,
}

__all__ = (
    "PARSERS",
    "ImportFormat",
    "ItemProblem",
    "Option",
    "ParsedQuestion",
    "Parser",
    "QuestionKind",
)

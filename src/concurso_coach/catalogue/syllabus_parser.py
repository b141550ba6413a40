"""Parse the conteúdo programático copied from an edital PDF into a syllabus.

A pure core: plain text in, frozen structs out, no I/O. The input is what a
candidate copies from a Cebraspe-style PDF, so lines break mid-sentence, page
breaks leave blank gaps and numbers appear inside topic titles.

How it reads the text:

1. Lines that are block headers (``BLOCO II``, ``CONHECIMENTOS BÁSICOS …``)
   split the text into blocks; subjects before any header go to one implicit
   block named ``IMPLICIT_BLOCK_NAME`` (``""``).
2. A subject starts at a line that begins with a name in capitals, maybe a
   parenthetical note (which may hold a URL), then a colon. Text before the
   first subject, such as ``23.2.1 Nas provas, serão avaliados…``, is ignored.
3. A subject's body is joined into one line with single spaces, and the gap
   a line break leaves after the slash of a number/year (``1.171/ 1994``)
   is closed.
4. A number followed by a space and a non-lowercase letter starts a topic only
   when it is a valid next number in the tree: the first child, the next
   sibling, or the next sibling of an ancestor. Anything else stays in the
   title, so ``Lei nº 8.112/1990`` and ``1º e 2º graus`` survive, and a
   missing period between two items does not matter.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import NamedTuple

from concurso_coach.catalogue.syllabus_model import (
    ParsedBlock,
    ParsedSubject,
    ParsedSyllabus,
    ParsedTopic,
)

__all__ = ["IMPLICIT_BLOCK_NAME", "SyllabusParseError", "parse_syllabus"]

IMPLICIT_BLOCK_NAME = ""

_UPPER = "A-ZÀ-ÖØ-Þ"
_LOWER = "a-zß-öø-ÿ"

# Form feeds are how pdftotext marks page breaks, so they count as whitespace.
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v")

_BLOCO_HEADER = re.compile(r"BLOCO\s+(?:[IVXLCDM]+|\d+)\b[^:]*")

# The bounds keep each attempt short, so that text in capitals (or an unclosed
# parenthesis) cannot make the scan of every line start quadratic.
_NAME_WORD = rf"[{_UPPER}][{_UPPER}\-'’]{{0,40}}"
_SUBJECT_HEADER = re.compile(
    rf"(?P<name>{_NAME_WORD}(?:(?:\s*[,/]\s*|\s+){_NAME_WORD}){{0,24}})"
    r"\s*(?:\((?P<note>[^()]{0,500})\)\s*)?:"
)

_FIRST_TOPIC = re.compile(r"\s*1\s")

# Editais go three levels deep (7.1.2); six is generous, and the bound keeps a
# hostile "1 A 1.1 A 1.1.1 A …" from building a tree too deep to recurse into.
_MAX_TOPIC_DEPTH = 6

# Lowercase after the number means running text ("regra de 3 simples"), since
# Cebraspe capitalises every topic title. Three digits per part are plenty.
_TOPIC_NUMBER = re.compile(
    rf"(?<!\S)(?P<number>\d{{1,3}}(?:\.\d{{1,3}}){{0,{_MAX_TOPIC_DEPTH - 1}}})"
    rf" (?=[^\s{_LOWER}])"
)

# PDF copies break lines right after the slash of "1.171/1994"; no Portuguese
# text puts a space between digit, slash and digit, so the gap is always noise.
_SLASH_GAP = re.compile(r"(?<=\d)/ (?=\d)")

_WHITESPACE = re.compile(r"\s+")

# "etc." ends some titles; its period belongs to the word, not to the item.
_ABBREVIATIONS_ENDING_TITLES = ("etc.",)


class SyllabusParseError(ValueError):
    """The text is not a syllabus; ``reason`` says why, for a human reader."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _TopicStart(NamedTuple):
    path: tuple[int, ...]
    number_at: int
    title_at: int


class _TopicEntry(NamedTuple):
    path: tuple[int, ...]
    title: str


def parse_syllabus(text: str) -> ParsedSyllabus:
    """Read blocks, subjects and topic trees from an edital's syllabus text.

    Raises ``SyllabusParseError`` when the text is empty, binary, or has no
    subject header.
    """
    _reject_non_text(text)

    blocks: list[ParsedBlock] = []
    for name, block_text in _split_blocks(text.splitlines()):
        subjects = tuple(_parse_subjects(block_text))
        if subjects:
            blocks.append(ParsedBlock(name=name, subjects=subjects))

    if not blocks:
        raise SyllabusParseError(
            "No subject was found: a syllabus names each subject in capitals "
            "followed by a colon and its numbered topics, e.g. "
            "'LÍNGUA PORTUGUESA: 1 Compreensão de textos.'"
        )
    return ParsedSyllabus(blocks=tuple(blocks))


def _reject_non_text(text: str) -> None:
    if not text.strip():
        raise SyllabusParseError("The text is empty.")

    for index, char in enumerate(text):
        if _is_binary_char(char):
            line = text.count("\n", 0, index) + 1
            raise SyllabusParseError(
                f"The text has the control character U+{ord(char):04X} on line "
                f"{line}; it looks like binary data, not text copied from an edital."
            )


def _is_binary_char(char: str) -> bool:
    # U+FFFD is what a decoder leaves for bytes that were not text.
    if char == "\ufffd":
        return True
    return unicodedata.category(char) == "Cc" and char not in _ALLOWED_CONTROLS


def _split_blocks(lines: list[str]) -> Iterator[tuple[str, str]]:
    name = IMPLICIT_BLOCK_NAME
    body: list[str] = []

    for line in lines:
        if _is_block_header(line):
            yield name, "\n".join(body)
            name, body = _squash(line), []
        else:
            body.append(line)

    yield name, "\n".join(body)


def _is_block_header(line: str) -> bool:
    stripped = line.strip()
    if _BLOCO_HEADER.fullmatch(stripped):
        return True

    # A subject header split by a line break could leave "CONHECIMENTOS
    # GERAIS:" alone on a line; the colon tells it apart from a block.
    return (
        stripped.startswith("CONHECIMENTOS")
        and not any(char.islower() for char in stripped)
        and not stripped.endswith(":")
    )


def _parse_subjects(block_text: str) -> Iterator[ParsedSubject]:
    headers = list(_find_subject_headers(block_text))
    if not headers:
        return

    ends = [header.start() for header in headers[1:]] + [len(block_text)]

    for header, end in zip(headers, ends, strict=True):
        subject = _parse_subject(header, block_text[header.end() : end])
        if subject.topics:
            yield subject


def _find_subject_headers(block_text: str) -> Iterator[re.Match[str]]:
    searched_up_to = 0
    for line_start in _line_starts(block_text):
        if line_start < searched_up_to:
            continue

        at = _skip_blanks(block_text, line_start)
        header = _SUBJECT_HEADER.match(block_text, at)
        if header is None:
            continue

        # After a lowercase word, capitals at a line start may just continue a
        # sentence the PDF broke ("… segundo a\nONU: …"); only a topic 1 right
        # after the colon shows that the last item merely lacks its period.
        before = block_text[:at].rstrip()
        continues_sentence = bool(before) and before[-1].islower()
        if continues_sentence and not _FIRST_TOPIC.match(block_text, header.end()):
            continue

        searched_up_to = header.end()
        yield header


def _line_starts(text: str) -> Iterator[int]:
    yield 0
    for match in re.finditer("\n", text):
        yield match.end()


def _skip_blanks(text: str, at: int) -> int:
    while at < len(text) and text[at] in " \t":
        at += 1
    return at


def _parse_subject(header: re.Match[str], body: str) -> ParsedSubject:
    name = _squash(header["name"])
    note = _squash(header["note"] or "")
    flat_body = _squash(body)

    starts = _find_topic_starts(flat_body)
    if not starts:
        # Some editais list a subject's content as unnumbered prose.
        topic = ParsedTopic(number="1", title=_clean_title(flat_body))
        return ParsedSubject(name=name, topics=(topic,) if flat_body else (), note=note)

    # Text before topic 1 is a remark on the whole subject, like the note.
    preface = flat_body[: starts[0].number_at].strip()
    note = " ".join(part for part in (note, preface) if part)

    entries = _topic_entries(flat_body, starts)
    return ParsedSubject(name=name, topics=_build_tree(entries), note=note)


def _find_topic_starts(flat_body: str) -> list[_TopicStart]:
    starts: list[_TopicStart] = []
    current: tuple[int, ...] = ()

    for match in _TOPIC_NUMBER.finditer(flat_body):
        path = tuple(int(part) for part in match["number"].split("."))
        if path in _valid_next_paths(current):
            starts.append(_TopicStart(path, match.start(), match.end()))
            current = path

    return starts


def _valid_next_paths(current: tuple[int, ...]) -> set[tuple[int, ...]]:
    if not current:
        return {(1,)}

    first_child = (*current, 1)
    next_siblings = {(*current[:depth], current[depth] + 1) for depth in range(len(current))}
    return {first_child, *next_siblings}


def _topic_entries(flat_body: str, starts: list[_TopicStart]) -> list[_TopicEntry]:
    ends = [start.number_at for start in starts[1:]] + [len(flat_body)]
    return [
        _TopicEntry(start.path, _clean_title(flat_body[start.title_at : end]))
        for start, end in zip(starts, ends, strict=True)
    ]


def _build_tree(entries: list[_TopicEntry]) -> tuple[ParsedTopic, ...]:
    topics: list[ParsedTopic] = []
    index = 0
    while index < len(entries):
        topic, index = _build_subtree(entries, index)
        topics.append(topic)
    return tuple(topics)


def _build_subtree(entries: list[_TopicEntry], index: int) -> tuple[ParsedTopic, int]:
    # Valid-next numbering guarantees that a topic's descendants are exactly
    # the entries after it with a longer number.
    entry = entries[index]
    index += 1

    children: list[ParsedTopic] = []
    while index < len(entries) and len(entries[index].path) > len(entry.path):
        child, index = _build_subtree(entries, index)
        children.append(child)

    number = ".".join(str(part) for part in entry.path)
    return ParsedTopic(number=number, title=entry.title, children=tuple(children)), index


def _clean_title(raw: str) -> str:
    title = raw.strip().rstrip(";").rstrip()
    if title.endswith(".") and not title.endswith(_ABBREVIATIONS_ENDING_TITLES):
        title = title[:-1].rstrip()
    return title


def _squash(text: str) -> str:
    single_spaced = _WHITESPACE.sub(" ", text).strip()
    return _SLASH_GAP.sub("/", single_spaced)

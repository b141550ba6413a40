"""The parsed shape of an edital's syllabus (conteúdo programático).

Plain frozen structs with no I/O, shared by the parser, the renderer and the
services that store a syllabus.
"""

from __future__ import annotations

from collections.abc import Iterator

import msgspec


class ParsedTopic(msgspec.Struct, frozen=True):
    """A numbered topic such as ``3.1.1 Lei nº 8.112/1990 e suas alterações``."""

    number: str
    title: str
    children: tuple[ParsedTopic, ...] = ()

    @property
    def topic_count(self) -> int:
        """This topic plus every topic below it."""
        return 1 + sum(child.topic_count for child in self.children)


class ParsedSubject(msgspec.Struct, frozen=True):
    """A subject (``LÍNGUA PORTUGUESA``) and its topic tree.

    ``note`` keeps the parenthetical text an edital writes between the name and
    the colon, e.g. the address where a PRF history text is published.
    """

    name: str
    topics: tuple[ParsedTopic, ...]
    note: str = ""

    @property
    def topic_count(self) -> int:
        return sum(topic.topic_count for topic in self.topics)


class ParsedBlock(msgspec.Struct, frozen=True):
    """A block of subjects (``BLOCO II``, ``CONHECIMENTOS BÁSICOS``).

    An edital without block headers gives one block whose name is ``""``.
    """

    name: str
    subjects: tuple[ParsedSubject, ...]

    @property
    def topic_count(self) -> int:
        return sum(subject.topic_count for subject in self.subjects)


class ParsedSyllabus(msgspec.Struct, frozen=True):
    """Every block of an edital, in the order the edital lists them."""

    blocks: tuple[ParsedBlock, ...]

    @property
    def block_count(self) -> int:
        return len(self.blocks)

    @property
    def subject_count(self) -> int:
        return sum(len(block.subjects) for block in self.blocks)

    @property
    def topic_count(self) -> int:
        return sum(block.topic_count for block in self.blocks)

    def subjects(self) -> Iterator[ParsedSubject]:
        """Every subject of every block, in edital order."""
        for block in self.blocks:
            yield from block.subjects


class FlatTopic(msgspec.Struct, frozen=True):
    """One topic of a flattened tree, ready to be stored as a row.

    ``position`` is the 0-based index in pre-order within the subject, so sorting
    by it gives the edital's reading order; ``depth`` is 0 for top-level topics.
    """

    number: str
    title: str
    parent_number: str | None
    position: int
    depth: int


def flatten_topics(topics: tuple[ParsedTopic, ...]) -> tuple[FlatTopic, ...]:
    """List a topic tree in pre-order, each topic with its parent's number."""
    flat: list[FlatTopic] = []

    def visit(topic: ParsedTopic, parent_number: str | None, depth: int) -> None:
        flat.append(
            FlatTopic(
                number=topic.number,
                title=topic.title,
                parent_number=parent_number,
                position=len(flat),
                depth=depth,
            )
        )
        for child in topic.children:
            visit(child, topic.number, depth + 1)

    for topic in topics:
        visit(topic, None, 0)
    return tuple(flat)

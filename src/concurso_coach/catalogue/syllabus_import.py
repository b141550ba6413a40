"""Decide what a (re-)import of a syllabus changes: a pure core, no I/O.

A retificação often fixes a few topics of a long syllabus. Candidates' progress
points at topic ids, so every stored topic that can be recognised in the new
text keeps its id. Within a subject (matched by name) topics are paired in
three passes, each over what the previous passes left:

1. same number and same title: unchanged;
2. same title, new number: moved (a topic inserted or dropped above it
   renumbers everything after it; following the title keeps the progress with
   the content the candidate actually studied);
3. same number, new title: renamed (a corrected wording).

Whatever is left is removed (old) or added (new). Repeated titles, such as
"Aplicações" under two parents, pair in reading order.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Callable, Hashable, Sequence
from typing import NamedTuple, TypeVar
from uuid import UUID

import msgspec

from concurso_coach.catalogue.models import (
    NUMBER_MAX_LENGTH,
    PATH_MAX_DEPTH,
    PATH_SEGMENT_WIDTH,
)
from concurso_coach.catalogue.syllabus_model import FlatTopic, ParsedSyllabus, flatten_topics

NAME_MAX_LENGTH = 300
_SEGMENT_MAX = 10**PATH_SEGMENT_WIDTH - 1

K = TypeVar("K", bound=Hashable)


class SyllabusImportError(ValueError):
    """A parsed syllabus that cannot be stored; ``reason`` is for a human reader."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class StoredTopic(msgspec.Struct, frozen=True):
    """A topic as it is stored now, named by its subject."""

    id: UUID
    subject: str
    number: str
    title: str


class AddedTopic(msgspec.Struct, frozen=True):
    subject: str
    number: str
    title: str


class RemovedTopic(msgspec.Struct, frozen=True):
    id: UUID
    subject: str
    number: str
    title: str


class RenamedTopic(msgspec.Struct, frozen=True):
    id: UUID
    subject: str
    number: str
    old_title: str
    new_title: str


class MovedTopic(msgspec.Struct, frozen=True):
    id: UUID
    subject: str
    title: str
    old_number: str
    new_number: str


class SyllabusDiff(msgspec.Struct, frozen=True):
    """What a re-import changes, topic by topic; `unchanged` only counts."""

    added: list[AddedTopic]
    removed: list[RemovedTopic]
    renamed: list[RenamedTopic]
    moved: list[MovedTopic]
    unchanged: int
    subjects_added: list[str]
    subjects_removed: list[str]


class ReimportPlan(NamedTuple):
    diff: SyllabusDiff
    # (subject name, new number) → the stored id the topic keeps.
    kept: dict[tuple[str, str], UUID]
    removed_ids: list[UUID]


def topic_path(number: str) -> str:
    """The sortable, prefix-matching key of a topic number: "5.3" → "00050003"."""
    parts = number.split(".")
    return "".join(part.zfill(PATH_SEGMENT_WIDTH) for part in parts)


def subtree_range(path: str) -> tuple[str, str | None]:
    """Bounds of a subtree: low <= path < high, no high for an all-nines key.

    Every descendant's path starts with the root's, and the root's path read as
    a number plus one is the first key past them all.
    """
    following = str(int(path) + 1)
    if len(following) > len(path):
        return path, None
    return path, following.zfill(len(path))


def check_importable(syllabus: ParsedSyllabus) -> None:
    """Refuse what the tables cannot hold: duplicate names and out-of-range numbers."""
    _check_unique("block", [block.name for block in syllabus.blocks])
    _check_unique("subject", [subject.name for subject in syllabus.subjects()])

    for subject in syllabus.subjects():
        if len(subject.name) > NAME_MAX_LENGTH:
            raise SyllabusImportError(
                f"The subject name starting '{subject.name[:40]}' is longer than "
                f"{NAME_MAX_LENGTH} characters; is a subject header missing its colon?"
            )
        for topic in flatten_topics(subject.topics):
            _check_number(subject.name, topic.number)

    for block in syllabus.blocks:
        if len(block.name) > NAME_MAX_LENGTH:
            raise SyllabusImportError(f"A block name is longer than {NAME_MAX_LENGTH} characters.")


def _check_unique(kind: str, names: list[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise SyllabusImportError(
                f"The {kind} '{name}' appears twice; each {kind} of an exam needs its own name."
            )
        seen.add(name)


def _check_number(subject: str, number: str) -> None:
    parts = number.split(".")
    too_deep = len(parts) > PATH_MAX_DEPTH or len(number) > NUMBER_MAX_LENGTH
    if too_deep or any(int(part) > _SEGMENT_MAX for part in parts):
        raise SyllabusImportError(
            f"Topic {number} of {subject} is out of range: at most {PATH_MAX_DEPTH} "
            f"levels, each numbered up to {_SEGMENT_MAX}."
        )


def plan_reimport(
    stored: Sequence[StoredTopic],
    stored_subjects: Sequence[str],
    syllabus: ParsedSyllabus,
) -> ReimportPlan:
    """Pair stored topics (in reading order) with the new syllabus's topics."""
    old_by_subject: dict[str, list[StoredTopic]] = defaultdict(list)
    for topic in stored:
        old_by_subject[topic.subject].append(topic)

    new_names = [subject.name for subject in syllabus.subjects()]
    diff = _Diff()
    kept: dict[tuple[str, str], UUID] = {}

    for subject in syllabus.subjects():
        old = old_by_subject.pop(subject.name, [])
        new = list(flatten_topics(subject.topics))
        _pair_subject(subject.name, old, new, diff, kept)

    # Subjects that left the syllabus take all their topics with them.
    for topics in old_by_subject.values():
        diff.removed.extend(_removed(topic) for topic in topics)

    plan_diff = SyllabusDiff(
        added=diff.added,
        removed=diff.removed,
        renamed=diff.renamed,
        moved=diff.moved,
        unchanged=diff.unchanged,
        subjects_added=[name for name in new_names if name not in set(stored_subjects)],
        subjects_removed=[name for name in stored_subjects if name not in set(new_names)],
    )
    return ReimportPlan(plan_diff, kept, [topic.id for topic in diff.removed])


class _Diff:
    def __init__(self) -> None:
        self.added: list[AddedTopic] = []
        self.removed: list[RemovedTopic] = []
        self.renamed: list[RenamedTopic] = []
        self.moved: list[MovedTopic] = []
        self.unchanged = 0


def _pair_subject(
    subject: str,
    old: list[StoredTopic],
    new: list[FlatTopic],
    diff: _Diff,
    kept: dict[tuple[str, str], UUID],
) -> None:
    same, old, new = _pair(old, new, lambda t: (t.number, t.title), lambda t: (t.number, t.title))
    moved, old, new = _pair(old, new, lambda t: t.title, lambda t: t.title)
    renamed, old, new = _pair(old, new, lambda t: t.number, lambda t: t.number)

    for was, now in same:
        kept[subject, now.number] = was.id
    diff.unchanged += len(same)

    for was, now in moved:
        kept[subject, now.number] = was.id
        diff.moved.append(MovedTopic(was.id, subject, now.title, was.number, now.number))

    for was, now in renamed:
        kept[subject, now.number] = was.id
        diff.renamed.append(RenamedTopic(was.id, subject, now.number, was.title, now.title))

    diff.removed.extend(_removed(topic) for topic in old)
    diff.added.extend(AddedTopic(subject, topic.number, topic.title) for topic in new)


def _removed(topic: StoredTopic) -> RemovedTopic:
    return RemovedTopic(topic.id, topic.subject, topic.number, topic.title)


def _pair(
    old: list[StoredTopic],
    new: list[FlatTopic],
    old_key: Callable[[StoredTopic], K],
    new_key: Callable[[FlatTopic], K],
) -> tuple[list[tuple[StoredTopic, FlatTopic]], list[StoredTopic], list[FlatTopic]]:
    """Pair items with equal keys in reading order; return the pairs and the rest."""
    waiting: dict[K, deque[StoredTopic]] = defaultdict(deque)
    for was in old:
        waiting[old_key(was)].append(was)

    pairs: list[tuple[StoredTopic, FlatTopic]] = []
    unpaired_new: list[FlatTopic] = []
    for now in new:
        queue = waiting.get(new_key(now))
        if queue:
            pairs.append((queue.popleft(), now))
        else:
            unpaired_new.append(now)

    paired_ids = {was.id for was, _ in pairs}
    unpaired_old = [was for was in old if was.id not in paired_ids]
    return pairs, unpaired_old, unpaired_new

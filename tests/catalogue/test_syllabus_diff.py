"""The pure re-import planner and the materialised topic paths."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest

from concurso_coach.catalogue.syllabus_import import (
    StoredTopic,
    SyllabusImportError,
    check_importable,
    plan_reimport,
    subtree_range,
    topic_path,
)
from concurso_coach.catalogue.syllabus_model import (
    ParsedBlock,
    ParsedSubject,
    ParsedSyllabus,
    ParsedTopic,
    flatten_topics,
)
from concurso_coach.catalogue.syllabus_parser import parse_syllabus


def _stored(text: str) -> list[StoredTopic]:
    return [
        StoredTopic(uuid4(), subject.name, topic.number, topic.title)
        for subject in parse_syllabus(text).subjects()
        for topic in flatten_topics(subject.topics)
    ]


def _id_of(stored: list[StoredTopic], number: str) -> UUID:
    return next(topic.id for topic in stored if topic.number == number)


def test_path_pads_every_part_so_ten_sorts_after_nine() -> None:
    assert topic_path("9") < topic_path("10") < topic_path("10.1") < topic_path("11")


def test_path_of_a_child_starts_with_its_parent_path() -> None:
    assert topic_path("5.3.2") == "000500030002"


def test_subtree_range_stops_before_the_next_sibling() -> None:
    low, high = subtree_range(topic_path("5.3"))

    assert low <= topic_path("5.3.9999") < str(high)
    assert not low <= topic_path("5.4") < str(high)


def test_subtree_range_of_the_last_possible_key_is_open_ended() -> None:
    assert subtree_range("9999") == ("9999", None)


def _one_topic(number: str) -> ParsedSyllabus:
    subject = ParsedSubject(name="INFORMÁTICA", topics=(ParsedTopic(number, "Redes"),))
    return ParsedSyllabus(blocks=(ParsedBlock(name="", subjects=(subject,)),))


def test_topic_number_beyond_four_digits_is_refused() -> None:
    with pytest.raises(SyllabusImportError, match="out of range"):
        check_importable(_one_topic("10000"))


def test_swapped_titles_follow_their_content() -> None:
    stored = _stored("INFORMÁTICA: 1 Redes. 2 Segurança.")

    plan = plan_reimport(
        stored, ["INFORMÁTICA"], parse_syllabus("INFORMÁTICA: 1 Segurança. 2 Redes.")
    )

    assert plan.kept[("INFORMÁTICA", "1")] == _id_of(stored, "2")
    assert [(m.old_number, m.new_number) for m in plan.diff.moved] == [("2", "1"), ("1", "2")]


def test_repeated_titles_pair_in_reading_order() -> None:
    stored = _stored("MATEMÁTICA: 1 Funções. 1.1 Aplicações. 2 Métrica. 2.1 Aplicações.")

    new = parse_syllabus("MATEMÁTICA: 1 Funções. 1.1 Aplicações. 2 Métrica. 2.1 Aplicações.")
    plan = plan_reimport(stored, ["MATEMÁTICA"], new)

    assert plan.kept[("MATEMÁTICA", "2.1")] == _id_of(stored, "2.1")
    assert plan.diff.unchanged == 4


def test_renamed_subject_removes_and_adds_its_topics() -> None:
    stored = _stored("INFORMÁTICA: 1 Redes.")

    plan = plan_reimport(stored, ["INFORMÁTICA"], parse_syllabus("NOÇÕES DE INFORMÁTICA: 1 Redes."))

    assert (plan.diff.subjects_removed, plan.diff.subjects_added) == (
        ["INFORMÁTICA"],
        ["NOÇÕES DE INFORMÁTICA"],
    )
    assert plan.removed_ids == [stored[0].id]
    assert plan.kept == {}

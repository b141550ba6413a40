"""Write a syllabus back in edital style, one subject per line.

The inverse of ``parse_syllabus`` for any syllabus it produced: editors use it
to show a stored syllabus as the edital printed it.
"""

from __future__ import annotations

from concurso_coach.catalogue.syllabus_model import (
    ParsedSubject,
    ParsedSyllabus,
    flatten_topics,
)

__all__ = ["render_subject", "render_syllabus"]


def render_syllabus(syllabus: ParsedSyllabus) -> str:
    """Render blocks as header lines and each subject as one paragraph line."""
    lines: list[str] = []
    for block in syllabus.blocks:
        # The implicit block of an edital without headers has no line to print.
        if block.name:
            lines.append(block.name)
        lines.extend(render_subject(subject) for subject in block.subjects)
    return "\n".join(lines) + "\n"


def render_subject(subject: ParsedSubject) -> str:
    """Render ``NAME (note): 1 Title. 1.1 Title. 2 Title.``."""
    heading = f"{subject.name} ({subject.note})" if subject.note else subject.name
    items = [
        f"{topic.number} {_with_final_period(topic.title)}"
        for topic in flatten_topics(subject.topics)
    ]
    return f"{heading}: {' '.join(items)}"


def _with_final_period(title: str) -> str:
    return title if title.endswith(".") else f"{title}."

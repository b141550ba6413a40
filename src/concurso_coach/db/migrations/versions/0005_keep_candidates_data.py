"""Deleting an answered question or a goal's exam is refused, not cascaded.

Attempts and mock-exam items (a candidate's history) and goals (their plan's
anchor) used to vanish with the question or exam they point at. With RESTRICT
the database refuses the delete; the API answers 409 and says what to do
instead (void the question, close the exam).

Revision ID: 0005_keep_candidates_data
Revises: 0004_coach
Create Date: 2026-12-04 00:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0005_keep_candidates_data"
down_revision = "0004_coach"
branch_labels = None
depends_on = None

__all__ = ("downgrade", "upgrade")

# (table, column, referred table, constraint name)
_GUARDED = (
    ("attempts", "question_id", "questions", "fk_attempts_question_id_questions"),
    ("mock_exam_items", "question_id", "questions", "fk_mock_exam_items_question_id_questions"),
    ("coach_goals", "exam_id", "exams", "fk_coach_goals_exam_id_exams"),
)


def _set_on_delete(rule: str) -> None:
    # Batch mode: SQLite can only change a foreign key by copying its table.
    for table, column, referred, name in _GUARDED:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(name, type_="foreignkey")
            batch.create_foreign_key(name, referred, [column], ["id"], ondelete=rule)


def upgrade() -> None:
    _set_on_delete("RESTRICT")


def downgrade() -> None:
    _set_on_delete("CASCADE")

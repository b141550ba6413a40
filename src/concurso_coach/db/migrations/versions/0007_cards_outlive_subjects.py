"""A question's review card outlives the subject it was filed under.

Re-importing a corrected edital may drop a subject. Its topic cards go with its
topics (nothing is left to review), but a card of a wrongly answered question is
the candidate's error notebook: the question still exists, so the card stays and
only forgets its subject (SET NULL instead of CASCADE).

Revision ID: 0007_cards_outlive_subjects
Revises: 0006_search_both_stems
Create Date: 2026-12-04 00:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0007_cards_outlive_subjects"
down_revision = "0006_search_both_stems"
branch_labels = None
depends_on = None

__all__ = ("downgrade", "upgrade")

_NAME = "fk_coach_review_cards_subject_id_subjects"


def _set_on_delete(rule: str) -> None:
    # Batch mode: SQLite can only change a foreign key by copying its table.
    with op.batch_alter_table("coach_review_cards") as batch:
        batch.drop_constraint(_NAME, type_="foreignkey")
        batch.create_foreign_key(_NAME, "subjects", ["subject_id"], ["id"], ondelete=rule)


def upgrade() -> None:
    _set_on_delete("SET NULL")


def downgrade() -> None:
    _set_on_delete("CASCADE")

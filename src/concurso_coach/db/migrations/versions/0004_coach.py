"""Coach: goals, mastery, review cards and log, study plans, activity days.

Revision ID: 0004_coach
Revises: 0003_questions
Create Date: 2025-01-04 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from advanced_alchemy.types import GUID, DateTimeUTC
from alembic import op

revision = "0004_coach"
down_revision = "0003_questions"
branch_labels = None
depends_on = None

__all__ = ("downgrade", "upgrade")


def _id() -> sa.Column[object]:
    return sa.Column("id", GUID(length=16), nullable=False)


def _audit_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", DateTimeUTC(timezone=True), nullable=False),
    ]


def _account_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["account_id"], ["account.id"], name=f"fk_{table}_account_id_account", ondelete="CASCADE"
    )


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}", ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "coach_goals",
        _id(),
        sa.Column("account_id", GUID(length=16), nullable=False),
        sa.Column("exam_id", GUID(length=16), nullable=False),
        sa.Column("exam_date", sa.Date(), nullable=False),
        sa.Column("weekly_minutes", sa.JSON(), nullable=False),
        sa.Column("self_assessment", sa.JSON(), nullable=False),
        *_audit_columns(),
        sa.PrimaryKeyConstraint("id", name="pk_coach_goals"),
        _account_fk("coach_goals"),
        _fk("coach_goals", "exam_id", "exams"),
        sa.UniqueConstraint("account_id", name="uq_coach_goals_account_id"),
    )
    op.create_index("ix_coach_goals_exam_id", "coach_goals", ["exam_id"])

    op.create_table(
        "coach_mastery",
        _id(),
        sa.Column("account_id", GUID(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("target_id", GUID(length=16), nullable=False),
        sa.Column("subject_id", GUID(length=16), nullable=False),
        sa.Column("topic_id", GUID(length=16), nullable=True),
        sa.Column("mastery", sa.Float(), nullable=False),
        sa.Column("evidence", sa.Float(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        *_audit_columns(),
        sa.PrimaryKeyConstraint("id", name="pk_coach_mastery"),
        _account_fk("coach_mastery"),
        _fk("coach_mastery", "subject_id", "subjects"),
        _fk("coach_mastery", "topic_id", "topics"),
        sa.UniqueConstraint(
            "account_id", "kind", "target_id", name="uq_coach_mastery_account_id_kind_target_id"
        ),
        sa.CheckConstraint("kind IN ('subject', 'topic')", name="ck_coach_mastery_kind_known"),
    )
    op.create_index("ix_coach_mastery_subject_id", "coach_mastery", ["subject_id"])
    op.create_index("ix_coach_mastery_topic_id", "coach_mastery", ["topic_id"])

    op.create_table(
        "coach_review_cards",
        _id(),
        sa.Column("account_id", GUID(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("target_id", GUID(length=16), nullable=False),
        sa.Column("topic_id", GUID(length=16), nullable=True),
        sa.Column("question_id", GUID(length=16), nullable=True),
        sa.Column("subject_id", GUID(length=16), nullable=True),
        sa.Column("phase", sa.SmallInteger(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=True),
        sa.Column("stability", sa.Float(), nullable=True),
        sa.Column("difficulty", sa.Float(), nullable=True),
        sa.Column("due", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("last_review", DateTimeUTC(timezone=True), nullable=True),
        sa.Column("reviews", sa.Integer(), nullable=False),
        *_audit_columns(),
        sa.PrimaryKeyConstraint("id", name="pk_coach_review_cards"),
        _account_fk("coach_review_cards"),
        _fk("coach_review_cards", "topic_id", "topics"),
        _fk("coach_review_cards", "question_id", "questions"),
        _fk("coach_review_cards", "subject_id", "subjects"),
        sa.UniqueConstraint(
            "account_id",
            "kind",
            "target_id",
            name="uq_coach_review_cards_account_id_kind_target_id",
        ),
        sa.CheckConstraint(
            "kind IN ('topic', 'question')", name="ck_coach_review_cards_kind_known"
        ),
    )
    op.create_index(
        "ix_coach_review_cards_account_id_due", "coach_review_cards", ["account_id", "due"]
    )
    op.create_index("ix_coach_review_cards_topic_id", "coach_review_cards", ["topic_id"])
    op.create_index("ix_coach_review_cards_question_id", "coach_review_cards", ["question_id"])
    op.create_index("ix_coach_review_cards_subject_id", "coach_review_cards", ["subject_id"])

    op.create_table(
        "coach_review_logs",
        _id(),
        sa.Column("card_id", GUID(length=16), nullable=False),
        sa.Column("account_id", GUID(length=16), nullable=False),
        sa.Column("grade", sa.SmallInteger(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("reviewed_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("retrievability", sa.Float(), nullable=False),
        sa.Column("interval_seconds", sa.Float(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        *_audit_columns(),
        sa.PrimaryKeyConstraint("id", name="pk_coach_review_logs"),
        _fk("coach_review_logs", "card_id", "coach_review_cards"),
        _account_fk("coach_review_logs"),
    )
    op.create_index("ix_coach_review_logs_card_id", "coach_review_logs", ["card_id"])
    op.create_index("ix_coach_review_logs_account_id", "coach_review_logs", ["account_id"])

    op.create_table(
        "coach_study_plans",
        _id(),
        sa.Column("account_id", GUID(length=16), nullable=False),
        sa.Column("computed_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("plan", sa.JSON(), nullable=False),
        sa.Column("inputs_hash", sa.String(length=64), nullable=False),
        sa.Column("cycle_position", sa.Integer(), nullable=False),
        sa.Column("next_cycle_position", sa.Integer(), nullable=False),
        sa.Column("last_agenda_day", sa.Date(), nullable=True),
        *_audit_columns(),
        sa.PrimaryKeyConstraint("id", name="pk_coach_study_plans"),
        _account_fk("coach_study_plans"),
        sa.UniqueConstraint("account_id", name="uq_coach_study_plans_account_id"),
    )

    op.create_table(
        "coach_activity_days",
        _id(),
        sa.Column("account_id", GUID(length=16), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        *_audit_columns(),
        sa.PrimaryKeyConstraint("id", name="pk_coach_activity_days"),
        _account_fk("coach_activity_days"),
        sa.UniqueConstraint("account_id", "day", name="uq_coach_activity_days_account_id_day"),
    )


def downgrade() -> None:
    op.drop_table("coach_activity_days")
    op.drop_table("coach_study_plans")
    op.drop_index("ix_coach_review_logs_account_id", table_name="coach_review_logs")
    op.drop_index("ix_coach_review_logs_card_id", table_name="coach_review_logs")
    op.drop_table("coach_review_logs")
    op.drop_index("ix_coach_review_cards_subject_id", table_name="coach_review_cards")
    op.drop_index("ix_coach_review_cards_question_id", table_name="coach_review_cards")
    op.drop_index("ix_coach_review_cards_topic_id", table_name="coach_review_cards")
    op.drop_index("ix_coach_review_cards_account_id_due", table_name="coach_review_cards")
    op.drop_table("coach_review_cards")
    op.drop_index("ix_coach_mastery_topic_id", table_name="coach_mastery")
    op.drop_index("ix_coach_mastery_subject_id", table_name="coach_mastery")
    op.drop_table("coach_mastery")
    op.drop_index("ix_coach_goals_exam_id", table_name="coach_goals")
    op.drop_table("coach_goals")

"""Question bank, upload staging, attempts and mock exams.

On PostgreSQL it also installs ``unaccent`` and an expression GIN index for
Portuguese full-text search. ``unaccent()`` itself is only STABLE (its
dictionary could change), so an index needs the IMMUTABLE wrapper
``coach_unaccent`` that names the dictionary explicitly.

Revision ID: 0003_questions
Revises: 0002_catalogue
Create Date: 2025-01-03 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from advanced_alchemy.types import GUID, DateTimeUTC
from alembic import op

revision = "0003_questions"
down_revision = "0002_catalogue"
branch_labels = None
depends_on = None

__all__ = ("downgrade", "upgrade")

SEARCH_INDEX = "ix_questions_search"

_UNACCENT_FUNCTION = """
CREATE OR REPLACE FUNCTION coach_unaccent(text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$
"""

_SEARCH_INDEX_DDL = f"""
CREATE INDEX {SEARCH_INDEX} ON questions USING gin (
    to_tsvector('portuguese'::regconfig, coach_unaccent(statement || ' ' || options_text))
)
"""


def _audit_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", DateTimeUTC(timezone=True), nullable=False),
    ]


def _fk(column: str, table: str, referred: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{referred}.id"], name=f"fk_{table}_{column}_{referred}", ondelete=ondelete
    )


def upgrade() -> None:
    _create_questions()
    _create_uploads()
    _create_mock_exams()
    _create_attempts()

    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public")
        op.execute(_UNACCENT_FUNCTION)
        op.execute(_SEARCH_INDEX_DDL)


def _create_questions() -> None:
    op.create_table(
        "questions",
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("board_id", GUID(length=16), nullable=True),
        sa.Column("exam_id", GUID(length=16), nullable=True),
        sa.Column("subject_id", GUID(length=16), nullable=True),
        sa.Column("topic_id", GUID(length=16), nullable=True),
        sa.Column("year", sa.SmallInteger(), nullable=True),
        sa.Column("exam_label", sa.String(length=300), nullable=True),
        sa.Column("organisation", sa.String(length=300), nullable=True),
        sa.Column("post", sa.String(length=300), nullable=True),
        sa.Column("subject_name", sa.String(length=300), nullable=True),
        sa.Column("subject_key", sa.String(length=300), nullable=True),
        sa.Column("topic_name", sa.String(length=300), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("options_text", sa.Text(), nullable=False),
        sa.Column("answer_key", sa.String(length=1), nullable=True),
        sa.Column("voided", sa.Boolean(), nullable=False),
        sa.Column("outdated", sa.Boolean(), nullable=False),
        sa.Column("licence", sa.String(length=300), nullable=True),
        sa.Column("source_url", sa.String(length=2000), nullable=True),
        sa.Column("search_text", sa.Text(), nullable=False),
        *_audit_columns(),
        sa.PrimaryKeyConstraint("id", name="pk_questions"),
        _fk("board_id", "questions", "boards", "SET NULL"),
        _fk("exam_id", "questions", "exams", "SET NULL"),
        _fk("subject_id", "questions", "subjects", "SET NULL"),
        _fk("topic_id", "questions", "topics", "SET NULL"),
        sa.UniqueConstraint("source", "external_id", name="uq_questions_source_external_id"),
        sa.CheckConstraint(
            "kind IN ('true_false', 'multiple_choice')", name="ck_questions_kind_known"
        ),
    )
    op.create_index("ix_questions_board_id_year", "questions", ["board_id", "year"])
    op.create_index("ix_questions_subject_key", "questions", ["subject_key"])
    op.create_index("ix_questions_exam_id", "questions", ["exam_id"])
    op.create_index("ix_questions_subject_id", "questions", ["subject_id"])
    op.create_index("ix_questions_topic_id", "questions", ["topic_id"])


def _create_uploads() -> None:
    op.create_table(
        "question_uploads",
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("owner_id", GUID(length=16), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("filename", sa.String(length=300), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        *_audit_columns(),
        sa.PrimaryKeyConstraint("id", name="pk_question_uploads"),
        _fk("owner_id", "question_uploads", "account", "CASCADE"),
    )
    op.create_index("ix_question_uploads_owner_id", "question_uploads", ["owner_id"])


def _create_mock_exams() -> None:
    op.create_table(
        "mock_exams",
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("account_id", GUID(length=16), nullable=False),
        sa.Column("exam_id", GUID(length=16), nullable=True),
        sa.Column("exam_title", sa.String(length=700), nullable=False),
        sa.Column("started_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("deadline", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("time_limit_minutes", sa.Integer(), nullable=False),
        sa.Column("submitted_at", DateTimeUTC(timezone=True), nullable=True),
        sa.Column("structure", sa.JSON(), nullable=False),
        sa.Column("shortfall", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        *_audit_columns(),
        sa.PrimaryKeyConstraint("id", name="pk_mock_exams"),
        _fk("account_id", "mock_exams", "account", "CASCADE"),
        _fk("exam_id", "mock_exams", "exams", "SET NULL"),
    )
    op.create_index("ix_mock_exams_account_id", "mock_exams", ["account_id"])
    op.create_index("ix_mock_exams_exam_id", "mock_exams", ["exam_id"])

    op.create_table(
        "mock_exam_items",
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("mock_exam_id", GUID(length=16), nullable=False),
        sa.Column("question_id", GUID(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("subject_name", sa.String(length=300), nullable=False),
        sa.Column("answer", sa.String(length=1), nullable=True),
        sa.Column("result", sa.String(length=8), nullable=True),
        *_audit_columns(),
        sa.PrimaryKeyConstraint("id", name="pk_mock_exam_items"),
        _fk("mock_exam_id", "mock_exam_items", "mock_exams", "CASCADE"),
        _fk("question_id", "mock_exam_items", "questions", "CASCADE"),
        sa.UniqueConstraint(
            "mock_exam_id", "question_id", name="uq_mock_exam_items_mock_exam_id_question_id"
        ),
    )
    op.create_index("ix_mock_exam_items_question_id", "mock_exam_items", ["question_id"])


def _create_attempts() -> None:
    op.create_table(
        "attempts",
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("account_id", GUID(length=16), nullable=False),
        sa.Column("question_id", GUID(length=16), nullable=False),
        sa.Column("mock_exam_id", GUID(length=16), nullable=True),
        sa.Column("answer", sa.String(length=1), nullable=True),
        sa.Column("result", sa.String(length=8), nullable=False),
        sa.Column("points", sa.SmallInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("subject_id", GUID(length=16), nullable=True),
        sa.Column("subject_name", sa.String(length=300), nullable=True),
        sa.Column("topic_id", GUID(length=16), nullable=True),
        sa.Column("topic_name", sa.String(length=300), nullable=True),
        sa.Column("elapsed_ms", sa.Integer(), nullable=False),
        sa.Column("confidence", sa.SmallInteger(), nullable=True),
        *_audit_columns(),
        sa.PrimaryKeyConstraint("id", name="pk_attempts"),
        _fk("account_id", "attempts", "account", "CASCADE"),
        _fk("question_id", "attempts", "questions", "CASCADE"),
        _fk("mock_exam_id", "attempts", "mock_exams", "SET NULL"),
        sa.CheckConstraint(
            "result IN ('right', 'wrong', 'blank')", name="ck_attempts_result_known"
        ),
    )
    op.create_index("ix_attempts_account_id_created_at", "attempts", ["account_id", "created_at"])
    op.create_index("ix_attempts_account_id_question_id", "attempts", ["account_id", "question_id"])
    op.create_index("ix_attempts_question_id", "attempts", ["question_id"])
    op.create_index("ix_attempts_mock_exam_id", "attempts", ["mock_exam_id"])


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {SEARCH_INDEX}")
        # The extension stays: other schemas or features may use it.
        op.execute("DROP FUNCTION IF EXISTS coach_unaccent(text)")

    op.drop_table("attempts")
    op.drop_table("mock_exam_items")
    op.drop_table("mock_exams")
    op.drop_table("question_uploads")
    op.drop_table("questions")

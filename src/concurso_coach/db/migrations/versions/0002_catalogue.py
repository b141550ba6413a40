"""Exam catalogue: boards, exams, blocks, subjects and syllabus topics.

Revision ID: 0002_catalogue
Revises: 0001_accounts
Create Date: 2025-01-02 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from advanced_alchemy.types import GUID, DateTimeUTC
from alembic import op

revision = "0002_catalogue"
down_revision = "0001_accounts"
branch_labels = None
depends_on = None

__all__ = ("downgrade", "upgrade")


def _audit_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", DateTimeUTC(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "boards",
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("acronym", sa.String(length=40), nullable=False),
        sa.Column("default_scoring_rule", sa.String(length=32), nullable=False),
        *_audit_columns(),
        sa.PrimaryKeyConstraint("id", name="pk_boards"),
        sa.UniqueConstraint("acronym", name="uq_boards_acronym"),
    )
    op.create_table(
        "exams",
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("organisation", sa.String(length=300), nullable=False),
        sa.Column("post", sa.String(length=300), nullable=False),
        sa.Column("board_id", GUID(length=16), nullable=False),
        sa.Column("scoring_rule", sa.String(length=32), nullable=True),
        sa.Column("exam_date", sa.Date(), nullable=True),
        sa.Column("exam_starts_at", DateTimeUTC(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("edital_number", sa.String(length=200), nullable=True),
        sa.Column("edital_url", sa.String(length=2000), nullable=True),
        sa.Column("option_count", sa.SmallInteger(), nullable=True),
        sa.Column("search_text", sa.String(length=601), nullable=False),
        *_audit_columns(),
        sa.PrimaryKeyConstraint("id", name="pk_exams"),
        sa.ForeignKeyConstraint(
            ["board_id"], ["boards.id"], name="fk_exams_board_id_boards", ondelete="RESTRICT"
        ),
    )
    op.create_index("ix_exams_board_id", "exams", ["board_id"])
    op.create_index("ix_exams_exam_date", "exams", ["exam_date"])
    op.create_index("ix_exams_status", "exams", ["status"])

    op.create_table(
        "blocks",
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("exam_id", GUID(length=16), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("minimum_score", sa.Float(), nullable=True),
        *_audit_columns(),
        sa.PrimaryKeyConstraint("id", name="pk_blocks"),
        sa.ForeignKeyConstraint(
            ["exam_id"], ["exams.id"], name="fk_blocks_exam_id_exams", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("exam_id", "name", name="uq_blocks_exam_id_name"),
    )
    op.create_table(
        "subjects",
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("exam_id", GUID(length=16), nullable=False),
        sa.Column("block_id", GUID(length=16), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("question_count", sa.Integer(), nullable=False),
        sa.Column("minimum_score", sa.Float(), nullable=True),
        *_audit_columns(),
        sa.PrimaryKeyConstraint("id", name="pk_subjects"),
        sa.ForeignKeyConstraint(
            ["exam_id"], ["exams.id"], name="fk_subjects_exam_id_exams", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["block_id"], ["blocks.id"], name="fk_subjects_block_id_blocks"),
        sa.UniqueConstraint("exam_id", "name", name="uq_subjects_exam_id_name"),
    )
    op.create_index("ix_subjects_block_id", "subjects", ["block_id"])

    op.create_table(
        "topics",
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("exam_id", GUID(length=16), nullable=False),
        sa.Column("subject_id", GUID(length=16), nullable=False),
        sa.Column("parent_id", GUID(length=16), nullable=True),
        sa.Column("number", sa.String(length=100), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("depth", sa.SmallInteger(), nullable=False),
        sa.Column("path", sa.String(length=64), nullable=False),
        *_audit_columns(),
        sa.PrimaryKeyConstraint("id", name="pk_topics"),
        sa.ForeignKeyConstraint(
            ["exam_id"], ["exams.id"], name="fk_topics_exam_id_exams", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["subjects.id"],
            name="fk_topics_subject_id_subjects",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["topics.id"], name="fk_topics_parent_id_topics", ondelete="CASCADE"
        ),
        # Also the index of subtree queries: subject_id = ? AND path in [low, high).
        sa.UniqueConstraint("subject_id", "path", name="uq_topics_subject_id_path"),
    )
    op.create_index("ix_topics_parent_id", "topics", ["parent_id"])
    op.create_index("ix_topics_exam_id_path", "topics", ["exam_id", "path"])


def downgrade() -> None:
    op.drop_index("ix_topics_exam_id_path", table_name="topics")
    op.drop_index("ix_topics_parent_id", table_name="topics")
    op.drop_table("topics")
    op.drop_index("ix_subjects_block_id", table_name="subjects")
    op.drop_table("subjects")
    op.drop_table("blocks")
    op.drop_index("ix_exams_status", table_name="exams")
    op.drop_index("ix_exams_exam_date", table_name="exams")
    op.drop_index("ix_exams_board_id", table_name="exams")
    op.drop_table("exams")
    op.drop_table("boards")

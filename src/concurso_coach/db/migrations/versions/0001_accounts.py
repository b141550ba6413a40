"""Accounts and refresh tokens.

Revision ID: 0001_accounts
Revises:
Create Date: 2025-01-01 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from advanced_alchemy.types import GUID, DateTimeUTC
from alembic import op

revision = "0001_accounts"
down_revision = None
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
        "account",
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("display_name", sa.String(length=300), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        *_audit_columns(),
        sa.PrimaryKeyConstraint("id", name="pk_account"),
        sa.UniqueConstraint("email", name="uq_account_email"),
        sa.CheckConstraint(
            "role IN ('candidate', 'editor', 'admin')", name="ck_account_role_known"
        ),
    )
    op.create_table(
        "refresh_token",
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("account_id", GUID(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("revoked_at", DateTimeUTC(timezone=True), nullable=True),
        *_audit_columns(),
        sa.PrimaryKeyConstraint("id", name="pk_refresh_token"),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
            name="fk_refresh_token_account_id_account",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("token_hash", name="uq_refresh_token_token_hash"),
    )
    op.create_index("ix_refresh_token_account_id", "refresh_token", ["account_id"])


def downgrade() -> None:
    op.drop_index("ix_refresh_token_account_id", table_name="refresh_token")
    op.drop_table("refresh_token")
    op.drop_table("account")

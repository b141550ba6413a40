"""The search vector is a stored column, computed once per row.

Since 0006 the vector (each word stemmed with and without its accents) costs two
`to_tsvector` calls, and the planner does not know it. For a word many rows hold
it chose a sequential scan that recomputed the vector of every row (0.8 s on the
real 2,320 questions, seconds on 100,000), and before the table was analysed it did
so for every word. A generated column holds the vector; the GIN index is on it; a
scan, when the planner picks one, reads it instead of recomputing it.

PostgreSQL only: the embedded default searches its folded text column.

Revision ID: 0008_stored_search_vector
Revises: 0007_cards_outlive_subjects
Create Date: 2026-12-04 00:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0008_stored_search_vector"
down_revision = "0007_cards_outlive_subjects"
branch_labels = None
depends_on = None

__all__ = ("downgrade", "upgrade")

SEARCH_INDEX = "ix_questions_search"

_ADD_COLUMN = """
ALTER TABLE questions ADD COLUMN search_vector tsvector
GENERATED ALWAYS AS (public.coach_search_vector(statement || ' ' || options_text)) STORED
"""

_OLD_INDEX = f"""
CREATE INDEX {SEARCH_INDEX} ON questions
USING gin (coach_search_vector(statement || ' ' || options_text))
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP INDEX IF EXISTS {SEARCH_INDEX}")
    op.execute(_ADD_COLUMN)
    op.execute(f"CREATE INDEX {SEARCH_INDEX} ON questions USING gin (search_vector)")
    # Fresh statistics, or the first searches are planned on guesses.
    op.execute("ANALYZE questions")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP INDEX IF EXISTS {SEARCH_INDEX}")
    op.execute("ALTER TABLE questions DROP COLUMN search_vector")
    op.execute(_OLD_INDEX)

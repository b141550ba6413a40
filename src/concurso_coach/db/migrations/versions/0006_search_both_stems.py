"""Portuguese search indexes each word stemmed with and without its accents.

Stemming after unaccent (0003) left plurals apart: "licitações" became
``licitaco`` and "licitação" ``licitaca``. The Snowball stemmer conflates them
only in their accented form (both ``licit``), so the search vector now holds both
stemmings, and a query matches when either of its forms does. A query typed
without accents still meets the unaccented stems, as before.

Revision ID: 0006_search_both_stems
Revises: 0005_keep_candidates_data
Create Date: 2026-12-04 00:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0006_search_both_stems"
down_revision = "0005_keep_candidates_data"
branch_labels = None
depends_on = None

__all__ = ("downgrade", "upgrade")

SEARCH_INDEX = "ix_questions_search"

# Names inside the bodies are schema-qualified: PostgreSQL 17 runs index builds and
# maintenance with search_path = pg_catalog, pg_temp. (No SET clause: it would stop
# the planner from inlining these one-line functions.)
_FUNCTIONS = """
CREATE OR REPLACE FUNCTION coach_search_vector(text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$
  SELECT pg_catalog.to_tsvector('portuguese'::regconfig, public.coach_unaccent($1))
      || public.coach_unaccent(
           pg_catalog.to_tsvector('portuguese'::regconfig, $1)::text
         )::tsvector
$$;

CREATE OR REPLACE FUNCTION coach_search_query(text) RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$
  SELECT pg_catalog.websearch_to_tsquery('portuguese'::regconfig, public.coach_unaccent($1))
      || public.coach_unaccent(
           pg_catalog.websearch_to_tsquery('portuguese'::regconfig, $1)::text
         )::tsquery
$$;
"""

_NEW_INDEX = f"""
CREATE INDEX {SEARCH_INDEX} ON questions
USING gin (coach_search_vector(statement || ' ' || options_text))
"""

_OLD_INDEX = f"""
CREATE INDEX {SEARCH_INDEX} ON questions USING gin (
    to_tsvector('portuguese'::regconfig, coach_unaccent(statement || ' ' || options_text))
)
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_FUNCTIONS)
    op.execute(f"DROP INDEX IF EXISTS {SEARCH_INDEX}")
    op.execute(_NEW_INDEX)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP INDEX IF EXISTS {SEARCH_INDEX}")
    op.execute(_OLD_INDEX)
    op.execute("DROP FUNCTION IF EXISTS coach_search_query(text)")
    op.execute("DROP FUNCTION IF EXISTS coach_search_vector(text)")

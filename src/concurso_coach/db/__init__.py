"""Database wiring: engine configuration, model registry and Alembic migrations."""

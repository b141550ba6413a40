"""Cross-cutting plumbing: logging, errors, database, Redis, health, pagination."""

"""Imports every feature's tables so that Alembic and the mappers see all of them.

Add one import line per feature module that declares tables.
"""

from __future__ import annotations

from advanced_alchemy.base import orm_registry

import concurso_coach.accounts.models
import concurso_coach.catalogue.models
import concurso_coach.coach.models
import concurso_coach.practice.models
import concurso_coach.questions.models  # noqa: F401

metadata = orm_registry.metadata

__all__ = ("metadata",)

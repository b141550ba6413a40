"""Statements as the app's engine sent them to psycopg, kept for replay elsewhere.

The driver ceiling must replay the very SQL of each endpoint with the same
parameters, in another process; psycopg's JSON wrappers are swapped for a
plain marker so that a trace pickles, and swapped back before replay.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from psycopg.types.json import Json, Jsonb

# INSERT parameters holding a new row's primary key: `id`, or `id__3` in a multi-row insert.
_PRIMARY_KEY_PARAM = re.compile(r"^id(__\d+)?$")


@dataclass(frozen=True)
class JsonParam:
    value: Any
    binary: bool


@dataclass(frozen=True)
class Statement:
    sql: str
    params: Any
    many: bool

    @property
    def inserts(self) -> bool:
        return self.sql.lstrip().upper().startswith("INSERT")


Trace = list[Statement]


def portable(value: Any) -> Any:
    """``value`` with psycopg JSON wrappers replaced by `JsonParam` markers."""
    if isinstance(value, Jsonb):
        return JsonParam(value.obj, binary=True)
    if isinstance(value, Json):
        return JsonParam(value.obj, binary=False)
    if isinstance(value, dict):
        return {key: portable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(portable(item) for item in value)
    return value


def restored(value: Any) -> Any:
    """The inverse of `portable`: markers become psycopg JSON wrappers again."""
    if isinstance(value, JsonParam):
        return Jsonb(value.value) if value.binary else Json(value.value)
    if isinstance(value, dict):
        return {key: restored(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(restored(item) for item in value)
    return value


def fresh_keys(params: Any) -> Any:
    """Give every primary-key parameter of an INSERT a new UUID, so replays never collide.

    SQLAlchemy may hand psycopg a UUID or its text; the new key keeps the type.
    """
    if isinstance(params, dict):
        return {
            key: _new_key(value) if _PRIMARY_KEY_PARAM.match(key) else value
            for key, value in params.items()
        }
    if isinstance(params, list):
        return [fresh_keys(item) for item in params]
    return params


def _new_key(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return uuid.uuid4()
    if isinstance(value, str):
        try:
            uuid.UUID(value)
        except ValueError:
            return value
        return str(uuid.uuid4())
    return value

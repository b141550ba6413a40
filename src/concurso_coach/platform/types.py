"""Wire-level constrained types shared by every feature.

Constraints live in the types so that msgspec rejects bad input at the boundary
with a 400 naming the field, before any service code runs.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import msgspec

# NUL bytes break PostgreSQL text columns; lone surrogates cannot be encoded as UTF-8.
_CLEAN_TEXT = r"^[^\x00\ud800-\udfff]*$"

INT32_MAX = 2_147_483_647
BIGINT_MAX = 9_223_372_036_854_775_807

ShortText = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=_CLEAN_TEXT)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=300, pattern=_CLEAN_TEXT)]
LongText = Annotated[str, msgspec.Meta(max_length=100_000, pattern=_CLEAN_TEXT)]
OptionalText = Annotated[str, msgspec.Meta(max_length=2_000, pattern=_CLEAN_TEXT)]
Url = Annotated[str, msgspec.Meta(max_length=2_000, pattern=r"^https?://[^\s\x00]+$")]
Email = Annotated[
    str,
    msgspec.Meta(min_length=3, max_length=320, pattern=r"^[^@\s\x00]+@[^@\s\x00]+\.[^@\s\x00]+$"),
]

PositiveInt = Annotated[int, msgspec.Meta(ge=1, le=INT32_MAX)]
NonNegativeInt = Annotated[int, msgspec.Meta(ge=0, le=INT32_MAX)]
Weight = Annotated[float, msgspec.Meta(ge=0, le=1000)]
Score = Annotated[float, msgspec.Meta(ge=-100_000, le=100_000)]

# Naive datetimes are ambiguous across the candidate's and the server's zones.
AwareDatetime = Annotated[datetime, msgspec.Meta(tz=True)]
Day = date

CLEAN_TEXT_PATTERN = _CLEAN_TEXT

# Dates a concurso can have; beyond them, date arithmetic overflows (year 1 minus a
# time zone offset) and plans explode. msgspec's Meta has no bounds for dates.
FIRST_YEAR = 1900
LAST_YEAR = 2200


def check_calendar(field: str, value: date | datetime | None) -> None:
    """For a Struct's ``__post_init__``: msgspec turns the ValueError into a 400."""
    if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
        msg = f"{field} must fall between the years {FIRST_YEAR} and {LAST_YEAR}"
        raise ValueError(msg)


def is_clean_text(value: str) -> bool:
    """Whether `value` has no NUL byte and no lone surrogate."""
    return "\x00" not in value and not any("\ud800" <= ch <= "\udfff" for ch in value)

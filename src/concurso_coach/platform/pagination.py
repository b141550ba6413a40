"""Limit/offset pagination with one response shape for every list endpoint."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

import msgspec
from litestar.params import Parameter

from concurso_coach.platform.types import INT32_MAX

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


class Page(msgspec.Struct, Generic[T]):
    """A page of items; `total` counts every match, so it is the same on every page."""

    items: list[T]
    total: int
    limit: int
    offset: int


class PageParams(msgspec.Struct, frozen=True):
    limit: int
    offset: int


def provide_page_params(
    limit: Annotated[
        int,
        Parameter(
            ge=1,
            le=MAX_PAGE_SIZE,
            description=f"Page size, at most {MAX_PAGE_SIZE}.",
        ),
    ] = DEFAULT_PAGE_SIZE,
    offset: Annotated[int, Parameter(ge=0, le=INT32_MAX, description="Items to skip.")] = 0,
) -> PageParams:
    """Litestar dependency: validated `limit` and `offset` query parameters."""
    return PageParams(limit=limit, offset=offset)

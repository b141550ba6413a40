"""Repositories and services that a service builds on its session only when used.

A request builds one service, which builds the repositories and the other
features' services it may call. An Advanced Alchemy repository prepares a
statement, loader options and primary-key metadata when constructed; building
every collaborator up front cost more than a cached read itself. Declared as
class attributes, they are built on first use and then kept on the instance.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar, overload

T = TypeVar("T")


class SessionBound(Generic[T]):
    """``boards = SessionBound(BoardRepository)``: ``factory(session=owner.session)`` once."""

    def __init__(self, factory: Callable[..., T]) -> None:
        self._factory = factory
        self._name = ""

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self._name = name

    @overload
    def __get__(self, instance: None, owner: type[Any]) -> SessionBound[T]: ...

    @overload
    def __get__(self, instance: object, owner: type[Any]) -> T: ...

    def __get__(self, instance: object | None, owner: type[Any]) -> SessionBound[T] | T:
        if instance is None:
            return self
        value = self._factory(session=instance.session)  # type: ignore[attr-defined]
        # A plain attribute from now on: the instance dict wins over this descriptor.
        instance.__dict__[self._name] = value
        return value

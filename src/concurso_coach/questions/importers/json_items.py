"""The elements of a top-level JSON array, one at a time, with a nesting limit.

``ijson.items(stream, "item")`` keeps a dotted prefix per nesting level, so a file
of 200,000 opening brackets grew quadratic prefixes until the process was killed.
These readers build items from ijson's prefix-free events instead and refuse
nesting no question needs, before it costs anything.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

import ijson
from ijson.common import ObjectBuilder

MAX_DEPTH = 32


class MalformedJSONError(ValueError):
    """The file is not the JSON the format expects; the message is written for people."""


def array_items(stream: IO[bytes], max_depth: int = MAX_DEPTH) -> Iterator[Any]:
    """Yield each element of the array that ``stream`` holds."""
    events = ijson.basic_parse(stream)
    try:
        first = next(events, None)
        if first is None:
            return
        if first[0] != "start_array":
            raise MalformedJSONError("the file must hold one JSON array of questions")

        depth = 1
        builder: ObjectBuilder | None = None
        for event, value in events:
            if event in ("start_map", "start_array"):
                depth += 1
                if depth > max_depth:
                    raise MalformedJSONError(f"nested deeper than {max_depth} levels")
            elif event in ("end_map", "end_array"):
                depth -= 1
                if depth == 0:
                    return

            if builder is None:
                builder = ObjectBuilder()
            builder.event(event, value)
            if depth == 1:
                # Back at the array's own level: that element is complete.
                yield builder.value
                builder = None
    except ijson.JSONError as exc:
        raise MalformedJSONError(_first_line(exc)) from None


def line_item(line: bytes) -> Any:
    """One JSON Lines record, refused with a readable reason when malformed."""
    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        raise MalformedJSONError(f"{exc.msg} at column {exc.colno}") from None
    except UnicodeDecodeError:
        raise MalformedJSONError("not UTF-8 text") from None
    except RecursionError:
        raise MalformedJSONError("nested too deeply") from None


def _first_line(exc: Exception) -> str:
    # yajl's messages point at the input with an ASCII-art caret on later lines.
    text = str(exc).strip().splitlines()
    return text[0].strip() if text else "malformed JSON"

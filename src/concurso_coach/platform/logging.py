"""Structured logging, configured once by the app factory or the CLI."""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

SENSITIVE_KEYS = frozenset(
    {"authorization", "cookie", "set-cookie", "password", "secret_key", "token", "refresh_token"}
)
_REDACTED = "[redacted]"


def redact_sensitive(
    _logger: object, _method: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Hide secrets in log events, including inside a `headers` mapping."""
    for key in list(event):
        if key.lower() in SENSITIVE_KEYS:
            event[key] = _REDACTED

    headers = event.get("headers")
    if isinstance(headers, dict):
        event["headers"] = {
            name: (_REDACTED if name.lower() in SENSITIVE_KEYS else value)
            for name, value in headers.items()
        }
    return event


def configure_logging(level: str = "INFO", log_format: str = "auto") -> None:
    """Route structlog and the standard library through one renderer.

    JSON when stdout is not a terminal (containers, CI), readable colours otherwise.
    """
    use_json = log_format == "json" or (log_format == "auto" and not sys.stdout.isatty())

    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        redact_sensitive,
    ]
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer()
        if use_json
        else structlog.dev.ConsoleRenderer(colors=sys.stdout.isatty())
    )

    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )

    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info if use_json else _keep,
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(formatter)

    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)

    # uvicorn's own access log duplicates ours and bypasses the health exclusion.
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True


def _keep(
    _logger: object, _method: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    return event

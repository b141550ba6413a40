"""Graceful shutdown: readiness turns 503 the moment SIGTERM arrives.

uvicorn stops accepting connections and lets in-flight requests finish; we only
need load balancers to stop sending new work during that drain.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Any

import structlog
from litestar.datastructures import State

log = structlog.get_logger(__name__)


def watch_for_shutdown(state: State) -> None:
    """Chain a SIGTERM/SIGINT handler in front of the server's own."""
    if threading.current_thread() is not threading.main_thread():
        # Test clients run the app in a worker thread, where signals cannot be set.
        return

    for signum in (signal.SIGTERM, signal.SIGINT):
        previous = signal.getsignal(signum)

        def _handler(received: int, frame: FrameType | None, _previous: Any = previous) -> None:
            if not state.draining:
                log.info("shutdown_started", signal=signal.Signals(received).name)
            state.draining = True
            if callable(_previous):
                _previous(received, frame)

        signal.signal(signum, _handler)

"""`uv run python -m bench`: the whole benchmark in one command."""

from __future__ import annotations

import signal
import sys

from bench.config import parse_args
from bench.database import BenchSetupError
from bench.runner import run


def main() -> None:
    config = parse_args()
    # A stopped run still stops its server and drops its database (the finally blocks).
    signal.signal(signal.SIGTERM, lambda _signal, _frame: sys.exit(143))
    try:
        sys.exit(run(config))
    except BenchSetupError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()

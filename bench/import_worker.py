"""Child process: one bulk import through the project's service, timed and watched.

Run as ``python -m bench.import_worker FILE`` under ``taskset`` with the
service's settings in the environment; prints one JSON object on stdout.
RSS is sampled at every progress callback (each committed batch), so the
parent can tell a constant-memory import from one that grows with the file.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import anyio
import msgspec
import psutil

from concurso_coach.questions.importers import ImportFormat
from concurso_coach.questions.services import import_stream_standalone
from concurso_coach.settings import load_settings


async def _run(path: Path, size: int) -> dict[str, object]:
    settings = load_settings()
    process = psutil.Process()
    samples: list[tuple[int, int]] = []

    async def on_progress(done: int, total: int) -> None:
        samples.append((done, process.memory_info().rss))

    started = time.perf_counter()
    with path.open("rb") as stream:
        report = await import_stream_standalone(
            settings, stream, ImportFormat.NATIVE, size, on_progress
        )
    seconds = time.perf_counter() - started

    return {
        "seconds": seconds,
        "read": report.read,
        "inserted": report.inserted,
        "already_present": report.already_present,
        "problems": report.problem_count,
        "first_problems": [f"{p.location}: {p.reason}" for p in report.problems[:5]],
        "rss_samples": samples,
    }


def main() -> None:
    path = Path(sys.argv[1])
    result = anyio.run(_run, path, path.stat().st_size)
    sys.stdout.write(msgspec.json.encode(result).decode() + "\n")


if __name__ == "__main__":
    main()

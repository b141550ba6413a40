"""Bulk import of the question file against PostgreSQL COPY of the very same rows.

Both load into the real ``questions`` table with all its indexes (the
full-text expression index included), emptied before each run; the runs
alternate import, COPY, import, COPY… The COPY rows are the ones the first
import stored, exported once to a file, so the two load identical data.
"""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import msgspec
import psycopg

from bench.config import ROOT
from bench.database import BenchSetupError
from bench.stats import megabytes, rss_growth

COPY_CHUNK = 1 << 20


@dataclass(frozen=True)
class ImportRun:
    seconds: float
    rows: int
    rss_early_mb: float
    rss_peak_mb: float
    rss_growth_mb: float

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds


@dataclass(frozen=True)
class CopyRun:
    seconds: float
    rows: int

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds


def empty_questions(database_url: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute("TRUNCATE questions CASCADE")


def run_import(file: Path, env: dict[str, str], cpu: int, expected: int) -> ImportRun:
    """Import ``file`` in a child pinned to ``cpu``, the way the service would."""
    completed = subprocess.run(
        ["taskset", "-c", str(cpu), sys.executable, "-m", "bench.import_worker", str(file)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise BenchSetupError("bulk import failed:\n" + completed.stderr[-3000:])
    report = msgspec.json.decode(completed.stdout.strip().splitlines()[-1])
    if report["inserted"] != expected:
        raise BenchSetupError(
            f"bulk import stored {report['inserted']} of {expected} questions "
            f"({report['problems']} problems, e.g. {report['first_problems']})"
        )

    samples = [(int(done), int(rss)) for done, rss in report["rss_samples"]]
    early, peak, growth = rss_growth(samples, file.stat().st_size)
    return ImportRun(
        seconds=report["seconds"],
        rows=report["inserted"],
        rss_early_mb=megabytes(early),
        rss_peak_mb=megabytes(peak),
        rss_growth_mb=megabytes(growth),
    )


def export_rows(database_url: str, target: Path) -> int:
    """Write the stored questions in COPY text format; returns the row count."""
    with psycopg.connect(database_url) as connection, target.open("wb") as stream:
        cursor = connection.cursor()
        with cursor.copy("COPY questions TO STDOUT") as copy:
            for block in copy:
                stream.write(block)
        row = connection.execute("SELECT count(*) FROM questions").fetchone()
    assert row is not None
    return int(row[0])


def run_copy(database_url: str, dump: Path, rows: int) -> CopyRun:
    """COPY the exported rows back into the emptied table, timed from first byte to commit."""
    with psycopg.connect(database_url) as connection, dump.open("rb") as stream:
        cursor = connection.cursor()
        started = time.perf_counter()
        with cursor.copy("COPY questions FROM STDIN") as copy:
            while block := stream.read(COPY_CHUNK):
                copy.write(block)
        connection.commit()
        seconds = time.perf_counter() - started
    return CopyRun(seconds=seconds, rows=rows)

"""The knobs of one benchmark run, read from the command line."""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "questions"
DEFAULT_OUT = ROOT / "bench" / "out"


@dataclass(frozen=True)
class BenchConfig:
    admin_url: str
    database: str
    redis_url: str
    data_dir: Path
    out_dir: Path
    questions: int
    candidates: int
    attempts: int
    connections: int
    warmup_seconds: float
    run_seconds: float
    rounds: int
    import_rounds: int
    server_cpu: int
    load_cpu: int
    port: int
    only: tuple[str, ...]
    keep_database: bool

    @property
    def database_url(self) -> str:
        base = self.admin_url.rsplit("/", 1)[0]
        return f"{base}/{self.database}"


def parse_args(argv: list[str] | None = None) -> BenchConfig:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=(
            "Benchmark the hot paths against the framework ceiling (/health/live) and "
            "the driver ceiling (the same SQL through a bare psycopg pool)."
        ),
    )
    env = os.environ.get
    parser.add_argument(
        "--admin-url",
        default=env("BENCH_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
        help="A PostgreSQL URL allowed to CREATE and DROP DATABASE.",
    )
    parser.add_argument("--database", default="coach_bench", help="Created, then dropped.")
    parser.add_argument(
        "--redis-url",
        default=env("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7"),
        help="A Redis database the benchmark may FLUSHDB.",
    )
    shared = env("COACH_SHARED_DATA")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(shared) / "questions" if shared else DEFAULT_DATA,
        help="The real question files (default: $COACH_SHARED_DATA/questions or ../shared).",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, dest="out_dir")
    parser.add_argument("--questions", type=int, default=100_000)
    parser.add_argument("--candidates", type=int, default=32)
    parser.add_argument("--attempts", type=int, default=2_000)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--warmup", type=float, default=3.0, dest="warmup_seconds")
    parser.add_argument("--duration", type=float, default=5.0, dest="run_seconds")
    parser.add_argument("--rounds", type=int, default=3, help="Runs per scenario.")
    parser.add_argument("--import-rounds", type=int, default=1)
    parser.add_argument("--server-cpu", type=int, default=0)
    parser.add_argument("--load-cpu", type=int, default=1)
    parser.add_argument("--port", type=int, default=8799)
    parser.add_argument(
        "--only",
        default="",
        help="Comma-separated scenario names to run (default: all).",
    )
    parser.add_argument("--keep-database", action="store_true")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="A smoke run: 5,000 questions, 2 s runs, 1 round.",
    )
    args = parser.parse_args(argv)

    if args.quick:
        args.questions = min(args.questions, 5_000)
        args.attempts = min(args.attempts, 300)
        args.warmup_seconds = 2.0
        args.run_seconds = 2.0
        args.rounds = 1

    only = tuple(name.strip() for name in args.only.split(",") if name.strip())
    return BenchConfig(
        admin_url=args.admin_url,
        database=args.database,
        redis_url=args.redis_url,
        data_dir=args.data_dir,
        out_dir=args.out_dir,
        questions=args.questions,
        candidates=args.candidates,
        attempts=args.attempts,
        connections=args.connections,
        warmup_seconds=args.warmup_seconds,
        run_seconds=args.run_seconds,
        rounds=args.rounds,
        import_rounds=args.import_rounds,
        server_cpu=args.server_cpu,
        load_cpu=args.load_cpu,
        port=args.port,
        only=only,
        keep_database=args.keep_database,
    )

"""wrk, pinned to the load CPU, with one thread and a fixed number of connections."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from bench.database import BenchSetupError
from bench.traffic import WrkResult, parse_wrk_output

INSTALL_WRK = "apt-get update && apt-get install -y wrk"


def check_tools() -> None:
    """Fail early, saying how to install what is missing."""
    if shutil.which("wrk") is None:
        raise BenchSetupError(f"wrk is not installed; install it with:\n    {INSTALL_WRK}")
    if shutil.which("taskset") is None:
        raise BenchSetupError(
            "taskset is not installed; install it with:\n"
            "    apt-get update && apt-get install -y util-linux"
        )


def run_wrk(script: Path, base_url: str, connections: int, seconds: float, cpu: int) -> WrkResult:
    command = [
        "taskset", "-c", str(cpu),
        "wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s",
        "--timeout", "10s", "-s", str(script), base_url,
    ]  # fmt: skip
    completed = subprocess.run(
        command, capture_output=True, text=True, check=False, timeout=seconds + 60
    )
    if completed.returncode != 0:
        raise BenchSetupError(f"wrk failed ({completed.returncode}): {completed.stderr[-1000:]}")
    return parse_wrk_output(completed.stdout)

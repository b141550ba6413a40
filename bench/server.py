"""The service under test: one uvicorn worker pinned to one CPU, access log off."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path
from types import TracebackType

import httpx
import psutil

from bench.config import ROOT
from bench.database import BenchSetupError

START_TIMEOUT = 30.0
RUNTIME_ENVIRONMENT = ROOT / "bench" / "out" / "runtime-venv"


def runtime_python() -> Path:
    """An interpreter with the runtime dependencies only, as the image installs them.

    The development environment also holds matplotlib and its numpy, which Advanced
    Alchemy imports when present: about 11 MB of server RSS no deployment carries.
    """
    uv = shutil.which("uv")
    if uv is None:
        raise BenchSetupError("uv is needed to build the runtime-only environment")
    completed = subprocess.run(
        [uv, "sync", "--frozen", "--no-dev", "--quiet"],
        cwd=ROOT,
        env={**os.environ, "UV_PROJECT_ENVIRONMENT": str(RUNTIME_ENVIRONMENT)},
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if completed.returncode != 0:
        raise BenchSetupError(f"uv sync --no-dev failed: {completed.stderr[-1000:]}")
    return RUNTIME_ENVIRONMENT / "bin" / "python"


class ServedApp:
    """``with ServedApp(...) as server:`` starts uvicorn and stops it on exit."""

    def __init__(
        self, env: dict[str, str], cpu: int, port: int, log_file: Path, python: Path
    ) -> None:
        self.env = env
        self.python = python
        self.cpu = cpu
        self.port = port
        self.log_file = log_file
        self.base_url = f"http://127.0.0.1:{port}"
        self._process: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        return [
            "taskset", "-c", str(self.cpu),
            str(self.python), "-m", "uvicorn", "--no-proxy-headers",
            "--factory", "concurso_coach.app:create_app",
            "--workers", "1", "--no-access-log", "--log-level", "warning",
            "--host", "127.0.0.1", "--port", str(self.port),
        ]  # fmt: skip

    def __enter__(self) -> ServedApp:
        log = self.log_file.open("wb")
        # taskset execs uvicorn, so this pid is the worker itself.
        self._process = subprocess.Popen(
            self.command(), cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        self._wait_until_live()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        process = self._process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def rss_bytes(self) -> int:
        assert self._process is not None
        return int(psutil.Process(self._process.pid).memory_info().rss)

    def _wait_until_live(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                raise BenchSetupError(
                    f"the server exited with {self._process.returncode}; see {self.log_file}"
                )
            try:
                if httpx.get(f"{self.base_url}/health/live", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise BenchSetupError(f"the server did not become live in {START_TIMEOUT:.0f} s")

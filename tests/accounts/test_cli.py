from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import anyio
from litestar import Litestar
from litestar.testing import AsyncTestClient

from concurso_coach.settings import Settings
from tests.accounts.helpers import login

ADMIN_PASSWORD = "first-admin-password-42"


def _create_admin(settings: Settings, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": settings.sqlalchemy_url,
        "PASSWORD_HASH_PROFILE": "fast",
        "COACH_DATA_DIR": str(cwd),
        "LOG_FORMAT": "json",
    }
    command = [
        sys.executable, "-m", "concurso_coach", "users", "create",
        "--email", "Root@Example.com", "--display-name", "Root",
        "--role", "admin", "--password-stdin",
    ]  # fmt: skip
    return subprocess.run(
        command,
        input=ADMIN_PASSWORD + "\n",
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_cli_creates_an_admin_who_can_log_in(
    client: AsyncTestClient[Litestar], settings: Settings, tmp_path: Path
) -> None:
    result = await anyio.to_thread.run_sync(_create_admin, settings, tmp_path)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "created admin root@example.com" in result.stdout

    response = await login(client, "root@example.com", ADMIN_PASSWORD)

    assert response.status_code == 200
    headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
    assert (await client.get("/api/users", headers=headers)).status_code == 200


async def test_cli_refuses_a_duplicate_email(settings: Settings, tmp_path: Path) -> None:
    await anyio.to_thread.run_sync(_create_admin, settings, tmp_path)

    result = await anyio.to_thread.run_sync(_create_admin, settings, tmp_path)

    assert result.returncode != 0
    assert "already exists" in result.stderr

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from concurso_coach.settings import ConfigurationError, Settings, load_settings
from tests.support import REPO_ROOT


@pytest.mark.parametrize(
    "given",
    [
        "postgresql://u:p@db:5432/coach",
        "postgres://u:p@db:5432/coach",
        "postgresql+psycopg2://u:p@db:5432/coach",
    ],
)
def test_postgres_urls_are_rewritten_for_psycopg3(given: str) -> None:
    settings = Settings(_env_file=None, database_url=given)  # type: ignore[call-arg]

    assert settings.sqlalchemy_url == "postgresql+psycopg://u:p@db:5432/coach"
    assert settings.database_url_rewritten


def test_without_database_url_the_embedded_sqlite_file_is_used(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, coach_data_dir=tmp_path)  # type: ignore[call-arg]

    assert settings.sqlalchemy_url == f"sqlite+aiosqlite:///{tmp_path.resolve()}/coach.db"
    assert settings.migrate_on_startup


def test_a_bad_value_names_the_variable_and_hides_the_value() -> None:
    with pytest.raises(ConfigurationError) as caught:
        load_settings(_env_file=None, database_url="mysql://secret-password@x/db")

    assert "DATABASE_URL" in str(caught.value)
    assert "secret-password" not in str(caught.value)


def test_production_refuses_to_start_without_a_signing_key() -> None:
    with pytest.raises(ConfigurationError) as caught:
        load_settings(_env_file=None, environment="production", secret_key="")

    assert str(caught.value) == "SECRET_KEY must be set when ENVIRONMENT is production"


def test_dot_env_is_read_but_the_real_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text("LOG_LEVEL=debug\nHEALTH_CHECK_TIMEOUT=5\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LOG_LEVEL", "warning")

    settings = load_settings()

    assert settings.log_level == "WARNING"
    assert settings.health_check_timeout == 5


def test_cli_stops_with_one_line_on_a_bad_setting(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "concurso_coach", "--help"],
        env={"REDIS_URL": "http://nope", "PATH": "/usr/bin:/bin"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "coach: configuration error: REDIS_URL: must be a redis://, rediss:// or unix:// URL"
    ]


def test_generated_signing_key_is_stable_per_data_folder(tmp_path: Path) -> None:
    first = Settings(_env_file=None, coach_data_dir=tmp_path).signing_key()  # type: ignore[call-arg]
    second = Settings(_env_file=None, coach_data_dir=tmp_path).signing_key()  # type: ignore[call-arg]

    assert first == second
    assert len(first) >= 48


@pytest.mark.parametrize("document", [".env.example", "README.md"])
def test_every_setting_is_documented(document: str) -> None:
    text = (REPO_ROOT / document).read_text(encoding="utf-8")

    undocumented = [name.upper() for name in Settings.model_fields if name.upper() not in text]

    assert undocumented == []


def test_an_empty_variable_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    # What `# DB_MIGRATE_ON_STARTUP=` in .env.example gives once uncommented.
    monkeypatch.setenv("DB_MIGRATE_ON_STARTUP", "")

    settings = Settings(_env_file=None)  # type: ignore[call-arg]

    assert settings.db_migrate_on_startup is None

"""Typed settings, read from the environment (and a `.env` file) when asked for.

Nothing here runs at import time: `load_settings()` is called by the CLI and by
`create_app()` so that tests can build settings by hand.
"""

from __future__ import annotations

import ipaddress
import secrets
import tempfile
from pathlib import Path
from typing import Annotated, Literal

import limits
from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# Old and generic PostgreSQL URL schemes we accept and rewrite to psycopg 3.
_POSTGRES_SCHEMES = ("postgres://", "postgresql://", "postgresql+psycopg2://")
_ASYNC_POSTGRES_SCHEME = "postgresql+psycopg://"


class ConfigurationError(Exception):
    """A setting has a value the service cannot start with."""


class Settings(BaseSettings):
    """Every knob of the service. Names match the environment variables."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
        # `DB_MIGRATE_ON_STARTUP=` (as .env.example shows it, uncommented) means unset.
        env_ignore_empty=True,
    )

    environment: Literal["development", "production", "test"] = "development"

    database_url: str | None = None
    postgres_host: str | None = None
    postgres_port: int = Field(default=5432, ge=1, le=65535)
    postgres_db: str = "coach"
    postgres_user: str = "coach"
    postgres_password: SecretStr = SecretStr("")
    db_pool_size: int = Field(default=10, ge=1, le=200)
    db_max_overflow: int = Field(default=10, ge=0, le=200)
    db_pool_timeout: float = Field(default=10.0, gt=0, le=300)
    db_connect_timeout: int = Field(default=5, ge=1, le=120)
    db_migrate_on_startup: bool | None = None
    db_echo: bool = False

    redis_url: str | None = None
    worker_heartbeat_file: Path = Field(
        default_factory=lambda: Path(tempfile.gettempdir()) / "coach-worker-heartbeat"
    )

    coach_data_dir: Path = Path(".data")
    secret_key: SecretStr | None = None

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["auto", "json", "console"] = "auto"
    access_log: bool = True

    cors_allowed_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)

    request_max_body_bytes: int = Field(default=1_048_576, ge=1024, le=1_073_741_824)
    import_max_body_bytes: int = Field(default=64 * 1_048_576, ge=1024, le=1_073_741_824)
    health_check_timeout: float = Field(default=2.0, gt=0, le=30)
    # Freeze what start-up built and collect less often (see platform/gc_tuning.py).
    gc_tuning: bool = True

    access_token_ttl_seconds: int = Field(default=900, ge=30, le=86_400)
    refresh_token_ttl_seconds: int = Field(default=30 * 86_400, ge=300, le=365 * 86_400)
    jwt_leeway_seconds: int = Field(default=30, ge=0, le=300)
    login_rate_limit: str = "5/minute"
    register_rate_limit: str = "10/minute"
    # "fast" trades Argon2 cost for speed; meant for test suites, never production.
    password_hash_profile: Literal["standard", "fast"] = "standard"  # noqa: S105

    @field_validator("cors_allowed_origins", "trusted_proxies", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _check_proxies(cls, value: list[str]) -> list[str]:
        for entry in value:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                msg = f"{entry!r} is not an IP address or CIDR"
                raise ValueError(msg) from None
        return value

    @field_validator("login_rate_limit", "register_rate_limit")
    @classmethod
    def _check_rate_limit(cls, value: str) -> str:
        try:
            limits.parse(value)
        except ValueError:
            msg = 'must look like "5/minute" or "20 per hour"'
            raise ValueError(msg) from None
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        known = (*_POSTGRES_SCHEMES, _ASYNC_POSTGRES_SCHEME, "sqlite+aiosqlite://")
        if not value.startswith(known):
            msg = "must be a postgresql:// or sqlite+aiosqlite:/// URL"
            raise ValueError(msg)
        return value

    @field_validator("redis_url")
    @classmethod
    def _check_redis_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not value.startswith(("redis://", "rediss://", "unix://")):
            msg = "must be a redis://, rediss:// or unix:// URL"
            raise ValueError(msg)
        return value.strip()

    @model_validator(mode="after")
    def _require_secret_key_in_production(self) -> Settings:
        # A key generated per data folder would differ between replicas, so a token
        # signed by one pod would be refused by the next.
        secret = self.secret_key.get_secret_value() if self.secret_key is not None else ""
        if self.environment == "production" and not secret.strip():
            msg = "SECRET_KEY must be set when ENVIRONMENT is production"
            raise ValueError(msg)
        return self

    @property
    def database_url_rewritten(self) -> bool:
        """Whether the configured URL named a scheme we rewrote to psycopg 3."""
        return self.database_url is not None and self.database_url.startswith(_POSTGRES_SCHEMES)

    @property
    def sqlalchemy_url(self) -> str:
        """The async SQLAlchemy URL, rewritten for psycopg 3 or the embedded SQLite file."""
        if self.database_url:
            for scheme in _POSTGRES_SCHEMES:
                if self.database_url.startswith(scheme):
                    return _ASYNC_POSTGRES_SCHEME + self.database_url[len(scheme) :]
            return self.database_url

        if self.postgres_host:
            password = self.postgres_password.get_secret_value()
            auth = f"{self.postgres_user}:{password}" if password else self.postgres_user
            return (
                f"{_ASYNC_POSTGRES_SCHEME}{auth}@{self.postgres_host}:"
                f"{self.postgres_port}/{self.postgres_db}"
            )

        return f"sqlite+aiosqlite:///{(self.coach_data_dir / 'coach.db').resolve()}"

    @property
    def is_postgres(self) -> bool:
        return self.sqlalchemy_url.startswith(_ASYNC_POSTGRES_SCHEME)

    @property
    def migrate_on_startup(self) -> bool:
        """Embedded SQLite migrates itself; PostgreSQL migrates in its own step."""
        if self.db_migrate_on_startup is not None:
            return self.db_migrate_on_startup
        return not self.is_postgres

    def signing_key(self) -> str:
        """The JWT signing key: configured, or generated once per data folder."""
        if self.secret_key is not None and self.secret_key.get_secret_value():
            return self.secret_key.get_secret_value()

        key_file = self.coach_data_dir / "secret_key"
        if key_file.exists():
            return key_file.read_text(encoding="utf-8").strip()

        self.coach_data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        key_file.write_text(key, encoding="utf-8")
        key_file.chmod(0o600)
        return key


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment, turning validation errors into one clear line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise ConfigurationError(_describe(exc)) from None


def _describe(exc: ValidationError) -> str:
    # Values are left out on purpose: they may be secrets.
    problems = []
    for error in exc.errors():
        message = error["msg"].removeprefix("Value error, ")
        name = "_".join(str(part) for part in error["loc"]).upper()
        # A whole-model check names its variables in its own message.
        problems.append(f"{name}: {message}" if name else message)
    return "; ".join(problems)

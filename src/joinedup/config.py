"""One typed settings class, read from JOINEDUP_* environment variables.

A bad value stops start-up with a message naming the variable and what it expected
(`ConfigError`); the secret key, when not given, is generated once and kept under the
data directory so that sessions survive a restart and nothing secret lives in the repository.
"""

from __future__ import annotations

import os
import secrets
from functools import cached_property
from pathlib import Path

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_PREFIX = "JOINEDUP_"
_SECRET_FILE = "secret_key"


class ConfigError(Exception):
    """The configuration cannot be used; the message says which variable and how to fix it."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, frozen=True, extra="ignore")

    data_dir: Path = Field(
        default=Path("var"), description="Where the embedded database, secret and county live."
    )
    database_url: str = Field(
        default="",
        description="SQLAlchemy URL; empty means the SQLite file under the data directory.",
    )
    secret_key: str = Field(
        default="", description="Signs tokens; generated on first run if empty."
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    session_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    session_absolute_hours: int = Field(default=12, ge=1, le=7 * 24)
    signin_max_failures: int = Field(default=5, ge=1, le=100)
    signin_lockout_minutes: int = Field(default=15, ge=1, le=24 * 60)
    secure_cookies: bool = Field(
        default=False, description="Mark cookies Secure; turn on whenever the hub is behind HTTPS."
    )

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if value and not value.startswith(("sqlite", "postgresql")):
            raise ValueError("a sqlite:/// or postgresql+psycopg:// URL")
        if value.startswith("postgresql://"):
            # SQLAlchemy would pick psycopg2, which we do not ship.
            value = "postgresql+psycopg://" + value.removeprefix("postgresql://")
        return value

    @field_validator("secret_key")
    @classmethod
    def _long_enough(cls, value: str) -> str:
        if value and len(value) < 32:
            raise ValueError("at least 32 characters (or leave it unset to have one generated)")
        return value

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'joinedup.sqlite3').resolve()}"

    @cached_property
    def resolved_secret_key(self) -> str:
        """The configured key, or the one kept under the data directory (made on first use)."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / _SECRET_FILE
        if path.exists():
            return path.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        # Readable by the service account only: it signs every session and token.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(key)
        return key


def load_settings(**overrides: object) -> Settings:
    """Read the settings from the environment, raising `ConfigError` with a readable message."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        problems = []
        for issue in error.errors():
            field = str(issue["loc"][0]) if issue["loc"] else "?"
            reason = issue["msg"].removeprefix("Value error, ")
            problems.append(f"{ENV_PREFIX}{field.upper()}: expected {reason}")
        raise ConfigError("Configuration problem:\n  " + "\n  ".join(problems)) from None

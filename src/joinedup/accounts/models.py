"""Tables for signing in. Secrets are stored only as hashes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from joinedup.db import Base
from joinedup.directory.models import Professional


class User(Base):
    """A professional's ability to sign in."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    professional_id: Mapped[int] = mapped_column(ForeignKey("professionals.id"), unique=True)
    password_hash: Mapped[str | None] = mapped_column(
        String(200), comment="argon2id; empty until a password is set"
    )
    created_at: Mapped[dt.datetime]
    disabled_at: Mapped[dt.datetime | None]

    professional: Mapped[Professional] = relationship()


class WebSession(Base):
    """A server-side sign-in session; the browser holds only a random token whose hash is `id`."""

    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, comment="sha256 of the cookie")
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime]
    last_seen_at: Mapped[dt.datetime]
    ended_at: Mapped[dt.datetime | None]
    end_reason: Mapped[str | None] = mapped_column(
        String(40), comment="signed_out, idle, expired, disabled"
    )

    user: Mapped[User] = relationship()


class SignInAttempt(Base):
    """Every sign-in attempt, kept for throttling and for the IG lead's reports."""

    __tablename__ = "sign_in_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True, comment="as typed, lower case")
    at: Mapped[dt.datetime]
    succeeded: Mapped[bool]
    remote_addr: Mapped[str] = mapped_column(String(64), default="")


class ApiToken(Base):
    """A system-to-system credential acting as one user; shown once, stored hashed."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16), comment="shown in lists to tell tokens apart")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, comment="sha256 of the token")
    created_at: Mapped[dt.datetime]
    last_used_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]

    user: Mapped[User] = relationship()

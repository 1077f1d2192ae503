"""Pure rules for sign-in sessions and throttling."""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
from dataclasses import dataclass


@dataclass(frozen=True)
class SessionPolicy:
    idle: dt.timedelta = dt.timedelta(minutes=30)
    absolute: dt.timedelta = dt.timedelta(hours=12)
    max_failures: int = 5
    lockout: dt.timedelta = dt.timedelta(minutes=15)
    # Refreshing last_seen_at on every request would make every read a write.
    touch_every: dt.timedelta = dt.timedelta(seconds=60)


class SessionState(enum.StrEnum):
    ACTIVE = "active"
    IDLE = "idle"
    EXPIRED = "expired"


def session_state(
    created_at: dt.datetime, last_seen_at: dt.datetime, now: dt.datetime, policy: SessionPolicy
) -> SessionState:
    """Expired after the absolute limit whatever the activity; idle after the idle limit."""
    if now - created_at >= policy.absolute:
        return SessionState.EXPIRED
    if now - last_seen_at >= policy.idle:
        return SessionState.IDLE
    return SessionState.ACTIVE


def is_throttled(recent_failures: int, policy: SessionPolicy) -> bool:
    return recent_failures >= policy.max_failures


def hash_secret(secret: str) -> str:
    """sha256 of a high-entropy random secret (session cookie, API token).

    These are 256-bit random values, so a fast hash is safe; passwords use argon2id instead.
    """
    return hashlib.sha256(secret.encode()).hexdigest()


def normalise_email(email: str) -> str:
    return email.strip().lower()

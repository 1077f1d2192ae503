"""Every change to sign-in state. Each function commits once and writes to the ledger."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from joinedup import clock
from joinedup.accounts.models import ApiToken, SignInAttempt, User, WebSession
from joinedup.accounts.passwords import hash_password, verify_password
from joinedup.accounts.queries import actor_for_user, user_by_email
from joinedup.accounts.rules import (
    SessionPolicy,
    SessionState,
    hash_secret,
    is_throttled,
    normalise_email,
    session_state,
)
from joinedup.actor import Actor
from joinedup.audit.services import record
from joinedup.directory.models import Professional

TOKEN_PREFIX = "jdp_"
# What actor_for_user reads, loaded with the session or token in one round trip: every request
# starts here, so lazy loads would cost several statements each time.
_ACTOR = (
    joinedload(User.professional).joinedload(Professional.agency),
    joinedload(User.professional).selectinload(Professional.role_grants),
)


class AccountError(Exception):
    """A request about accounts that cannot be done; the message says how to put it right.

    `field` names the input at fault, so a form can put the message beside it.
    """

    def __init__(self, message: str, field: str = "email") -> None:
        super().__init__(message)
        self.field = field


class SignInFailed(AccountError):
    def __init__(self) -> None:
        # The same words whether or not the account exists.
        super().__init__("Enter a correct email address and password")


class SignInThrottled(AccountError):
    def __init__(self, lockout: dt.timedelta) -> None:
        minutes = int(lockout.total_seconds() // 60)
        super().__init__(
            f"There have been too many attempts to sign in to this account. "
            f"Wait {minutes} minutes and try again"
        )


@dataclass(frozen=True)
class SignedIn:
    cookie_token: str
    csrf_token: str
    actor: Actor


def add_user(session: Session, actor: Actor, email: str, password: str | None) -> User:
    """Give an existing professional a sign-in. Raises AccountError if that cannot be done."""
    email = normalise_email(email)
    professional = session.scalar(select(Professional).where(Professional.email == email))
    if professional is None:
        raise AccountError(
            f"No professional has the email address {email}: add them to the directory first"
        )
    if professional.has_left:
        raise AccountError(f"{professional.name} has left {professional.agency.name}")
    if session.scalar(select(User).where(User.professional_id == professional.id)):
        raise AccountError(f"{email} can already sign in")
    user = User(
        professional=professional,
        password_hash=hash_password(password) if password else None,
        created_at=clock.now(),
    )
    session.add(user)
    session.flush()
    record(session, actor, "admin:user:created", "user", user.id, email=email)
    session.commit()
    return user


def set_password(session: Session, actor: Actor, user_id: int, password: str) -> User:
    """Set (or reset) a user's password; any session they have open ends."""
    user = session.get(User, user_id)
    if user is None:
        raise AccountError(f"There is no user {user_id}")
    user.password_hash = hash_password(password)
    now = clock.now()
    for open_session in session.scalars(
        select(WebSession).where(WebSession.user_id == user.id, WebSession.ended_at.is_(None))
    ):
        open_session.ended_at, open_session.end_reason = now, "password_changed"
    record(session, actor, "admin:user:password_set", "user", user.id)
    session.commit()
    return user


def sign_in(
    session: Session, policy: SessionPolicy, email: str, password: str, remote_addr: str = ""
) -> SignedIn:
    """Start a session. Raises SignInFailed or SignInThrottled; every attempt is recorded."""
    email = normalise_email(email)
    now = clock.now()
    user = user_by_email(session, email)
    failures = _recent_failures(session, email, now, policy)
    if is_throttled(failures, policy):
        _record_attempt(session, email, now, remote_addr, succeeded=False, reason="throttled")
        session.commit()
        raise SignInThrottled(policy.lockout)
    usable = user is not None and user.disabled_at is None and not user.professional.has_left
    if not (verify_password(user.password_hash if user else None, password) and usable):
        _record_attempt(session, email, now, remote_addr, succeeded=False, reason="bad credentials")
        session.commit()
        raise SignInFailed()
    assert user is not None
    cookie_token = secrets.token_urlsafe(32)
    web_session = WebSession(
        id=hash_secret(cookie_token),
        user=user,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        last_seen_at=now,
    )
    session.add(web_session)
    _record_attempt(session, email, now, remote_addr, succeeded=True, reason="", user=user)
    session.commit()
    return SignedIn(cookie_token, web_session.csrf_token, actor_for_user(user))


def _recent_failures(session: Session, email: str, now: dt.datetime, policy: SessionPolicy) -> int:
    """Failures inside the lockout window since the last success."""
    since = now - policy.lockout
    last_success = session.scalar(
        select(func.max(SignInAttempt.at)).where(
            SignInAttempt.email == email, SignInAttempt.succeeded.is_(True)
        )
    )
    if last_success is not None:
        since = max(since, last_success)
    return (
        session.scalar(
            select(func.count()).where(
                SignInAttempt.email == email,
                SignInAttempt.succeeded.is_(False),
                SignInAttempt.at > since,
            )
        )
        or 0
    )


def _record_attempt(
    session: Session,
    email: str,
    now: dt.datetime,
    remote_addr: str,
    *,
    succeeded: bool,
    reason: str,
    user: User | None = None,
) -> None:
    session.add(SignInAttempt(email=email, at=now, succeeded=succeeded, remote_addr=remote_addr))
    who = actor_for_user(user) if user else Actor(label=f"unauthenticated: {email}")
    action = "user:session:signed_in" if succeeded else "user:session:sign_in_refused"
    record(session, who, action, "sign_in", email, reason=reason, remote_addr=remote_addr)


def resume_session(
    session: Session, policy: SessionPolicy, cookie_token: str
) -> tuple[WebSession, Actor] | None:
    """The live session for a cookie, or None. Ends sessions found idle or expired."""
    web_session = session.get(
        WebSession,
        hash_secret(cookie_token),
        options=[joinedload(WebSession.user).options(*_ACTOR)],
    )
    if web_session is None or web_session.ended_at is not None:
        return None
    now = clock.now()
    user = web_session.user
    state = session_state(web_session.created_at, web_session.last_seen_at, now, policy)
    if user.disabled_at is not None or user.professional.has_left:
        _end(session, web_session, now, "disabled")
        return None
    if state is not SessionState.ACTIVE:
        _end(session, web_session, now, state.value)
        return None
    if now - web_session.last_seen_at >= policy.touch_every:
        web_session.last_seen_at = now
        session.commit()
    return web_session, actor_for_user(user)


def sign_out(session: Session, cookie_token: str) -> None:
    """End the session for this cookie, if there is one."""
    web_session = session.get(WebSession, hash_secret(cookie_token))
    if web_session is not None and web_session.ended_at is None:
        _end(session, web_session, clock.now(), "signed_out")


def _end(session: Session, web_session: WebSession, now: dt.datetime, reason: str) -> None:
    web_session.ended_at = now
    web_session.end_reason = reason
    record(
        session,
        actor_for_user(web_session.user),
        f"user:session:{reason}",
        "user",
        web_session.user_id,
    )
    session.commit()


def create_api_token(session: Session, actor: Actor, email: str, name: str) -> tuple[ApiToken, str]:
    """Issue a token acting as the user with `email`. Returns the row and the token, shown once."""
    name = name.strip()
    if not name:
        raise AccountError("Give the token a name that says which system uses it", field="name")
    user = user_by_email(session, normalise_email(email))
    if user is None:
        raise AccountError(f"{email} cannot sign in: let them sign in first, then issue the token")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name,
        prefix=raw[: len(TOKEN_PREFIX) + 6],
        token_hash=hash_secret(raw),
        created_at=clock.now(),
    )
    session.add(token)
    session.flush()
    record(
        session, actor, "admin:api_token:created", "api_token", token.id, user=user.id, name=name
    )
    session.commit()
    return token, raw


def revoke_api_token(session: Session, actor: Actor, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None:
        raise AccountError(f"There is no API token {token_id}: list them with joinedup tokens list")
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        record(session, actor, "admin:api_token:revoked", "api_token", token.id)
        session.commit()
    return token


def authenticate_api_token(session: Session, raw: str) -> Actor | None:
    """The actor a bearer token acts for; None if unknown, revoked, or its user cannot act."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = session.scalar(
        select(ApiToken)
        .where(ApiToken.token_hash == hash_secret(raw))
        .options(joinedload(ApiToken.user).options(*_ACTOR))
    )
    if token is None or token.revoked_at is not None:
        return None
    user = token.user
    if user.disabled_at is not None or user.professional.has_left:
        return None
    now = clock.now()
    if token.last_used_at is None or now - token.last_used_at >= dt.timedelta(minutes=1):
        token.last_used_at = now
        session.commit()
    return actor_for_user(user)


def add_users_in_bulk(
    session: Session, actor: Actor, emails: list[str], password: str | None = None
) -> int:
    """Give many professionals sign-ins at once (a new hub's staff); one password for all, or none.

    All or nothing: raises AccountError naming every email that cannot be given one.
    """
    wanted = [normalise_email(e) for e in emails]
    found = {
        p.email: p
        for p in session.scalars(select(Professional).where(Professional.email.in_(wanted)))
    }
    have = set(
        session.scalars(
            select(Professional.email).join(User, User.professional_id == Professional.id)
        )
    )
    problems = [e for e in wanted if e not in found or e in have or found[e].has_left]
    if problems:
        raise AccountError("These cannot be given a sign-in: " + ", ".join(problems[:20]))
    # Hashed once: the same password for every account in this batch.
    password_hash = hash_password(password) if password else None
    now = clock.now()
    session.add_all(
        User(professional=found[e], password_hash=password_hash, created_at=now) for e in wanted
    )
    record(session, actor, "admin:user:bulk_created", "user", "many", count=len(wanted))
    session.commit()
    return len(wanted)

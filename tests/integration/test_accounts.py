"""Signing in and out, session expiry, throttling and API tokens, on both databases."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.accounts import services
from joinedup.accounts.models import SignInAttempt, WebSession
from joinedup.accounts.rules import SessionPolicy, hash_secret
from joinedup.directory import services as directory
from joinedup.directory.rules import Role
from tests.factories import ADMIN, PASSWORD, create_user

POLICY = SessionPolicy()


def test_a_user_signs_in_with_their_password_and_gets_their_roles(
    db: Session, frozen_clock: clock.Clock
) -> None:
    bob = create_user(db, "Bob", roles=(Role.MASH_MANAGER,))
    signed_in = services.sign_in(db, POLICY, bob.professional.email.upper(), PASSWORD)

    assert signed_in.actor.user_id == bob.id
    assert signed_in.actor.roles == {Role.MASH_MANAGER}
    assert db.get(WebSession, hash_secret(signed_in.cookie_token)) is not None


def test_the_wrong_password_and_an_unknown_email_get_the_same_message(
    db: Session, frozen_clock: clock.Clock
) -> None:
    alice = create_user(db)
    with pytest.raises(services.SignInFailed) as wrong_password:
        services.sign_in(db, POLICY, alice.professional.email, "not the password")
    with pytest.raises(services.SignInFailed) as no_account:
        services.sign_in(db, POLICY, "nobody@nowhere.example", PASSWORD)
    assert str(wrong_password.value) == str(no_account.value)


def test_repeated_failures_lock_the_account_for_a_while_and_are_recorded(
    db: Session, frozen_clock: clock.Clock
) -> None:
    alice = create_user(db)
    email = alice.professional.email
    for _ in range(POLICY.max_failures):
        with pytest.raises(services.SignInFailed):
            services.sign_in(db, POLICY, email, "guess")
    with pytest.raises(services.SignInThrottled, match="Wait 15 minutes"):
        services.sign_in(db, POLICY, email, PASSWORD)

    frozen_clock.advance(POLICY.lockout + dt.timedelta(seconds=1))
    assert services.sign_in(db, POLICY, email, PASSWORD).actor.user_id == alice.id
    attempts = db.scalars(select(SignInAttempt).where(SignInAttempt.email == email)).all()
    assert [a.succeeded for a in attempts] == [False] * (POLICY.max_failures + 1) + [True]


def test_a_session_ends_after_thirty_idle_minutes(db: Session, frozen_clock: clock.Clock) -> None:
    alice = create_user(db)
    token = services.sign_in(db, POLICY, alice.professional.email, PASSWORD).cookie_token

    frozen_clock.advance(dt.timedelta(minutes=29))
    assert services.resume_session(db, POLICY, token) is not None
    frozen_clock.advance(dt.timedelta(minutes=29))
    assert services.resume_session(db, POLICY, token) is not None, "activity keeps it alive"
    frozen_clock.advance(dt.timedelta(minutes=31))
    assert services.resume_session(db, POLICY, token) is None
    assert db.get(WebSession, hash_secret(token)).end_reason == "idle"  # type: ignore[union-attr]


def test_a_session_ends_after_twelve_hours_however_active(
    db: Session, frozen_clock: clock.Clock
) -> None:
    alice = create_user(db)
    token = services.sign_in(db, POLICY, alice.professional.email, PASSWORD).cookie_token
    for _ in range(12 * 4 - 1):
        frozen_clock.advance(dt.timedelta(minutes=15))
        assert services.resume_session(db, POLICY, token) is not None
    frozen_clock.advance(dt.timedelta(minutes=15))
    assert services.resume_session(db, POLICY, token) is None


def test_signing_out_ends_the_session(db: Session, frozen_clock: clock.Clock) -> None:
    alice = create_user(db)
    token = services.sign_in(db, POLICY, alice.professional.email, PASSWORD).cookie_token
    services.sign_out(db, token)
    assert services.resume_session(db, POLICY, token) is None


def test_a_professional_who_has_left_can_no_longer_sign_in_or_use_a_session(
    db: Session, frozen_clock: clock.Clock
) -> None:
    alice = create_user(db)
    token = services.sign_in(db, POLICY, alice.professional.email, PASSWORD).cookie_token
    directory.mark_left(db, ADMIN, alice.professional_id)

    assert services.resume_session(db, POLICY, token) is None
    with pytest.raises(services.SignInFailed):
        services.sign_in(db, POLICY, alice.professional.email, PASSWORD)


def test_an_api_token_is_stored_hashed_acts_as_its_user_and_can_be_revoked(
    db: Session, frozen_clock: clock.Clock
) -> None:
    alice = create_user(db)
    token, raw = services.create_api_token(db, ADMIN, alice.professional.email, "Police RMS")

    assert raw not in (token.token_hash, token.prefix) and raw.startswith(token.prefix)
    actor = services.authenticate_api_token(db, raw)
    assert actor is not None and actor.user_id == alice.id
    assert services.authenticate_api_token(db, raw + "x") is None

    services.revoke_api_token(db, ADMIN, token.id)
    assert services.authenticate_api_token(db, raw) is None


def test_a_user_needs_a_professional_in_the_directory_first(db: Session) -> None:
    with pytest.raises(services.AccountError, match="add them to the directory first"):
        services.add_user(db, ADMIN, "stranger@nowhere.example", PASSWORD)


def test_a_short_password_is_refused(db: Session) -> None:
    with pytest.raises(ValueError, match="at least 12 characters"):
        create_user(db, password="short")


def test_setting_a_new_password_ends_open_sessions_and_the_new_one_works(
    db: Session, frozen_clock: clock.Clock
) -> None:
    alice = create_user(db)
    token = services.sign_in(db, POLICY, alice.professional.email, PASSWORD).cookie_token
    services.set_password(db, ADMIN, alice.id, "a brand new passphrase")

    assert services.resume_session(db, POLICY, token) is None
    with pytest.raises(services.SignInFailed):
        services.sign_in(db, POLICY, alice.professional.email, PASSWORD)
    assert services.sign_in(db, POLICY, alice.professional.email, "a brand new passphrase")

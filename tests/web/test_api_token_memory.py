"""Each process remembers a token's actor for a few seconds, and forgets it when it changes."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.accounts import services as accounts
from joinedup.directory import services as directory
from joinedup.directory.rules import Role
from joinedup.web import api
from tests.factories import ADMIN, create_user
from tests.web.conftest import TestClient


def _token(db: Session, name: str = "Tom") -> tuple[int, int, str]:
    tom = create_user(db, name, roles=(Role.REFERRER,), password=None)
    token, raw = accounts.create_api_token(db, ADMIN, tom.professional.email, "Niche")
    return token.id, tom.professional_id, raw


def _me(client: TestClient, raw: str) -> int:
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code


def test_a_token_revoked_by_another_process_stops_working_within_the_memory(
    client: TestClient,
    sqlite_db: Session,
    frozen_clock: clock.Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(api, "TOKEN_MEMORY", 0.5)
    token_id, _, raw = _token(sqlite_db)
    assert _me(client, raw) == 200
    # As `joinedup tokens revoke` in another process would: nothing here sees it happen.
    sqlite_db.execute(
        text("UPDATE api_tokens SET revoked_at = :now WHERE id = :id"),
        {"now": clock.now().replace(tzinfo=None), "id": token_id},
    )
    sqlite_db.commit()

    assert _me(client, raw) == 200, "remembered for up to TOKEN_MEMORY"
    time.sleep(0.6)
    assert _me(client, raw) == 401


def test_a_token_revoked_in_this_process_stops_working_at_once(
    client: TestClient, sqlite_db: Session, frozen_clock: clock.Clock
) -> None:
    token_id, _, raw = _token(sqlite_db)
    assert _me(client, raw) == 200

    accounts.revoke_api_token(sqlite_db, ADMIN, token_id)

    assert _me(client, raw) == 401


def test_a_referrer_who_has_left_is_refused_at_once_and_a_role_change_is_seen_at_once(
    client: TestClient, sqlite_db: Session, frozen_clock: clock.Clock
) -> None:
    _, tom, raw = _token(sqlite_db)
    _, una, other = _token(sqlite_db, "Una")
    assert (_me(client, raw), _me(client, other)) == (200, 200)

    directory.mark_left(sqlite_db, ADMIN, tom)
    directory.grant_role(sqlite_db, ADMIN, una, Role.MASH_MANAGER.value)

    assert _me(client, raw) == 401
    roles = client.get("/api/v1/me", headers={"Authorization": f"Bearer {other}"}).json()["roles"]
    assert roles == ["mash_manager", "referrer"]


def test_an_unknown_token_is_never_remembered_so_a_new_one_works_at_once(
    client: TestClient, sqlite_db: Session, frozen_clock: clock.Clock
) -> None:
    assert _me(client, "jdp_not-yet-issued") == 401
    _, _, raw = _token(sqlite_db)
    assert _me(client, raw) == 200

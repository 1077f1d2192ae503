"""Administrators keep the directory: areas, agencies, teams and professionals."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup.audit.models import AuditEntry
from joinedup.directory import queries, services
from joinedup.directory.rules import AgencyKind, Role
from tests.factories import ADMIN, create_agency, create_area, create_professional


def test_an_agency_belongs_to_a_district_or_to_the_whole_county(db: Session) -> None:
    ashfield = create_area(db, "ASH", "Ashfield")
    school = create_agency(db, AgencyKind.SCHOOL, code="SCH-1", area=ashfield)
    police = create_agency(db, AgencyKind.POLICE, code="POL-1")

    assert school.area is not None and school.area.name == "Ashfield"
    assert police.area is None


def test_an_unknown_agency_kind_is_refused_with_the_kinds_that_exist(db: Session) -> None:
    with pytest.raises(services.DirectoryError, match="must be one of: police, acute_trust"):
        services.add_agency(db, ADMIN, "X-1", "Nowhere", "spaceport", None)


def test_agency_codes_are_unique_and_well_formed(db: Session) -> None:
    create_agency(db, code="POL-2")
    with pytest.raises(services.DirectoryError, match="already an agency with the code POL-2"):
        create_agency(db, code="pol-2")
    with pytest.raises(services.DirectoryError, match="capital letters, digits or hyphens"):
        services.add_agency(db, ADMIN, "no spaces", "Bad", "police", None)


def test_a_professional_has_the_roles_they_were_given(db: Session) -> None:
    alice = create_professional(db, roles=(Role.REFERRER, Role.MASH_PRACTITIONER))
    assert alice.active_roles == {"referrer", "mash_practitioner"}


def test_an_unknown_role_is_refused_with_the_roles_that_exist(db: Session) -> None:
    with pytest.raises(services.DirectoryError, match="Role 'wizard' is not known"):
        services.add_professional(
            db,
            ADMIN,
            email="w@x.example",
            given_name="W",
            family_name="Z",
            agency_code=create_agency(db).code,
            roles=["wizard"],
        )


def test_a_duplicate_email_is_refused(db: Session) -> None:
    alice = create_professional(db)
    with pytest.raises(services.DirectoryError, match="already a professional with the email"):
        create_professional(db, email=alice.email.upper())


def test_a_revoked_role_is_kept_in_history(db: Session) -> None:
    bob = create_professional(db, "Bob", roles=(Role.MASH_MANAGER, Role.REFERRER))
    services.revoke_role(db, ADMIN, bob.id, "mash_manager")

    assert bob.active_roles == {"referrer"}
    revoked = [g for g in bob.role_grants if g.revoked_at is not None]
    assert [g.role for g in revoked] == ["mash_manager"]


def test_a_professional_who_leaves_keeps_their_history(db: Session) -> None:
    alice = create_professional(db)
    services.mark_left(db, ADMIN, alice.id)

    again = queries.professional(db, alice.id)
    assert again is not None and again.has_left
    listed = queries.professionals_of(db, alice.agency_id)
    assert [p.id for p in listed] == [alice.id]
    assert queries.headcounts(db).get(alice.agency_id, 0) == 0


def test_every_directory_change_is_on_the_ledger(db: Session) -> None:
    alice = create_professional(db)
    services.grant_role(db, ADMIN, alice.id, "ig_lead")
    actions = db.scalars(
        select(AuditEntry.action).where(AuditEntry.object_id == str(alice.id))
    ).all()
    assert "admin:professional:created" in actions
    assert "admin:role:granted" in actions

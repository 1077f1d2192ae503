"""A small partnership for the IG leads' pages and reports, built through the real services.

Ian is the police IG lead and Sue children's social care's. Their agreement, "MASH: safeguarding
children", is active: social care's MASH practitioners see the police's intelligence and
demographics. The police hold a handful of people's records (invented names only). Pat is a
social care MASH practitioner working those people's cases; Nia, another, is not; Bob, a social
care MASH manager, may open break-glass; Hana, at the hospital, has no agreement with anyone.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from joinedup.accounts.models import User
from joinedup.accounts.queries import actor_for_user
from joinedup.actor import Actor
from joinedup.directory.models import Agency
from joinedup.directory.rules import AgencyKind, Role
from joinedup.people.imports import import_extract
from joinedup.people.models import AgencyRecord
from joinedup.people.schemas import COLUMN_NAMES
from joinedup.sharing import decisions, services
from joinedup.sharing.gate import Disclosure, Involvement, disclose, person_reference
from joinedup.sharing.models import Agreement, BreakGlassGrant
from joinedup.sharing.rules import Purpose
from tests.factories import ADMIN, create_agency, create_user

CHILDREN = Purpose.SAFEGUARDING_CHILDREN
JUSTIFICATION = "Child missing overnight; police hold the last known address."


def draft_terms(today: dt.date, **overrides: object) -> dict[str, object]:
    """An agreement's terms as an IG lead drafts them, starting `today`."""
    return {
        "title": "MASH: safeguarding children",
        "purpose": "safeguarding_children",
        "lawful_basis": "public_task",
        "article_9_condition": "substantial_public_interest",
        "starts_on": today,
        "review_on": today + dt.timedelta(days=365),
        "ends_on": today + dt.timedelta(days=3 * 365),
        "retention_days": 2190,
    } | overrides


class Partnership:
    def __init__(self, db: Session, today: dt.date, people: int = 3, password: str | None = None):
        self.db = db
        self.user_ids: dict[str, int] = {}
        self.police = create_agency(db, AgencyKind.POLICE, name="Nottinghamshire Police")
        self.csc = create_agency(
            db, AgencyKind.CHILDRENS_SOCIAL_CARE, name="Nottinghamshire Children's Services"
        )
        self.hospital = create_agency(db, AgencyKind.ACUTE_TRUST, name="Sherwood Forest Hospitals")
        self.ian = self.person("Ian", self.police, Role.IG_LEAD, password=password)
        self.sue = self.person("Sue", self.csc, Role.IG_LEAD, password=password)
        self.pat = self.person("Pat", self.csc, Role.MASH_PRACTITIONER)
        self.nia = self.person("Nia", self.csc, Role.MASH_PRACTITIONER)
        self.bob = self.person("Bob", self.csc, Role.MASH_MANAGER)
        self.hana = self.person("Hana", self.hospital, Role.MASH_PRACTITIONER)
        self.records = self.police_records(people)
        for agency in (self.police, self.csc, self.hospital):
            db.refresh(agency)  # the import expired them; tests read them between requests
        self.agreement = self.active_agreement(today)

    def person(self, name: str, agency: Agency, *roles: Role, password: str | None = None) -> Actor:
        # No password unless a test signs in: hashing one (argon2) only slows the tests.
        user = create_user(self.db, name, roles=roles, agency=agency, password=password)
        self.user_ids[name] = user.id
        return actor_for_user(user)

    def user(self, name: str) -> User:
        """Someone's account, loaded afresh (the people import detaches what it loaded)."""
        found = self.db.get(
            User,
            self.user_ids[name],
            populate_existing=True,
            options=[joinedload(User.professional)],
        )
        assert found is not None
        return found

    def active_agreement(self, today: dt.date) -> Agreement:
        agreement = services.draft_agreement(self.db, self.sue, **draft_terms(today))  # type: ignore[arg-type]
        services.add_party(self.db, self.sue, agreement.id, self.police.code)
        for category in ("police_intelligence", "demographics"):
            services.grant(
                self.db, self.sue, agreement.id, self.csc.code, "mash_practitioner", category
            )
        services.sign(self.db, self.ian, agreement.id)
        services.sign(self.db, self.sue, agreement.id)
        return services.activate(self.db, self.sue, agreement.id)

    def police_records(self, people: int) -> list[AgencyRecord]:
        text = io.StringIO()
        writer = csv.DictWriter(text, fieldnames=COLUMN_NAMES, restval="")
        writer.writeheader()
        for n in range(people):
            writer.writerow(
                {"record_id": f"NP-{n}", "given_name": f"Child{n}", "family_name": "Invented"}
            )
        extract = io.BytesIO(text.getvalue().encode())
        import_extract(self.db, ADMIN, self.police.code, extract, file_name="police.csv")
        return list(
            self.db.scalars(
                select(AgencyRecord)
                .where(AgencyRecord.agency_id == self.police.id)
                .order_by(AgencyRecord.id)
            )
        )

    def look(
        self, actor: Actor, records: Sequence[AgencyRecord] | None = None, involved: bool = True
    ) -> list[Disclosure]:
        """`actor` looks at the police's records through the gate (working their cases, or not)."""
        records = self.records if records is None else records
        people = [r.master_person_id for r in records if r.master_person_id] if involved else []
        shown = disclose(
            self.db, actor, CHILDREN, records, involvement=Involvement.of_people(people)
        )
        self.db.commit()
        return shown

    def break_glass(
        self, actor: Actor | None = None, owner: Agency | None = None, **overrides: object
    ) -> BreakGlassGrant:
        """Bob (by default) opens break-glass over the first police record's person."""
        person = self.records[0].master_person_id
        assert person is not None
        fields: dict[str, object] = {
            "subject_reference": person_reference(person),
            "master_person_id": person,
            "owner_agency_code": (owner or self.police).code,
            "justification": JUSTIFICATION,
        } | overrides
        return decisions.open_break_glass(self.db, actor or self.bob, **fields)  # type: ignore[arg-type]

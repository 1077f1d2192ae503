"""The front door's records as the sharing gate sees them, and who is working each contact.

Three kinds of person-level record come through the front door:
- a **contact subject**: a person the referrer named: demographics, the UPN education as
  everywhere else;
- the **contact's account**: what happened, in the referrer's words; what it reveals is what
  the referrer's agency knows (a police officer's account is police information), so it takes
  the category that agency's records take (sharing.redaction.HOLDING_CATEGORY);
- a **research answer**: owned by the agency that answered, with its own sensitivity marking
  and its originator-control choice, in that agency's category.

Who holds a contact follows how it travelled (`custodian`). The referrer's agency holds what
its referrer wrote. Referring shares it with the MASH, so a MASH manager holds it as their own
agency's: that is what the referral was for, whichever agency the referrer works for. A MASH
manager asking a partner shares it on, so the partner's practitioner sees it as the asking
manager's agency's, under the agreement between the two, category by category. A contact
routed to the allocated worker of an open case (domain.md step 2) is a referral to the social
care service holding the case, instead of the MASH: its worker holds it as their own agency's,
as a MASH manager does.

Need to know (Caldicott 4) comes from the work: MASH managers work every contact in the
MASH; a MASH practitioner works the contacts their agency has been asked about; a referrer
works the contacts they raised; an allocated worker works the contacts routed to the case they
hold, until a MASH manager brings one back. Nobody else is involved, so the gate refuses
partners' data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from joinedup.actor import Actor
from joinedup.directory.rules import AgencyKind, Role
from joinedup.frontdoor.models import Contact, ContactSubject, ResearchRequest
from joinedup.frontdoor.rules import ContactStatus, PersonKind, SubjectRole
from joinedup.sharing.gate import NOT_INVOLVED, Involvement
from joinedup.sharing.redaction import HOLDING_CATEGORY
from joinedup.sharing.rules import DataCategory, Purpose, Sensitivity

C = DataCategory

SUBJECT_FIELDS: dict[str, DataCategory] = {
    "given_name": C.DEMOGRAPHICS,
    "family_name": C.DEMOGRAPHICS,
    "date_of_birth": C.DEMOGRAPHICS,
    "due_date": C.DEMOGRAPHICS,
    "nhs_number": C.DEMOGRAPHICS,
    "upn": C.EDUCATION,  # as on agency records: a UPN exists because a school registered them
    "address": C.DEMOGRAPHICS,
    "postcode": C.DEMOGRAPHICS,
    "relationship_to_subject": C.DEMOGRAPHICS,
}


def purpose_of(contact: Contact) -> Purpose:
    """Safeguarding children when it names a child or an unborn baby, else adults at risk."""
    kinds = {s.kind for s in contact.subjects if s.role == SubjectRole.SUBJECT}
    if kinds & {PersonKind.CHILD, PersonKind.UNBORN}:
        return Purpose.SAFEGUARDING_CHILDREN
    return Purpose.SAFEGUARDING_ADULTS


def first_subject(contact: Contact) -> ContactSubject | None:
    return next((s for s in contact.subjects if s.role == SubjectRole.SUBJECT), None)


@dataclass(frozen=True)
class SubjectRecord:
    """A person a contact names (ContactSubject), as held by its custodian."""

    subject: ContactSubject
    owner_agency_id: int
    object_type: str = "contact_subject"
    record_category: DataCategory = C.DEMOGRAPHICS
    sensitivity: Sensitivity = Sensitivity.NORMAL
    owner_allows_beyond_mash: bool | None = None

    @property
    def object_id(self) -> int:
        return self.subject.id

    @property
    def master_person_id(self) -> int | None:
        return self.subject.master_person_id

    @property
    def field_categories(self) -> Mapping[str, DataCategory]:
        return SUBJECT_FIELDS

    def field_values(self) -> dict[str, Any]:
        return {name: getattr(self.subject, name) for name in SUBJECT_FIELDS}


@dataclass(frozen=True)
class AccountRecord:
    """What happened, in the referrer's words: what the referrer's agency knows."""

    contact: Contact
    referrer_kind: AgencyKind
    owner_agency_id: int
    object_type: str = "contact"
    sensitivity: Sensitivity = Sensitivity.NORMAL
    owner_allows_beyond_mash: bool | None = None

    @property
    def object_id(self) -> int:
        return self.contact.id

    @property
    def master_person_id(self) -> int | None:
        subject = first_subject(self.contact)
        return subject.master_person_id if subject else None

    @property
    def record_category(self) -> DataCategory:
        return HOLDING_CATEGORY[self.referrer_kind]

    @property
    def field_categories(self) -> Mapping[str, DataCategory]:
        return {"what_happened": self.record_category}

    def field_values(self) -> dict[str, Any]:
        return {"what_happened": self.contact.what_happened}


@dataclass(frozen=True)
class AnswerRecord:
    """A partner's answer to research: theirs, with their marking and onward-sharing choice."""

    request: ResearchRequest
    object_type: str = "research_answer"

    @property
    def object_id(self) -> int:
        return self.request.id

    @property
    def owner_agency_id(self) -> int:
        return self.request.agency_id

    @property
    def master_person_id(self) -> int | None:
        subject = first_subject(self.request.contact)
        return subject.master_person_id if subject else None

    @property
    def record_category(self) -> DataCategory:
        return HOLDING_CATEGORY[AgencyKind(self.request.agency.kind)]

    @property
    def field_categories(self) -> Mapping[str, DataCategory]:
        return {"summary": self.record_category}

    @property
    def sensitivity(self) -> Sensitivity:
        return Sensitivity(self.request.sensitivity or Sensitivity.NORMAL)

    @property
    def owner_allows_beyond_mash(self) -> bool | None:
        return self.request.may_share_beyond_mash

    def field_values(self) -> dict[str, Any]:
        return {"summary": self.request.summary}


def custodian(actor: Actor, contact: Contact) -> int:
    """The agency the actor receives the contact's own records from (see the module's note)."""
    if actor.has(Role.MASH_MANAGER) and actor.agency_id is not None:
        return actor.agency_id
    if is_allocated_worker(actor, contact):
        assert contact.routing is not None
        return contact.routing.case.agency_id
    if actor.professional_id == contact.referrer_professional_id:
        return contact.referrer_agency_id
    asked = next((r for r in contact.research_requests if r.agency_id == actor.agency_id), None)
    return asked.requested_by.agency_id if asked else contact.referrer_agency_id


def is_working(actor: Actor, contact: Contact) -> bool:
    """Whether the actor works this contact: the one test of who may open it at all."""
    if actor.has(Role.MASH_MANAGER):
        return True
    if actor.professional_id is not None and actor.professional_id == (
        contact.referrer_professional_id
    ):
        return True
    if is_allocated_worker(actor, contact):
        return True
    return actor.has(Role.MASH_PRACTITIONER) and any(
        r.agency_id == actor.agency_id for r in contact.research_requests
    )


def is_allocated_worker(actor: Actor, contact: Contact) -> bool:
    """Whether the contact went to an open case the actor holds now (not brought back)."""
    routed = contact.routing
    return (
        routed is not None
        and contact.status == ContactStatus.ROUTED
        and actor.professional_id is not None
        and routed.case.allocated_worker_id == actor.professional_id
    )


def involvement_in(actor: Actor, contact: Contact) -> Involvement:
    """The people and records of this contact, for anyone working it; nothing otherwise."""
    if not is_working(actor, contact):
        return NOT_INVOLVED
    return Involvement(
        master_person_ids=frozenset(
            s.master_person_id for s in contact.subjects if s.master_person_id is not None
        ),
        records=frozenset(
            {("contact", contact.id)}
            | {("contact_subject", s.id) for s in contact.subjects}
            | {("research_answer", r.id) for r in contact.research_requests}
        ),
    )

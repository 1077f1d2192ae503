"""Reads of the front door: work lists, a referrer's own contacts, and known-people checks.

Each read that depends on who is asking takes the Actor and answers only what they may see;
an outsider gets nothing (None, or an empty list), which the edges turn into 404.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, bindparam, or_, select
from sqlalchemy.orm import Session, selectinload

from joinedup import clock
from joinedup.actor import Actor
from joinedup.directory.rules import Role
from joinedup.frontdoor.models import Contact, ContactSubject, SubjectCandidate
from joinedup.frontdoor.practice import Practice
from joinedup.frontdoor.rules import ContactStatus, SubjectRole, repeat_pattern
from joinedup.frontdoor.schemas import ContactForReferrer, MessageToReferrer


def contact_by_idempotency_key(session: Session, professional_id: int, key: str) -> Contact | None:
    """The contact this referrer already sent with this idempotency key, if any."""
    return session.scalar(
        select(Contact).where(
            Contact.referrer_professional_id == professional_id, Contact.idempotency_key == key
        )
    )


def contact_for(session: Session, actor: Actor, reference: str) -> Contact | None:
    """The contact with this reference if the actor may see it, else None.

    Its referrer sees their own; a MASH manager sees every contact; nobody else sees any.
    """
    contact = session.scalar(select(Contact).where(Contact.reference == reference.strip().upper()))
    if contact is None:
        return None
    if actor.has(Role.MASH_MANAGER):
        return contact
    if (
        actor.professional_id is not None
        and actor.professional_id == contact.referrer_professional_id
    ):
        return contact
    return None


def referrer_view(contact: Contact, practice: Practice) -> ContactForReferrer:
    """What the referrer is told about their contact: the outcome and the MASH's messages,
    never the rating or the partners' research."""
    status = ContactStatus(contact.status)
    return ContactForReferrer(
        reference=contact.reference,
        received_at=contact.received_at,
        status=status.value,
        status_description=status.for_referrer,
        outcome=practice.outcome_label(contact.decision.outcome) if contact.decision else None,
        messages=[
            MessageToReferrer(
                kind=task.kind,
                sent_at=task.sent_at,
                message=task.message,
                sent_by="allocated_social_worker" if task.from_allocated_worker else "mash",
            )
            for task in contact.feedback_tasks
            if task.sent_at is not None and task.message is not None
        ],
    )


def contacts_of_referrer(
    session: Session, actor: Actor, practice: Practice
) -> list[ContactForReferrer]:
    """The actor's own contacts, newest first, as their referrer sees them."""
    if actor.professional_id is None:
        return []
    contacts = session.scalars(
        select(Contact)
        .where(Contact.referrer_professional_id == actor.professional_id)
        .options(selectinload(Contact.decision), selectinload(Contact.feedback_tasks))
        .order_by(Contact.received_at.desc(), Contact.id.desc())
    )
    return [referrer_view(contact, practice) for contact in contacts]


@dataclass(frozen=True)
class ContactToRate:
    """A contact waiting for its rating, and how its decision clock stands."""

    contact: Contact
    decision_due_at: dt.datetime
    late_by: dt.timedelta  # working time past the due time; negative is working time left

    @property
    def is_overdue(self) -> bool:
        return self.late_by > dt.timedelta(0)


def contacts_to_rate(session: Session, actor: Actor, practice: Practice) -> list[ContactToRate]:
    """A MASH manager's list of contacts not yet rated, oldest first; empty for anyone else.

    Lateness is counted in working time (the practice's opening hours and bank holidays), so
    a contact due at Friday's close is not three days late on Monday morning.
    """
    if not actor.has(Role.MASH_MANAGER):
        return []
    now = clock.now()
    contacts = session.scalars(
        select(Contact)
        .where(Contact.status == ContactStatus.RECEIVED.value)
        .options(selectinload(Contact.subjects), selectinload(Contact.concerns))
        .order_by(Contact.received_at, Contact.id)
    )
    return [
        ContactToRate(
            contact=contact,
            decision_due_at=contact.decision_due_at,
            late_by=practice.calendar.working_hours_between(contact.decision_due_at, now),
        )
        for contact in contacts
    ]


# --- Known people -------------------------------------------------------------------------


def people_index_candidates(
    session: Session, actor: Actor, contact: Contact
) -> dict[int, list[SubjectCandidate]]:
    """For a MASH manager: each person the contact names (by subject id) and the master persons
    the trained model found for them at intake, best first: the one linked, and those between
    the thresholds left for the manager to judge. Empty for anyone else, and for contacts taken
    in without a model. Only references and weights: the people's details come through the gate.
    """
    if not actor.has(Role.MASH_MANAGER):
        return {}
    found: dict[int, list[SubjectCandidate]] = {}
    for candidate in session.scalars(
        select(SubjectCandidate)
        .join(ContactSubject, ContactSubject.id == SubjectCandidate.contact_subject_id)
        .where(ContactSubject.contact_id == contact.id)
        .order_by(SubjectCandidate.contact_subject_id, SubjectCandidate.match_weight.desc())
    ):
        found.setdefault(candidate.contact_subject_id, []).append(candidate)
    return found


@dataclass(frozen=True)
class OtherContact:
    """Another contact that names the same person."""

    reference: str
    received_at: dt.datetime
    status: ContactStatus
    role: SubjectRole  # the person's role in that contact


@dataclass(frozen=True)
class KnownPerson:
    """What the hub already knows about one person a contact names."""

    subject: ContactSubject
    earlier_contacts: list[OtherContact]  # received before this one, newest first
    open_contacts: list[OtherContact]  # other contacts about them still being worked on
    re_referral: bool
    escalating: bool

    @property
    def is_known(self) -> bool:
        return bool(self.earlier_contacts or self.open_contacts)


# Everyone a contact names, in one statement built once: any of their NHS numbers, any of their
# UPNs, or names and dates of birth among theirs. Combinations of one person's name with
# another's date of birth come back too, and _names sets them aside.
_subjects = ContactSubject.__table__.c
_contacts = Contact.__table__.c  # plain columns: run on the connection, no ORM to set up
_NAMING_ANY = (
    select(
        _subjects.role,
        _subjects.nhs_number,
        _subjects.upn,
        _subjects.family_name_norm,
        _subjects.given_name_norm,
        _subjects.date_of_birth,
        _subjects.master_person_id,
        _contacts.id,
        _contacts.reference,
        _contacts.received_at,
        _contacts.status,
    )
    .join(Contact.__table__, _contacts.id == _subjects.contact_id)
    .where(
        or_(
            _subjects.master_person_id.in_(bindparam("people", expanding=True)),
            _subjects.nhs_number.in_(bindparam("nhs_numbers", expanding=True)),
            _subjects.upn.in_(bindparam("upns", expanding=True)),
            and_(
                _subjects.family_name_norm.in_(bindparam("family_names", expanding=True)),
                _subjects.given_name_norm.in_(bindparam("given_names", expanding=True)),
                _subjects.date_of_birth.in_(bindparam("births", expanding=True)),
            ),
        ),
    )
    .order_by(_contacts.received_at.desc(), _contacts.id.desc())
)


def known_people(session: Session, contact: Contact, practice: Practice) -> list[KnownPerson]:
    """For each person the contact names, the other contacts about them and what they mean.

    The same person: the same person in the people index (intake's match, or a manager's
    link), the same NHS number or UPN, or exactly the same normalised first and last name and
    date of birth. A re-referral and an escalating pattern count contacts in which they were
    the subject.
    """
    (known,) = known_people_of(session, [contact], practice)
    return known


def known_people_of(
    session: Session, contacts: Sequence[Contact], practice: Practice
) -> list[list[KnownPerson]]:
    """known_people for several contacts (intake takes in a batch), from one query: each
    contact's people as known_people finds them, other contacts of the batch included."""
    subjects = [s for contact in contacts for s in contact.subjects]
    named = [
        (family, given, born)
        for s in subjects
        if (family := s.family_name_norm)
        and (given := s.given_name_norm)
        and (born := s.date_of_birth)
    ]
    wanted = {
        "people": sorted({s.master_person_id for s in subjects if s.master_person_id}),
        "nhs_numbers": sorted({s.nhs_number for s in subjects if s.nhs_number}),
        "upns": sorted({s.upn for s in subjects if s.upn}),
        "family_names": sorted({family for family, _, _ in named}),
        "given_names": sorted({given for _, given, _ in named}),
        "births": sorted({born for _, _, born in named}),
    }
    rows = (
        session.connection().execute(_NAMING_ANY, wanted).all()
        if wanted["people"] or wanted["nhs_numbers"] or wanted["upns"] or named
        else []
    )
    return [
        [_known(subject, rows, contact, practice) for subject in contact.subjects]
        for contact in contacts
    ]


def _known(
    subject: ContactSubject, rows: Sequence[Any], contact: Contact, practice: Practice
) -> KnownPerson:
    others: dict[int, OtherContact] = {}
    for row in rows:
        if row.id == contact.id or not _names(row, subject):
            continue
        mentioned = OtherContact(
            row.reference, row.received_at, ContactStatus(row.status), SubjectRole(row.role)
        )
        # Someone named twice in one contact counts once, as its subject if they were one.
        if row.id not in others or mentioned.role is SubjectRole.SUBJECT:
            others[row.id] = mentioned
    # By (received_at, id): contacts received in the same instant still come in an order.
    earlier = [
        other
        for other_id, other in others.items()
        if (other.received_at, other_id) < (contact.received_at, contact.id)
    ]
    pattern = repeat_pattern(
        contact.received_at,
        [o.received_at for o in earlier if o.role is SubjectRole.SUBJECT],
        practice,
    )
    is_subject = subject.role == SubjectRole.SUBJECT
    return KnownPerson(
        subject=subject,
        earlier_contacts=earlier,
        open_contacts=[o for o in others.values() if o.status.is_open],
        re_referral=is_subject and pattern.re_referral,
        escalating=is_subject and pattern.escalating,
    )


def _names(row: Any, subject: ContactSubject) -> bool:
    """Whether the person in a row is the subject: the same person in the people index, NHS
    number, UPN, or names and date of birth."""
    return bool(
        (subject.master_person_id and row.master_person_id == subject.master_person_id)
        or (subject.nhs_number and row.nhs_number == subject.nhs_number)
        or (subject.upn and row.upn == subject.upn)
        or (
            subject.given_name_norm
            and subject.family_name_norm
            and subject.date_of_birth
            and (row.family_name_norm, row.given_name_norm, row.date_of_birth)
            == (subject.family_name_norm, subject.given_name_norm, subject.date_of_birth)
        )
    )

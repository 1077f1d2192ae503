"""Subject access (UK GDPR Art 15): everything the hub holds about a person, across agencies,
as one document for the IG lead who answers the request.

The export is a disclosure: only an IG lead (or an operator's command) may make one; to
anyone else the person does not exist. Each export puts one entry on the ledger, naming who
made it and the person (by reference, never their details), in the transaction that made it.

Nothing is left out. What the IG lead must weigh before release (other people, the referrer,
staff, free text, each owning agency's exemptions) is marked where it stands, with the reason
(`rules.for_review`), and counted in the summary. The document is plain JSON: sar_html renders
it for people to read.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, selectinload

from joinedup import __version__, clock
from joinedup.actor import Actor
from joinedup.audit.services import record
from joinedup.directory.rules import AgencyKind, Role
from joinedup.frontdoor.practice import Practice
from joinedup.governance import sar_cases, sar_contacts, sar_history
from joinedup.governance.queries import PersonHeld, find_person
from joinedup.governance.rules import (
    PersonAsked,
    PersonNotFound,
    ReviewReason,
    exemption_to_consider,
    marks_in,
    parse_person,
)
from joinedup.people.models import AgencyRecord
from joinedup.sharing.gate import person_reference
from joinedup.sharing.inputs import is_operator
from joinedup.sharing.redaction import AGENCY_RECORD_FIELDS, HOLDING_CATEGORY

FORMAT = "joinedup subject access export 1"
SECTIONS = (
    ("agency_records", "Agencies' records"),
    ("social_care_cases", "Social care cases"),
    ("contacts", "Concerns raised (contacts)"),
    ("sharing_decisions", "Decisions to share or not to share"),
    ("break_glass", "Emergency access (break-glass)"),
    ("households", "Households"),
    ("linkage", "How records were joined (linkage)"),
    ("disclosures", "Who has seen these records"),
)


@dataclass(frozen=True)
class SubjectAccessExport:
    person: PersonHeld
    document: dict[str, Any]
    audit_entry_id: int

    def to_json(self) -> str:
        return json.dumps(self.document, indent=2, ensure_ascii=False) + "\n"

    @property
    def counts(self) -> dict[str, int]:
        summary: dict[str, int] = self.document["summary"]
        return summary


def may_export(actor: Actor) -> bool:
    """IG leads answer subject access requests; an operator's command may too."""
    return actor.has(Role.IG_LEAD) or is_operator(actor)


def export_subject_access(
    session: Session, actor: Actor, person: str | PersonAsked, practice: Practice, *, form: str
) -> SubjectAccessExport:
    """Everything held about the person, and its ledger entry (`form` says how it was taken:
    page, json, html or files). Commits once.

    Raises GovernanceError for a reference or NHS number that is not one, and PersonNotFound
    for one that names no one, or for an actor who may not export (the same answer: 404).
    """
    asked = parse_person(person) if isinstance(person, str) else person
    if not may_export(actor):
        raise PersonNotFound(f"There is no person {asked.described} in the hub", "person")
    held = find_person(session, asked)
    now = clock.now()
    records = agency_records(session, held)
    cases = sar_cases.social_care_cases(session, held)
    contacts = sar_contacts.contacts(session, held, practice)
    document: dict[str, Any] = {
        "format": FORMAT,
        "about": about(held, actor, now),
        "person": person_section(held, records, contacts.own_details),
        "agency_records": [record_of(r) for r in records],
        "social_care_cases": [sar_cases.case_of(c) for c in cases],
        "contacts": contacts.sections,
        "sharing_decisions": sar_history.sharing_decisions(session, held),
        "break_glass": sar_history.break_glass(session, held),
        "households": sar_history.households(session, held),
        "linkage": sar_history.linkage(session, held, [r.id for r in records]),
        "disclosures": sar_history.disclosures(
            session,
            held,
            {
                **{
                    ("agency_record", str(r.id)): f"{r.agency.name} record {r.record_id}"
                    for r in records
                },
                **contacts.records,
            },
        ),
    }
    document["summary"] = summary(document)
    entry = record(
        session,
        actor,
        f"{'system' if actor.is_system else 'user'}:subject_access:disclosed",
        *_ledger_object(held, contacts.subject_ids, [r.id for r in records]),
        form=form,
        person_references=held.references,
        asked_by="reference" if asked.master_person_id is not None else "nhs_number",
        requester_agency_id=actor.agency_id,
        owner_agency_ids=sorted({r.agency_id for r in records} | {c.agency_id for c in cases}),
        contact_ids=contacts.contact_ids,
        counts=document["summary"],
    )
    session.commit()
    return SubjectAccessExport(held, document, entry.id)


def agency_records(session: Session, held: PersonHeld) -> list[AgencyRecord]:
    """The person's records at every agency: linked to them, or carrying their NHS number and
    not linked to anyone (a record linked to someone else is that person's)."""
    return list(
        session.scalars(
            select(AgencyRecord)
            .where(
                or_(
                    AgencyRecord.master_person_id.in_(held.people),
                    and_(
                        AgencyRecord.master_person_id.is_(None),
                        AgencyRecord.nhs_number.in_(held.nhs_numbers),
                    ),
                )
            )
            .options(selectinload(AgencyRecord.versions), selectinload(AgencyRecord.agency))
            .order_by(AgencyRecord.agency_id, AgencyRecord.id)
        )
    )


def about(held: PersonHeld, actor: Actor, now: dt.datetime) -> dict[str, Any]:
    merged = sorted(held.people - set(held.found))
    return {
        "title": "Subject access export",
        "law": "UK GDPR Article 15: the right of access",
        "asked_for": held.asked.described,
        "made_at": now.isoformat(),
        "made_by": actor.label,
        "hub_version": __version__,
        "merged_people": [person_reference(i) for i in merged],
        "how_to_read": (
            "Everything joinedup holds about the person, as each agency holds it. Nothing has "
            "been removed. Anything marked for review (a value with for_review and why) must be "
            "weighed before release: information about other people, the referrer's identity, "
            "staff names, professionals' free text, and each owning agency's exemptions."
        ),
        "review_reasons": {reason.value: reason.label for reason in ReviewReason},
    }


def person_section(
    held: PersonHeld, records: list[AgencyRecord], own_details: list[dict[str, Any]]
) -> dict[str, Any]:
    """How the person is known: names, dates of birth and identifiers, from every source."""
    names = {
        " ".join(n for n in (r.given_name, r.family_name) if n)
        for r in records
        if r.given_name or r.family_name
    } | {
        " ".join(n for n in (d.get("given_name"), d.get("family_name")) if n)
        for d in own_details
        if d.get("given_name") or d.get("family_name")
    }
    born = {r.date_of_birth for r in records if r.date_of_birth} | {
        dt.date.fromisoformat(d["date_of_birth"]) for d in own_details if d.get("date_of_birth")
    }
    return {
        "references": held.references,
        "names": sorted(names),
        "dates_of_birth": [d.isoformat() for d in sorted(born)],
        "nhs_numbers": sorted(held.nhs_numbers),
    }


def record_of(found: AgencyRecord) -> dict[str, Any]:
    """One agency's record as it holds it now, with every earlier version."""
    kind = AgencyKind(found.agency.kind)
    exemption = exemption_to_consider(HOLDING_CATEGORY[kind])
    section: dict[str, Any] = {
        "agency": found.agency.name,
        "agency_kind": kind.label,
        "record_id": found.record_id,
        "person": person_reference(found.master_person_id) if found.master_person_id else None,
        "held": {name: _plain(getattr(found, name)) for name in AGENCY_RECORD_FIELDS},
        "first_received": found.imported_at.isoformat(),
        "last_changed": found.updated_at.isoformat(),
        "still_sent": found.absent_since_import_id is None,
        "versions": [
            {"replaced_at": v.replaced_at.isoformat(), "held": json.loads(v.fields)}
            for v in found.versions
        ],
    }
    if exemption:
        section["for_review"] = ReviewReason.OWNER_EXEMPTION.value
        section["why"] = f"{found.agency.name} considers {exemption}"
    return section


def summary(document: dict[str, Any]) -> dict[str, int]:
    linkage = document["linkage"]
    counts = {name: len(document[name]) for name, _ in SECTIONS if isinstance(document[name], list)}
    counts["linkage"] = len(linkage["record_moves"]) + len(linkage["merges"])
    counts["for_review"] = sum(marks_in(document).values())
    return counts


def _ledger_object(
    held: PersonHeld, subject_ids: list[int], record_ids: list[int]
) -> tuple[str, str]:
    """What the export's ledger entry is about: the person's reference, or, for someone known
    only from records or contacts not yet linked, the first of those (never their NHS number:
    find_person found at least one)."""
    if held.found:
        return "person", held.references[0]
    if subject_ids:
        return "contact_subject", str(min(subject_ids))
    return "agency_record", str(min(record_ids))


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.date) else value


def review_counts(document: dict[str, Any]) -> dict[str, int]:
    """Marks for review by reason, most first, for the summary page."""
    return dict(marks_in(document).most_common())

"""What a subject access export says happened around the person: decisions to share or not,
break-glass over their records, their households, how linkage joined their records, and who
has seen their records (the ledger's disclosures)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, aliased

from joinedup.accounts.models import User
from joinedup.audit.models import AuditEntry
from joinedup.directory.models import Agency, Professional
from joinedup.governance.queries import PersonHeld
from joinedup.governance.rules import ReviewReason, for_review
from joinedup.linkage.models import MasterPersonMerge, RecordPersonChange
from joinedup.people.models import AgencyRecord, Household, HouseholdMember
from joinedup.sharing.gate import person_reference
from joinedup.sharing.models import (
    Agreement,
    BreakGlassGrant,
    BreakGlassReview,
    SharingDecision,
)
from joinedup.sharing.rules import (
    ConsentStatus,
    DataCategory,
    LawfulBasis,
    Para18Reason,
    Purpose,
)
from joinedup.sharing.transparency import gate_entry

R = ReviewReason


def _about(held: PersonHeld, person_column: Any, reference_column: Any) -> Any:
    return or_(person_column.in_(held.people), reference_column.in_(held.references))


def sharing_decisions(session: Session, held: PersonHeld) -> list[dict[str, Any]]:
    """Decisions to share, or not, about the person (golden rule 7), oldest first."""
    recipient = aliased(Agency)
    rows = session.execute(
        select(SharingDecision, Agency.name, recipient.name, Agreement.title)
        .join(Agency, Agency.id == SharingDecision.agency_id)
        .outerjoin(recipient, recipient.id == SharingDecision.with_agency_id)
        .outerjoin(Agreement, Agreement.id == SharingDecision.agreement_id)
        .where(_about(held, SharingDecision.master_person_id, SharingDecision.subject_reference))
        .order_by(SharingDecision.decided_at, SharingDecision.id)
    )
    return [
        {
            "decided_at": d.decided_at.isoformat(),
            "agency": owner,
            "decision": "share" if d.decision == "share" else "do not share",
            "categories": [_category(c) for c in d.categories.split(",") if c],
            "with": recipient_name or "every partner",
            "purpose": _purpose(d.purpose),
            "lawful_basis": LawfulBasis(d.lawful_basis).label,
            "consent": ConsentStatus(d.consent_status).label,
            "shared_without_consent_because": (
                Para18Reason(d.para_18_reason).label if d.para_18_reason else None
            ),
            "agreement": title,
            "reasons": for_review(d.reasons, R.FREE_TEXT),
            "decided_by": for_review(d.decided_by_label, R.STAFF),
        }
        for d, owner, recipient_name, title in rows
    ]


def break_glass(session: Session, held: PersonHeld) -> list[dict[str, Any]]:
    """Emergency access opened over the person's records, with each owner's review."""
    owner = aliased(Agency)
    rows = session.execute(
        select(BreakGlassGrant, Professional, Agency.name, owner.name)
        .join(User, User.id == BreakGlassGrant.user_id)
        .join(Professional, Professional.id == User.professional_id)
        .join(Agency, Agency.id == BreakGlassGrant.agency_id)
        .outerjoin(owner, owner.id == BreakGlassGrant.owner_agency_id)
        .where(_about(held, BreakGlassGrant.master_person_id, BreakGlassGrant.subject_reference))
        .order_by(BreakGlassGrant.starts_at, BreakGlassGrant.id)
    ).all()
    reviews: dict[int, list[tuple[BreakGlassReview, str]]] = {}
    for review, reviewing_agency in session.execute(
        select(BreakGlassReview, Agency.name)
        .join(Agency, Agency.id == BreakGlassReview.agency_id)
        .where(BreakGlassReview.grant_id.in_([grant.id for grant, *_ in rows]))
        .order_by(BreakGlassReview.id)
    ):
        reviews.setdefault(review.grant_id, []).append((review, reviewing_agency))
    return [
        {
            "opened_at": grant.starts_at.isoformat(),
            "until": grant.expires_at.isoformat(),
            "opened_by": for_review(professional.name, R.STAFF),
            "their_agency": agency,
            "records_of": owner_name or "every agency",
            "justification": for_review(grant.justification, R.FREE_TEXT),
            "reviews": [
                {
                    "agency": reviewing_agency,
                    "reviewed_at": r.reviewed_at.isoformat(),
                    "reviewed_by": for_review(r.reviewed_by_label, R.STAFF),
                    "note": for_review(r.note, R.FREE_TEXT),
                }
                for r, reviewing_agency in reviews.get(grant.id, [])
            ],
        }
        for grant, professional, agency, owner_name in rows
    ]


def households(session: Session, held: PersonHeld) -> list[dict[str, Any]]:
    """The households linkage placed the person in; everyone else in them is another person."""
    theirs = session.execute(
        select(HouseholdMember, Household)
        .join(Household, Household.id == HouseholdMember.household_id)
        .where(HouseholdMember.master_person_id.in_(held.people))
        .order_by(HouseholdMember.household_id, HouseholdMember.id)
    ).all()
    others: dict[int, list[HouseholdMember]] = {}
    for member in session.scalars(
        select(HouseholdMember)
        .where(
            HouseholdMember.household_id.in_({m.household_id for m, _ in theirs}),
            HouseholdMember.master_person_id.not_in(held.people),
        )
        .order_by(HouseholdMember.id)
    ):
        others.setdefault(member.household_id, []).append(member)
    return [
        {
            "address": household.address,
            "postcode": household.postcode_norm,
            "relationship": membership.relationship,
            "joined_at": membership.joined_at.isoformat(),
            "left_at": membership.left_at.isoformat() if membership.left_at else None,
            "other_members": [
                for_review(
                    {
                        "person": person_reference(o.master_person_id),
                        "relationship": o.relationship,
                        "left_at": o.left_at.isoformat() if o.left_at else None,
                    },
                    R.THIRD_PARTY,
                )
                for o in others.get(membership.household_id, [])
            ],
        }
        for membership, household in theirs
    ]


def linkage(session: Session, held: PersonHeld, record_ids: Sequence[int]) -> dict[str, Any]:
    """Every move of one of the person's records between master persons, and every merge of
    the person with another: how the hub came to hold these records as one person."""
    moves = session.execute(
        select(RecordPersonChange, Agency.name, AgencyRecord.record_id)
        .join(AgencyRecord, AgencyRecord.id == RecordPersonChange.agency_record_id)
        .join(Agency, Agency.id == AgencyRecord.agency_id)
        .where(
            or_(
                RecordPersonChange.agency_record_id.in_(record_ids),
                RecordPersonChange.to_master_person_id.in_(held.people),
                RecordPersonChange.from_master_person_id.in_(held.people),
            )
        )
        .order_by(RecordPersonChange.changed_at, RecordPersonChange.id)
    )
    merges = session.scalars(
        select(MasterPersonMerge)
        .where(
            or_(
                MasterPersonMerge.master_person_id.in_(held.people),
                MasterPersonMerge.into_master_person_id.in_(held.people),
            )
        )
        .order_by(MasterPersonMerge.merged_at, MasterPersonMerge.id)
    )
    return {
        "record_moves": [
            {
                "at": change.changed_at.isoformat(),
                "record": f"{agency} record {record_id}",
                "from": _reference(change.from_master_person_id),
                "to": _reference(change.to_master_person_id),
                "by": f"linkage run {change.run_id}" if change.run_id else "undoing a merge",
            }
            for change, agency, record_id in moves
        ],
        "merges": [
            {
                "at": merge.merged_at.isoformat(),
                "merged": person_reference(merge.master_person_id),
                "into": person_reference(merge.into_master_person_id),
                "by": f"linkage run {merge.run_id}",
                "undone_at": merge.undone_at.isoformat() if merge.undone_at else None,
                "undone_by": for_review(merge.undone_by_label, R.STAFF),
            }
            for merge in merges
        ],
    }


def disclosures(
    session: Session, held: PersonHeld, records: Mapping[tuple[str, str], str]
) -> list[dict[str, Any]]:
    """Every time the gate showed or withheld one of the person's `records` ({(object type,
    object id): how to name it}), and every subject access export about them, from the
    ledger, oldest first: who, from which agency, when, for what, what was shown and
    withheld, and under which agreements."""
    kinds: dict[str, list[str]] = {}
    for kind, object_id in records:
        kinds.setdefault(kind, []).append(object_id)
    about = [
        and_(AuditEntry.object_type == kind, AuditEntry.object_id.in_(ids))
        for kind, ids in kinds.items()
    ]
    if held.found:
        about.append(
            and_(AuditEntry.object_type == "person", AuditEntry.object_id.in_(held.references))
        )
    if not about:
        return []
    rows = session.execute(
        select(AuditEntry, Agency.name)
        .outerjoin(User, User.id == AuditEntry.actor_user_id)
        .outerjoin(Professional, Professional.id == User.professional_id)
        .outerjoin(Agency, Agency.id == Professional.agency_id)
        .where(gate_entry(), or_(*about))
        .order_by(AuditEntry.id)
    ).all()
    said = {entry.id: json.loads(entry.detail) for entry, _ in rows}
    relied = {i for detail in said.values() for i in detail.get("agreement_ids", [])}
    titles: dict[int, str] = {
        agreement_id: title
        for agreement_id, title in session.execute(
            select(Agreement.id, Agreement.title).where(Agreement.id.in_(relied))
        )
    }
    return [_disclosure(entry, agency, said[entry.id], titles, records) for entry, agency in rows]


def _disclosure(
    entry: AuditEntry,
    agency: str | None,
    detail: dict[str, Any],
    titles: Mapping[int, str],
    records: Mapping[tuple[str, str], str],
) -> dict[str, Any]:
    export = entry.action.endswith(":subject_access:disclosed")
    label = entry.actor_label
    who = label.rsplit(" (", 1)[0] if label.endswith(")") else label
    return {
        "at": entry.at.isoformat(),
        "who": who if entry.actor_user_id is None else for_review(who, R.STAFF),
        "agency": agency,
        "what": "a subject access export"
        if export
        else records.get((entry.object_type, entry.object_id), entry.object_type),
        "shown": entry.action.endswith(":disclosed"),
        "purpose": "Subject access (UK GDPR Art 15)" if export else _purpose(detail.get("purpose")),
        "categories_shown": [_category(c) for c in detail.get("permitted", [])],
        "withheld": {
            _category(c): rule.replace("_", " ") for c, rule in detail.get("denied", {}).items()
        },
        "agreements": [titles.get(i, f"agreement {i}") for i in detail.get("agreement_ids", [])],
        "break_glass": bool(detail.get("break_glass")),
        "ledger_entry": entry.id,
    }


def _reference(master_person_id: int | None) -> str | None:
    return person_reference(master_person_id) if master_person_id is not None else None


def _category(value: str) -> str:
    try:
        return DataCategory(value).label
    except ValueError:
        return value


def _purpose(value: object) -> str | None:
    try:
        return Purpose(str(value)).label
    except ValueError:
        return None

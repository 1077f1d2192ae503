"""The one gate to personal data (DESIGN invariant 1).

Every read of a person's record for a page, an API response or an export goes through
`disclose`: it asks `rules.decide` about each data category the record holds, redacts what is
refused (with the reason, never a silent gap), and appends one ledger entry per record in the
caller's transaction, so an access is never shown without its entry. The caller commits.

A record kind plugs in by meeting the `PersonRecord` protocol; people.models.AgencyRecord is
adapted here (`AgencyRecordSubject`). Contact subjects and partner research answers will plug in
the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.actor import Actor
from joinedup.audit.services import NewEntry, record_many
from joinedup.directory.rules import AgencyKind
from joinedup.people.models import AgencyRecord
from joinedup.sharing import gate_policy, gate_reads
from joinedup.sharing.redaction import AGENCY_RECORD_FIELDS, agency_record_categories, redact
from joinedup.sharing.rules import (
    DataCategory,
    Decision,
    DecisionBasis,
    Purpose,
    Sensitivity,
)


def person_reference(master_person_id: int) -> str:
    """How sharing decisions and break-glass grants name a master person: P00000042."""
    return f"P{master_person_id:08d}"


@dataclass(frozen=True)
class Involvement:
    """Whose records the actor is working on: need to know (Caldicott principle 4).

    The people (master persons) the actor works on, and the records themselves, for records
    not yet joined to a master person (a contact naming someone the index does not know).
    The front door builds it from the contacts and research the actor is assigned to, so no
    page decides need-to-know for itself.
    """

    master_person_ids: frozenset[int] = frozenset()
    records: frozenset[tuple[str, int]] = frozenset()  # (object_type, object_id)

    @classmethod
    def of_people(cls, master_person_ids: Iterable[int]) -> Involvement:
        return cls(frozenset(master_person_ids))

    def covers(self, master_person_id: int | None) -> bool:
        return master_person_id is not None and master_person_id in self.master_person_ids

    def covers_record(self, record: PersonRecord) -> bool:
        return (
            self.covers(record.master_person_id)
            or (record.object_type, record.object_id) in self.records
        )


NOT_INVOLVED = Involvement()


class PersonRecord(Protocol):
    """A person-level record the gate can disclose: who owns it and what each field is."""

    @property
    def object_type(self) -> str: ...  # for the ledger: "agency_record"

    @property
    def object_id(self) -> int: ...

    @property
    def owner_agency_id(self) -> int: ...

    @property
    def master_person_id(self) -> int | None: ...

    @property
    def record_category(self) -> DataCategory: ...  # what the record's existence reveals

    @property
    def field_categories(self) -> Mapping[str, DataCategory]: ...

    @property
    def sensitivity(self) -> Sensitivity: ...

    @property
    def owner_allows_beyond_mash(self) -> bool | None: ...  # originator control; None: unsaid

    def field_values(self) -> Mapping[str, Any]: ...


@dataclass(frozen=True)
class AgencyRecordSubject:
    """An agency's record of a person (people.models.AgencyRecord), as the gate sees it.

    Extracts carry no sensitivity marking or originator choice yet, so every record is normal
    and the agreement's onward-sharing term decides.
    """

    record: AgencyRecord
    owner_kind: AgencyKind
    object_type: str = "agency_record"
    sensitivity: Sensitivity = Sensitivity.NORMAL
    owner_allows_beyond_mash: bool | None = None

    @property
    def object_id(self) -> int:
        return self.record.id

    @property
    def owner_agency_id(self) -> int:
        return self.record.agency_id

    @property
    def master_person_id(self) -> int | None:
        return self.record.master_person_id

    @property
    def record_category(self) -> DataCategory:
        return self.field_categories["record_id"]

    @property
    def field_categories(self) -> Mapping[str, DataCategory]:
        return agency_record_categories(self.owner_kind)

    def field_values(self) -> dict[str, Any]:
        return {name: getattr(self.record, name) for name in AGENCY_RECORD_FIELDS}


@dataclass(frozen=True)
class Disclosure:
    """What one actor may see of one record: the fields permitted, and why the rest are not."""

    object_type: str
    object_id: int
    owner_agency_id: int
    master_person_id: int | None
    fields: dict[str, Any]  # the permitted fields and their values
    withheld: dict[str, str]  # every other field -> the reason, written for the practitioner
    agreement_ids: tuple[int, ...]  # the agreements relied on, lowest first
    break_glass: bool  # something was shown only because of an open break-glass grant
    audit_entry_id: int
    decisions: dict[DataCategory, Decision] = field(repr=False)

    @property
    def disclosed(self) -> bool:
        return bool(self.fields)

    @property
    def agreement_id(self) -> int | None:
        """The agreement relied on (the lowest id when categories rested on several)."""
        return self.agreement_ids[0] if self.agreement_ids else None


def disclose(
    session: Session,
    actor: Actor,
    purpose: Purpose,
    records: Sequence[AgencyRecord | PersonRecord],
    *,
    involvement: Involvement,
    on: dt.datetime | None = None,
) -> list[Disclosure]:
    """Decide, redact and record each record for the actor, in the order given.

    Returns one Disclosure per record. Appends one ledger entry per record
    ("user:agency_record:disclosed" when any field is shown, "...:withheld" when none is) in
    the caller's transaction; the caller commits. The entry names the purpose, the categories
    permitted and refused (with the rule), the agreements relied on and whether break-glass was
    used, never the personal data itself.

    However many records, it costs a few queries: the agreements in force and the owners'
    kinds (remembered, see gate_reads), the owners' sharing decisions about these people and
    the actor's break-glass grants over them (each asked only when it could change something,
    see gate_policy), and one INSERT of the ledger entries (audit.services.record_many).
    """
    at = clock.aware_utc(on, "on") if on is not None else clock.now()
    if not records:
        return []
    # The reads go to the session's connection, past the ORM: let them see what it holds.
    session.flush()
    subjects = _as_subjects(session, records)
    decisions = gate_policy.decisions_for(
        session,
        actor,
        purpose,
        at,
        subjects,
        [(_reference(s), s.owner_agency_id) for s in subjects],
        [involvement.covers_record(s) for s in subjects],
    )
    seen = [
        _redacted(subject, decided) for subject, decided in zip(subjects, decisions, strict=True)
    ]
    subject_kind = "system" if actor.is_system else "user"
    entry_ids = record_many(
        session,
        actor,
        [
            NewEntry(
                f"{subject_kind}:{subject.object_type}:"
                + ("disclosed" if one.fields else "withheld"),
                subject.object_type,
                subject.object_id,
                {
                    "purpose": purpose.value,
                    "owner_agency_id": subject.owner_agency_id,
                    "master_person_id": subject.master_person_id,
                    "permitted": sorted(one.shown),
                    "denied": one.denied,
                    "agreement_ids": list(one.agreement_ids),
                    "break_glass": one.break_glass,
                },
            )
            for subject, one in zip(subjects, seen, strict=True)
        ],
    )
    return [
        Disclosure(
            object_type=subject.object_type,
            object_id=subject.object_id,
            owner_agency_id=subject.owner_agency_id,
            master_person_id=subject.master_person_id,
            fields=one.fields,
            withheld=one.withheld,
            agreement_ids=one.agreement_ids,
            break_glass=one.break_glass,
            audit_entry_id=entry_id,
            decisions=decided,
        )
        for subject, one, decided, entry_id in zip(
            subjects, seen, decisions, entry_ids, strict=True
        )
    ]


def disclose_one(
    session: Session,
    actor: Actor,
    purpose: Purpose,
    record: AgencyRecord | PersonRecord,
    *,
    involvement: Involvement,
    on: dt.datetime | None = None,
) -> Disclosure:
    """`disclose` for a single record."""
    return disclose(session, actor, purpose, [record], involvement=involvement, on=on)[0]


# --- How ---------------------------------------------------------------------------------


def _as_subjects(
    session: Session, records: Sequence[AgencyRecord | PersonRecord]
) -> list[PersonRecord]:
    kinds = gate_reads.agency_kinds(
        session, (r.agency_id for r in records if isinstance(r, AgencyRecord))
    )
    return [
        AgencyRecordSubject(r, kinds[r.agency_id]) if isinstance(r, AgencyRecord) else r
        for r in records
    ]


def _reference(subject: PersonRecord) -> str:
    if subject.master_person_id is not None:
        return person_reference(subject.master_person_id)
    return f"{subject.object_type}:{subject.object_id}"  # not yet linked to a person


@dataclass(frozen=True)
class _Seen:
    """What one record shows, and what its ledger entry says."""

    fields: dict[str, Any]
    withheld: dict[str, str]
    shown: set[DataCategory]
    denied: dict[str, str]  # category -> the rule that refused it
    agreement_ids: tuple[int, ...]
    break_glass: bool


def _redacted(subject: PersonRecord, decisions: dict[DataCategory, Decision]) -> _Seen:
    redacted = redact(
        subject.field_values(), subject.field_categories, subject.record_category, decisions
    )
    whole = decisions[subject.record_category]
    # When the record's own category is refused, redact withholds all of it, for that reason.
    shown = {c for c, d in decisions.items() if d.permitted} if whole.permitted else set()
    relied = [decisions[c] for c in shown]
    return _Seen(
        fields=redacted.shown,
        withheld=redacted.withheld,
        shown=shown,
        denied={
            c.value: _refusal(decisions[c], whole).value for c in sorted(decisions.keys() - shown)
        },
        agreement_ids=tuple(sorted({d.agreement_id for d in relied if d.agreement_id is not None})),
        break_glass=any(d.break_glass for d in relied),
    )


def _refusal(decision: Decision, whole: Decision) -> DecisionBasis:
    """Why a category was not shown: its own refusal, or else the record's."""
    return decision.basis if not decision.permitted else whole.basis

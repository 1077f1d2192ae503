"""Importing a social care service's open cases from its case-management system's file: all of
the file in one transaction, or none of it.

Every row is read and checked first (frontdoor.case_csv), and so is who it names: the person by
the agency's own record id, as in its person extract, which the people index has joined to a
master person; the allocated worker, a professional of the agency still in post. One problem
anywhere and nothing is written.

A case is the same case when it has the same case_reference from the same agency, so importing
a file again changes nothing, and a later export updates what changed: a case closed, reopened
or given to another worker. Each change is a domain event (case.opened, case.closed,
case.reopened, case.reallocated, case.corrected), with ids and codes only: the case's history.
A case missing from a later file is left as it was: a partial export must not close cases.

A case's routed contacts follow it (routing.py reads who holds one from its case): given to
another worker, the contacts go with it, accepted or not; closed, every contact routed to it
that the worker had not accepted goes back into the MASH (bring_back.py), in the import's
transaction, since nobody works a closed case's new contacts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.actor import Actor
from joinedup.audit.services import record
from joinedup.directory.models import Agency, Professional
from joinedup.directory.rules import AgencyKind
from joinedup.frontdoor.bring_back import bring_back_from_closed_cases
from joinedup.frontdoor.case_csv import CaseRow, CasesRejected, read_cases
from joinedup.frontdoor.case_models import SocialCareCase
from joinedup.frontdoor.contact_csv import Problems
from joinedup.frontdoor.intake import hold_intake
from joinedup.frontdoor.models import DomainEvent
from joinedup.people.models import AgencyRecord

SOCIAL_CARE = (AgencyKind.CHILDRENS_SOCIAL_CARE, AgencyKind.ADULT_SOCIAL_CARE)
# Any fixed number: it names the advisory lock that makes two imports on PostgreSQL take turns.
_IMPORT_LOCK = 0x4A55_4341
_CHUNK = 500


class CaseImportError(Exception):
    """The import cannot start (no file, no such agency, not social care); the message says why."""


@dataclass(frozen=True)
class CaseChange:
    """One row of the file and what it did: opened, closed, reopened, reallocated, corrected."""

    line: int
    case_reference: str
    changes: tuple[str, ...]


@dataclass(frozen=True)
class CaseImportReport:
    agency_code: str
    file_name: str
    file_sha256: str
    opened: tuple[CaseChange, ...]  # new to the hub (a case already closed is "opened, closed")
    changed: tuple[CaseChange, ...]
    unchanged: int
    # Contacts routed to a case that closed before its worker accepted them (references).
    brought_back: tuple[str, ...] = ()

    @property
    def rows(self) -> int:
        return len(self.opened) + len(self.changed) + self.unchanged


def import_cases(
    session: Session, actor: Actor, agency_code: str, path: Path | str
) -> CaseImportReport:
    """Import every case in the file for the social care service that sent it, or none.

    actor is whoever runs the import (on the ledger and the events). Returns a
    CaseImportReport. Raises CasesRejected listing every problem (nothing is imported), or
    CaseImportError.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CaseImportError(f"There is no file at {path}") from None
    except IsADirectoryError:
        raise CaseImportError(f"{path} is a folder: give the cases file inside it") from None
    return load_cases(session, actor, agency_code, data, path.name)


def load_cases(
    session: Session, actor: Actor, agency_code: str, data: bytes, file_name: str
) -> CaseImportReport:
    """import_cases for a file already read (the demo county writes its own)."""
    agency = session.scalar(select(Agency).where(Agency.code == agency_code.strip().upper()))
    if agency is None:
        raise CaseImportError(f"There is no agency with the code {agency_code}")
    if AgencyKind(agency.kind) not in SOCIAL_CARE:
        raise CaseImportError(
            f"{agency.name} is {AgencyKind(agency.kind).label.lower()}: cases come from "
            "children's or adults' social care"
        )
    now = clock.now()
    problems = Problems()
    rows = read_cases(data, file_name, now.astimezone(clock.LONDON).date(), problems)
    records = _records(session, agency, rows, problems)
    workers = _workers(session, agency, rows, problems)
    if problems.total:
        raise CasesRejected(problems)

    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _IMPORT_LOCK})
    held = _cases(session, agency, [row.case_reference for row in rows])
    opened: list[CaseChange] = []
    changed: list[CaseChange] = []
    events: list[tuple[str, SocialCareCase, dict[str, Any]]] = []
    for row in rows:
        assert row.opened_on is not None  # a row without it stopped the import above
        record_id, person = records[row.record_id]
        wanted = {
            "agency_record_id": record_id,
            "master_person_id": person,
            "allocated_worker_id": workers[row.worker_email],
            "opened_at": _start_of(row.opened_on),
            "closed_at": _start_of(row.closed_on) if row.closed_on else None,
        }
        case = held.get(row.case_reference)
        if case is None:
            case = SocialCareCase(
                agency_id=agency.id, case_reference=row.case_reference, updated_at=now, **wanted
            )
            session.add(case)
            new: tuple[str, ...] = ("opened", "closed") if row.closed_on else ("opened",)
            opened.append(CaseChange(row.line, row.case_reference, new))
            events += [(f"case.{w}", case, {}) for w in new]
            continue
        what, payload = _changes(case, wanted)
        if all(getattr(case, name) == value for name, value in wanted.items()):
            continue
        for name, value in wanted.items():
            setattr(case, name, value)
        case.updated_at = now
        if not what:
            continue  # only linkage moved the record to another master person since
        changed.append(CaseChange(row.line, row.case_reference, what))
        events += [(f"case.{w}", case, payload) for w in what]
    session.flush()
    _record_events(session, actor, agency, events, now)
    closed = [case.id for type_, case, _ in events if type_ == "case.closed"]
    if closed:
        hold_intake(session, now)  # so no contact is routed to these cases while they close
    brought_back = bring_back_from_closed_cases(session, actor, closed, now)
    sha256 = hashlib.sha256(data).hexdigest()
    record(
        session,
        actor,
        "admin:case_file:imported",
        "case_file",
        sha256,
        agency=agency.code,
        file_name=file_name,
        rows=len(rows),
        opened=len(opened),
        changed=len(changed),
        brought_back=len(brought_back),
    )
    session.commit()
    unchanged = len(rows) - len(opened) - len(changed)
    return CaseImportReport(
        agency.code,
        file_name,
        sha256,
        tuple(opened),
        tuple(changed),
        unchanged,
        tuple(c.reference for c in brought_back),
    )


def _start_of(day: dt.date) -> dt.datetime:
    """The London day's first moment, in UTC: a case closed on a day is closed all of it."""
    return dt.datetime.combine(day, dt.time(0), clock.LONDON).astimezone(dt.UTC)


def _changes(
    case: SocialCareCase, wanted: dict[str, Any]
) -> tuple[tuple[str, ...], dict[str, Any]]:
    """What a later export changes about a case, and the ids its events carry."""
    what: list[str] = []
    payload: dict[str, Any] = {}
    if case.allocated_worker_id != wanted["allocated_worker_id"]:
        what.append("reallocated")
        payload["previous_worker_id"] = case.allocated_worker_id
    closed = wanted["closed_at"]
    if case.closed_at is None and closed is not None:
        what.append("closed")
    elif case.closed_at is not None and closed is None:
        what.append("reopened")
    corrected = [
        name for name in ("agency_record_id", "opened_at") if getattr(case, name) != wanted[name]
    ]
    if case.closed_at is not None and closed is not None and case.closed_at != closed:
        corrected.append("closed_at")
    if corrected:
        what.append("corrected")
        payload["corrected"] = corrected
    return tuple(what), payload


def _record_events(
    session: Session,
    actor: Actor,
    agency: Agency,
    events: Sequence[tuple[str, SocialCareCase, dict[str, Any]]],
    now: dt.datetime,
) -> None:
    """Each change as a domain event about no one contact: ids and codes, never a name."""
    if not events:
        return
    session.execute(
        insert(DomainEvent),
        [
            {
                "type": type_,
                "contact_id": None,
                "at": now,
                "actor_user_id": actor.user_id,
                "actor_professional_id": actor.professional_id,
                "actor_agency_id": actor.agency_id,
                "actor_label": actor.label,
                "payload": {
                    "case_id": case.id,
                    "agency_id": agency.id,
                    "agency_kind": agency.kind,
                    "master_person_id": case.master_person_id,
                    "worker_id": case.allocated_worker_id,
                    **payload,
                },
            }
            for type_, case, payload in events
        ],
    )


def _cases(session: Session, agency: Agency, references: list[str]) -> dict[str, SocialCareCase]:
    found: dict[str, SocialCareCase] = {}
    for start in range(0, len(references), _CHUNK):
        found |= {
            case.case_reference: case
            for case in session.scalars(
                select(SocialCareCase).where(
                    SocialCareCase.agency_id == agency.id,
                    SocialCareCase.case_reference.in_(references[start : start + _CHUNK]),
                )
            )
        }
    return found


def _records(
    session: Session, agency: Agency, rows: Sequence[CaseRow], problems: Problems
) -> dict[str, tuple[int, int]]:
    """Each row's person: (agency record id, master person), by the agency's own record id."""
    wanted = sorted({row.record_id for row in rows if row.record_id})
    found: dict[str, tuple[int, int | None]] = {}
    for start in range(0, len(wanted), _CHUNK):
        found |= {
            record_id: (id_, person)
            for id_, record_id, person in session.execute(
                select(
                    AgencyRecord.id, AgencyRecord.record_id, AgencyRecord.master_person_id
                ).where(
                    AgencyRecord.agency_id == agency.id,
                    AgencyRecord.record_id.in_(wanted[start : start + _CHUNK]),
                )
            )
        }
    people: dict[str, tuple[int, int]] = {}
    for row in rows:
        if not row.record_id:
            continue  # read_cases has said so
        id_, person = found.get(row.record_id, (None, None))
        if id_ is None:
            problems.add(
                row.line,
                "record_id",
                f"{agency.name} has sent no person record {row.record_id}: check it, or import "
                "the person extract that holds it first (joinedup import people)",
            )
        elif person is None:
            problems.add(
                row.line,
                "record_id",
                f"record {row.record_id} is not yet joined to a person in the people index: "
                "link the records (joinedup link run), then import the file again",
            )
        else:
            people[row.record_id] = (id_, person)
    return people


def _workers(
    session: Session, agency: Agency, rows: Sequence[CaseRow], problems: Problems
) -> dict[str, int]:
    """Each row's allocated worker: a professional of the agency, still in post."""
    emails = sorted({row.worker_email for row in rows if row.worker_email})
    found: dict[str, Professional] = {}
    for start in range(0, len(emails), _CHUNK):
        found |= {
            p.email: p
            for p in session.scalars(
                select(Professional).where(Professional.email.in_(emails[start : start + _CHUNK]))
            )
        }
    workers: dict[str, int] = {}
    for row in rows:
        email = row.worker_email
        professional = found.get(email)
        if not email:
            continue
        if professional is None:
            problems.add(
                row.line,
                "allocated_worker_email",
                f"there is no professional with the email address {email}: check it, or ask "
                "an administrator to add them to the directory",
            )
        elif professional.agency_id != agency.id:
            problems.add(
                row.line,
                "allocated_worker_email",
                f"{email} does not work for {agency.name}: a case is held by one of the "
                "agency's own social workers",
            )
        elif professional.has_left and (row.closed_on is None):
            problems.add(
                row.line,
                "allocated_worker_email",
                f"{email} has left {agency.name}: give the social worker who holds the case now",
            )
        else:
            workers[email] = professional.id
    return workers

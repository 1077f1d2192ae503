"""Importing contacts from a partner agency's CSV file: all of them in one transaction, or none.

Every row is read and checked first (frontdoor.contact_csv, by the same rules as the form and
the API), and so is each row's referrer: a professional in the directory, at the agency that
sent the file, still in post, because professionals are never anonymous and the MASH feeds
back to whoever raised the concern. One problem anywhere and nothing is written. Then each
contact is taken in as its referrer raised it (services.take_contacts: a reference, the
known-people check, its event and ledger entry), all in one batch, and the file commits once.

A row is the same contact when it has the same contact_id from the same agency: its
idempotency key is `csv:AGENCY:contact_id`, so importing a file again, or a later file that
repeats some rows, makes nothing new for the rows already taken in.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.orm import Session, selectinload

from joinedup import clock
from joinedup.actor import Actor
from joinedup.audit.services import record
from joinedup.directory.models import Agency, Professional
from joinedup.directory.rules import AgencyKind, Role
from joinedup.frontdoor import matching, services
from joinedup.frontdoor.contact_csv import ContactRow, ContactsRejected, Problems, read_contacts
from joinedup.frontdoor.models import Contact
from joinedup.frontdoor.practice import Practice
from joinedup.frontdoor.rules import Channel

# Any fixed number: it names the advisory lock that makes two imports on PostgreSQL take turns,
# so that the second sees every row the first took in.
_IMPORT_LOCK = 0x4A55_4349
_CHUNK = 500


class ContactImportError(Exception):
    """The import cannot start (no file, no such agency); the message says why."""


@dataclass(frozen=True)
class Imported:
    """One row of the file and the contact it is."""

    line: int
    contact_id: str
    reference: str


@dataclass(frozen=True)
class ContactImportReport:
    """What an import did: the contacts it made, and the rows taken in before (made nothing)."""

    agency_code: str
    file_name: str
    file_sha256: str
    created: tuple[Imported, ...]
    already_received: tuple[Imported, ...]

    @property
    def rows(self) -> int:
        return len(self.created) + len(self.already_received)


def import_contacts(
    session: Session,
    actor: Actor,
    agency_code: str,
    path: Path | str,
    practice: Practice,
    matcher: matching.SubjectMatcher | None = None,
) -> ContactImportReport:
    """Take in every contact in the file for the agency that sent it, or none of them.

    actor is whoever runs the import (on the ledger for the import itself); each contact is
    raised by the referrer its row names; `matcher` finds its people in the people index (by
    default, by NHS number or UPN alone). Returns a ContactImportReport. Raises
    ContactsRejected listing every problem (nothing is imported), or ContactImportError.
    """
    data, file_name = _read(Path(path))
    agency = session.scalar(select(Agency).where(Agency.code == agency_code.strip().upper()))
    if agency is None:
        raise ContactImportError(f"There is no agency with the code {agency_code}")
    today = clock.now().astimezone(clock.LONDON).date()
    problems = Problems()
    rows = read_contacts(data, file_name, practice, today, problems)
    referrers = _referrers(session, agency, rows, problems)
    if problems.total:
        raise ContactsRejected(problems)

    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _IMPORT_LOCK})
    keys = {row.contact_id: f"csv:{agency.code}:{row.contact_id}" for row in rows}
    # After the lock: every contact an earlier import committed is seen here.
    earlier = _received_before(session, agency, keys.values())
    already = [
        Imported(row.line, row.contact_id, earlier[keys[row.contact_id]])
        for row in rows
        if keys[row.contact_id] in earlier
    ]
    new_rows = [row for row in rows if keys[row.contact_id] not in earlier]
    intakes = []
    for row in new_rows:
        assert row.contact is not None  # a row with problems stopped the import above
        intakes.append(
            services.check_intake(
                referrers[row.referrer_email],
                row.contact,
                practice,
                idempotency_key=keys[row.contact_id],
                channel=Channel.CSV,
            )
        )
    created = []
    taken = services.take_contacts(session, intakes, practice, matcher)
    for row, received in zip(new_rows, taken, strict=True):
        if not received.created:  # raced in since the look-up
            session.rollback()
            raise ContactImportError(
                f"Line {row.line}: contact {row.contact_id} arrived from elsewhere while this "
                "file was being imported, so nothing was imported: import the file again"
            )
        created.append(Imported(row.line, row.contact_id, received.contact.reference))
    sha256 = hashlib.sha256(data).hexdigest()
    # One entry for the file; each contact has its own, as its referrer's.
    record(
        session,
        actor,
        "admin:contact_file:imported",
        "contact_file",
        sha256,
        agency=agency.code,
        file_name=file_name,
        rows=len(rows),
        created=len(created),
        already_received=len(already),
    )
    session.commit()
    return ContactImportReport(agency.code, file_name, sha256, tuple(created), tuple(already))


def _read(path: Path) -> tuple[bytes, str]:
    try:
        return path.read_bytes(), path.name
    except FileNotFoundError:
        raise ContactImportError(f"There is no file at {path}") from None
    except IsADirectoryError:
        raise ContactImportError(f"{path} is a folder: give the contacts file inside it") from None


def _referrers(
    session: Session, agency: Agency, rows: Sequence[ContactRow], problems: Problems
) -> dict[str, Actor]:
    """Each row's referrer as the actor who raised it; a problem for each who cannot be."""
    emails = sorted({row.referrer_email for row in rows if row.referrer_email})
    found: dict[str, Professional] = {}
    for start in range(0, len(emails), _CHUNK):
        chunk = emails[start : start + _CHUNK]
        found |= {
            professional.email: professional
            for professional in session.scalars(
                select(Professional)
                .where(Professional.email.in_(chunk))
                .options(selectinload(Professional.agency), selectinload(Professional.role_grants))
            )
        }
    actors: dict[str, Actor] = {}
    for row in rows:
        email = row.referrer_email
        professional = found.get(email)
        if not email:
            continue  # read_contacts has said so
        if professional is None:
            problems.add(
                row.line,
                "referrer_email",
                f"there is no professional with the email address {email}: check it, or ask "
                "an administrator to add them to the directory",
            )
        elif professional.agency_id != agency.id:
            problems.add(
                row.line,
                "referrer_email",
                f"{email} works for {professional.agency.name}, not {agency.name}: a file "
                f"imported for {agency.code} holds only contacts its own staff raised",
            )
        elif professional.has_left:
            problems.add(
                row.line,
                "referrer_email",
                f"{email} has left {agency.name}: the MASH answers to whoever raised a "
                "concern, so give someone still in post",
            )
        else:
            actors[email] = _raised_by(professional, agency)
    return actors


def _raised_by(professional: Professional, agency: Agency) -> Actor:
    """The referrer as the actor on their contact. No user: they did not run the import."""
    return Actor(
        label=f"{professional.name} ({agency.name}), imported from a contacts file",
        professional_id=professional.id,
        agency_id=agency.id,
        agency_kind=AgencyKind(agency.kind),
        area_id=agency.area_id,
        roles=frozenset(Role(role) for role in professional.active_roles),
    )


def _received_before(session: Session, agency: Agency, keys: Iterable[str]) -> dict[str, str]:
    """The references of contacts from the agency already taken in with these keys."""
    wanted = sorted(keys)
    found: dict[str, str] = {}
    for start in range(0, len(wanted), _CHUNK):
        found |= {
            key: reference
            for key, reference in session.execute(
                select(Contact.idempotency_key, Contact.reference).where(
                    Contact.referrer_agency_id == agency.id,
                    Contact.idempotency_key.in_(wanted[start : start + _CHUNK]),
                )
            )
            if key is not None
        }
    return found

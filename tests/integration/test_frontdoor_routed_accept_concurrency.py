"""A routed contact accepted twice at once (two tabs, a double click), and accepted while a
case import closes its case: one wins, the other is told what happened, and nothing is left
half done. Real, committed, concurrent transactions, on a fresh database of each kind
(test_frontdoor_concurrency's).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from joinedup.accounts.queries import actor_for_user
from joinedup.actor import Actor
from joinedup.directory.models import Agency
from joinedup.frontdoor import services
from joinedup.frontdoor.acceptance import accept_contact
from joinedup.frontdoor.bring_back import CASE_CLOSED
from joinedup.frontdoor.case_models import ContactRouting
from joinedup.frontdoor.cases import CaseImportReport, load_cases
from joinedup.frontdoor.models import Contact
from joinedup.frontdoor.rules import ContactStatus
from joinedup.frontdoor.schemas import ContactIn
from joinedup.people.imports import import_extract
from tests.factories import ADMIN, create_user
from tests.integration.test_case_import import extract
from tests.integration.test_frontdoor_concurrency import PRACTICE, all_at_once
from tests.integration.test_frontdoor_concurrency import fresh_engine as fresh_engine
from tests.integration.test_frontdoor_concurrency import people as people

HEADER = "record_id,case_reference,allocated_worker_email,opened_on,closed_on\n"


@dataclass(frozen=True)
class Routed:
    contact: Contact
    sam: Actor
    council_code: str
    case_row: str  # the case's row in the council's export, open


def routed_contact(engine: Engine, staff: dict[str, Actor], nhs_number: str) -> Routed:
    """A contact about a child whose case Sam, at the council, holds: committed."""
    with Session(engine, expire_on_commit=False) as session:
        council = session.get(Agency, staff["Bob"].agency_id)
        assert council is not None
        sam = create_user(session, "Sam", agency=council, password=None)
        import_extract(
            session,
            ADMIN,
            council.code,
            extract({"record_id": "C1", "given_name": "Jade", "nhs_number": nhs_number}),
            file_name="csc.csv",
        )
        row = f"C1,CIN-1,{sam.professional.email},2026-09-01"
        load_cases(session, ADMIN, council.code, f"{HEADER}{row},\n".encode(), "cases.csv")
        data = ContactIn.model_validate(
            {
                "subjects": [{"kind": "child", "given_name": "Jade", "nhs_number": nhs_number}],
                "concern_categories": ["neglect"],
                "what_happened": "Seen hungry.",
                "urgency": "routine",
                "consent": "given",
            }
        )
        contact = services.receive_contact(session, staff["Alice"], data, PRACTICE).contact
        assert contact.status == ContactStatus.ROUTED
        return Routed(contact, actor_for_user(sam), council.code, row)


def stored(engine: Engine, contact: Contact) -> tuple[Contact, ContactRouting]:
    with Session(engine, expire_on_commit=False) as session:
        found = session.get(Contact, contact.id)
        routing = session.scalars(
            select(ContactRouting).where(ContactRouting.contact_id == contact.id)
        ).one()
        assert found is not None
        return found, routing


def test_two_tabs_accepting_at_once_one_succeeds_and_the_other_is_told(
    fresh_engine: Engine, people: dict[str, Actor]
) -> None:
    routed = routed_contact(fresh_engine, people, "9434765919")

    def accept_with(note: str) -> Callable[[Session], ContactRouting]:
        def act(session: Session) -> ContactRouting:
            return accept_contact(
                session, routed.sam, routed.contact.id, note, routed.contact.version, PRACTICE
            )

        return act

    results = all_at_once(fresh_engine, [accept_with("First tab"), accept_with("Second tab")])

    won = [r for r in results if isinstance(r, ContactRouting)]
    told = [r for r in results if isinstance(r, services.ConcurrentChange)]
    assert (len(won), len(told)) == (1, 1), results
    assert str(told[0]).startswith("Sam Archer (The Council) accepted this contact into the")
    contact, routing = stored(fresh_engine, routed.contact)
    assert routing.accepted_note == won[0].accepted_note
    assert (contact.status, contact.version) == (ContactStatus.ROUTED, 2)


def test_accepting_as_the_case_closes_either_keeps_it_with_the_case_or_brings_it_back(
    fresh_engine: Engine, people: dict[str, Actor]
) -> None:
    routed = routed_contact(fresh_engine, people, "4010232137")
    closing = f"{HEADER}{routed.case_row},2026-11-24\n".encode()

    def accept(session: Session) -> ContactRouting:
        return accept_contact(
            session, routed.sam, routed.contact.id, "", routed.contact.version, PRACTICE
        )

    def close(session: Session) -> CaseImportReport:
        return load_cases(session, ADMIN, routed.council_code, closing, "closing.csv")

    accepted, imported = all_at_once(fresh_engine, [accept, close])

    assert isinstance(imported, CaseImportReport), imported
    contact, routing = stored(fresh_engine, routed.contact)
    if isinstance(accepted, ContactRouting):  # the worker first: it stays with the case
        assert imported.brought_back == ()
        assert contact.status == ContactStatus.ROUTED
        assert routing.accepted_at is not None and routing.brought_back_at is None
    else:  # the import first: back in the MASH, and the worker is told why, or finds it gone
        assert imported.brought_back == (routed.contact.reference,)
        assert contact.status == ContactStatus.RECEIVED
        assert routing.brought_back_reason == CASE_CLOSED and routing.accepted_at is None
        assert isinstance(accepted, services.ContactNotFound) or str(accepted).startswith(
            "Its case closed, so it was brought back into the MASH"
        ), accepted

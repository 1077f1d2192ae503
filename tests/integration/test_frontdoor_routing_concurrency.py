"""Two MASH managers bringing one routed contact back into the MASH at once: one succeeds, the
other is told who did it, and nothing of theirs is written. Real, committed, concurrent
transactions, on a fresh database of each kind (test_frontdoor_concurrency's)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from joinedup.actor import Actor
from joinedup.directory.models import Agency, Professional
from joinedup.frontdoor import services
from joinedup.frontdoor.bring_back import bring_back
from joinedup.frontdoor.case_models import ContactRouting
from joinedup.frontdoor.cases import import_cases
from joinedup.frontdoor.models import Contact
from joinedup.frontdoor.rules import ContactStatus
from joinedup.frontdoor.schemas import ContactIn
from joinedup.people.imports import import_extract
from tests.factories import ADMIN, create_professional
from tests.integration.test_case_import import extract
from tests.integration.test_frontdoor_concurrency import (  # noqa: F401 (fixtures)
    PRACTICE,
    all_at_once,
    fresh_engine,
    people,
)

NHS = "9434765919"


def routed_contact(engine: Engine, staff: dict[str, Actor], tmp_path: Path) -> Contact:
    """A contact about Jade, whose case the council's Sam holds, committed."""
    with Session(engine, expire_on_commit=False) as session:
        council = session.get(Agency, staff["Bob"].agency_id)
        assert council is not None
        if not session.scalar(select(Professional).where(Professional.email == "sam@csc.test")):
            create_professional(session, "Sam", agency=council, email="sam@csc.test")
            import_extract(
                session,
                ADMIN,
                council.code,
                extract({"record_id": "C1", "given_name": "Jade", "nhs_number": NHS}),
                file_name="csc.csv",
            )
            path = tmp_path / "cases.csv"
            path.write_text(
                "record_id,case_reference,allocated_worker_email,opened_on\n"
                "C1,CIN-1,sam@csc.test,2026-09-01\n"
            )
            import_cases(session, ADMIN, council.code, path)
        data = ContactIn.model_validate(
            {
                "subjects": [{"kind": "child", "given_name": "Jade", "nhs_number": NHS}],
                "concern_categories": ["neglect"],
                "what_happened": "Seen hungry.",
                "urgency": "routine",
                "consent": "given",
            }
        )
        contact = services.receive_contact(session, staff["Alice"], data, PRACTICE).contact
        assert contact.status == ContactStatus.ROUTED
        return contact


def test_two_managers_bringing_a_contact_back_at_once_one_succeeds(
    fresh_engine: Engine,  # noqa: F811 (the fixture)
    people: dict[str, Actor],  # noqa: F811
    tmp_path: Path,
) -> None:
    contact = routed_contact(fresh_engine, people, tmp_path)

    def bring_back_as(name: str, reason: str) -> Callable[[Session], ContactRouting]:
        def act(session: Session) -> ContactRouting:
            return bring_back(session, people[name], contact.id, reason, contact.version, PRACTICE)

        return act

    results = all_at_once(
        fresh_engine, [bring_back_as("Bob", "Wrong match"), bring_back_as("Dana", "Case closed")]
    )

    won = [r for r in results if isinstance(r, ContactRouting)]
    told = [r for r in results if isinstance(r, services.ConcurrentChange)]
    assert (len(won), len(told)) == (1, 1), results
    winner = "Bob Archer" if won[0].brought_back_reason == "Wrong match" else "Dana Archer"
    assert str(told[0]).startswith(f"{winner} (The Council) brought this contact back into")
    assert "Nothing you sent was saved" in str(told[0])
    with Session(fresh_engine) as session:
        routed = session.scalars(
            select(ContactRouting).where(ContactRouting.contact_id == contact.id)
        ).one()
        assert routed.brought_back_reason == won[0].brought_back_reason
        stored = session.get(Contact, contact.id)
        assert stored is not None
        assert (stored.status, stored.version) == (ContactStatus.RECEIVED, 2)

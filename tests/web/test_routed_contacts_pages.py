"""The allocated worker's forms on a contact routed to their case, as people see them: Sam
accepts it into his case's work and acknowledges the referrer; a second tab is told it was
already accepted; the MASH manager sees who accepted it and when; a case closing brings a
contact Sam had not accepted back into the MASH; nobody but Sam reaches his forms.

test_routed_contact_pages' hub: Alice is a police officer (referrer); Bob the MASH manager;
Sam holds Jade's case (CIN-100); Tess another social worker; Charlie a teacher.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from joinedup import clock
from joinedup.accounts import services as accounts
from joinedup.frontdoor.cases import import_cases
from tests.factories import ADMIN
from tests.web.conftest import error_summary, heading, page, post_form, table_rows, text_of
from tests.web.test_routed_contact_pages import Hub
from tests.web.test_routed_contact_pages import hub as hub  # the fixture

pytestmark = pytest.mark.usefixtures("frozen_clock")
NOTE = "I know the family: visiting this afternoon."


def test_the_worker_accepts_it_with_a_note_and_everyone_sees_who_and_when(
    hub: Hub, frozen_clock: clock.Clock
) -> None:
    sam, reference = hub.browser("Sam"), hub.contact.reference
    shown = page(sam.get(f"/contacts/{reference}"))
    assert shown.select_one(f'a[href="/contacts/{reference}/accept"]') is not None
    form = f"/contacts/{reference}/accept"
    asked = sam.get(form)
    assert heading(asked) == "Accept this contact into the case's work"
    assert "left alone overnight" in page(asked).get_text(), "what they are accepting"

    frozen_clock.advance(dt.timedelta(minutes=20))
    done = post_form(sam, form, {"version": "1", "note": NOTE}, form)

    assert done.status_code == 303
    assert done.headers["location"] == f"/contacts/{reference}#routed"
    after = page(sam.get(f"/contacts/{reference}"))
    assert f"Accepted by you, 24 November 2026 at 10:20am, noting: {NOTE}" in text_of(
        after, "#routed"
    )
    assert after.select_one(f'a[href="/contacts/{reference}/accept"]') is None
    home = page(sam.get("/"))
    assert "There are none waiting for you to accept" in home.get_text()
    assert table_rows(home, "accepted into their work lately") == [
        [
            reference,
            "CIN-100",
            "24 November 2026 at 10:20am by Sam Archer",
            "25 November 2026 at 10:00am 6 hours 40 minutes of working time left",
        ]
    ]

    bob = hub.browser("Bob")
    (row,) = table_rows(page(bob.get("/")), "went to the case's allocated worker")
    assert row[-1] == "Accepted by Sam Archer 24 November 2026 at 10:20am"
    for_bob = page(bob.get(f"/contacts/{reference}"))
    assert f"Accepted by Sam Archer, 24 November 2026 at 10:20am, noting: {NOTE}" in text_of(
        for_bob, "#routed"
    )
    # Bringing it back still works, and the manager is told what that means first.
    warning = text_of(page(bob.get(f"/contacts/{reference}/bring-back")), ".govuk-warning-text")
    assert "It has been accepted into the case's work" in warning
    assert "Sam Archer's hands, so tell them why" in warning


def test_a_second_tab_is_told_it_was_already_accepted(hub: Hub) -> None:
    sam, reference = hub.browser("Sam"), hub.contact.reference
    form = f"/contacts/{reference}/accept"
    post_form(sam, form, {"version": "1", "note": "First tab"}, form)

    late = post_form(sam, form, {"version": "1", "note": "Second tab"}, form)

    assert late.status_code == 400
    (message,) = error_summary(late).values()
    assert message.startswith(
        "Sam Archer (Children's Services) accepted this contact into the case's work at 10am"
    )
    assert page(late).select_one("form textarea") is None, "nothing left to fill in"
    assert "First tab" in text_of(page(sam.get(f"/contacts/{reference}")), "#routed")


def test_a_long_note_is_refused_with_an_error_summary(hub: Hub) -> None:
    sam = hub.browser("Sam")
    form = f"/contacts/{hub.contact.reference}/accept"

    refused = post_form(sam, form, {"version": "1", "note": "x" * 5001}, form)

    assert refused.status_code == 400
    assert error_summary(refused) == {"#note": "The note must be 5,000 characters or fewer"}
    assert "Accepted by" not in text_of(page(refused), "#routed")


@pytest.mark.parametrize("name", ["Bob", "Tess", "Charlie", "Alice"])
def test_nobody_but_the_allocated_worker_reaches_his_forms(hub: Hub, name: str) -> None:
    browser = hub.browser(name)
    for path in ("accept", "acknowledgement"):
        url = f"/contacts/{hub.contact.reference}/{path}"
        assert browser.get(url).status_code == 404, (name, path)
        sent = post_form(browser, url, {"version": "1", "note": "", "message": "Hi"}, "/")
        assert sent.status_code == 404, (name, path)
    assert "Accepted by" not in text_of(
        page(hub.browser("Bob").get(f"/contacts/{hub.contact.reference}")), "#routed"
    )


def test_the_worker_acknowledges_the_referrer_who_reads_it(hub: Hub) -> None:
    sam, reference = hub.browser("Sam"), hub.contact.reference
    assert "Due 25 November 2026 at 10:00am" in " ".join(
        page(sam.get(f"/contacts/{reference}")).get_text(" ").split()
    )
    form = f"/contacts/{reference}/acknowledgement"
    assert heading(sam.get(form)) == "Send the acknowledgement to the referrer"

    empty = post_form(sam, form, {"message": " "}, form)
    assert empty.status_code == 400
    assert error_summary(empty) == {"#message": "Enter the message for the referrer"}
    sent = post_form(sam, form, {"message": "Sam Archer, Jade's social worker: I will call."}, form)

    assert sent.status_code == 303
    assert "Acknowledgement sent to Alice Archer 24 November 2026 at 10:00am by Sam Archer" in (
        text_of(page(sam.get(f"/contacts/{reference}")), "main")
    )
    told = " ".join(page(hub.browser("Alice").get(f"/contacts/{reference}")).get_text().split())
    assert "Jade's social worker: I will call." in told
    assert "Acknowledgement from the allocated social worker, 24 November 2026" in told
    _token, raw = accounts.create_api_token(
        hub.db, ADMIN, hub.user("Alice").professional.email, "Alice's system"
    )
    answer = hub.browser("Alice").get(
        f"/api/v1/contacts/{reference}", headers={"Authorization": f"Bearer {raw}"}
    )
    (message,) = answer.json()["messages"]
    assert (message["kind"], message["sent_by"]) == ("acknowledgement", "allocated_social_worker")
    bob_home = page(hub.browser("Bob").get("/"))
    assert "Acknowledgements and outcomes owed to referrers will appear here" in (
        bob_home.get_text()
    )


def test_a_worker_whose_acknowledgement_a_manager_sent_first_is_told_who(hub: Hub) -> None:
    sam, bob, reference = hub.browser("Sam"), hub.browser("Bob"), hub.contact.reference
    form = f"/contacts/{reference}/acknowledgement"
    token_page = sam.get(form)
    assert token_page.status_code == 200
    (task,) = hub.contact.feedback_tasks
    manager_form = f"/contacts/{reference}/feedback/{task.id}"
    post_form(bob, manager_form, {"message": "Received by the MASH."}, manager_form)

    late = post_form(sam, form, {"message": "I have it"}, form)

    assert late.status_code == 400
    (message,) = error_summary(late).values()
    assert message.startswith("Bob Archer sent this to the referrer at 10am")
    assert "Received by the MASH." in page(late).get_text()


def test_a_case_closing_before_the_worker_accepted_brings_the_contact_back(
    hub: Hub, tmp_path: Path
) -> None:
    reference = hub.contact.reference
    path = tmp_path / "closing.csv"
    path.write_text(
        "record_id,case_reference,allocated_worker_email,opened_on,closed_on\n"
        f"C1,CIN-100,{hub.user('Sam').professional.email},2026-09-01,2026-11-24\n"
    )
    import_cases(hub.db, ADMIN, hub.user("Bob").professional.agency.code, path)

    shown = page(hub.browser("Bob").get(f"/contacts/{reference}"))
    assert (
        "Brought back into the MASH automatically, 24 November 2026 at 10:00am: The case "
        "closed before the allocated worker accepted the contact"
    ) in text_of(shown, "#routed")
    assert shown.select_one(f'a[href="/contacts/{reference}/rating"]') is not None
    sam = hub.browser("Sam")
    assert sam.get(f"/contacts/{reference}").status_code == 404
    assert reference not in page(sam.get("/")).get_text()


def test_a_contact_accepted_before_its_case_closed_says_the_case_has_closed(
    hub: Hub, tmp_path: Path
) -> None:
    reference = hub.contact.reference
    form = f"/contacts/{reference}/accept"
    assert (
        post_form(hub.browser("Sam"), form, {"version": "1", "note": ""}, form).status_code == 303
    )
    path = tmp_path / "closing.csv"
    path.write_text(
        "record_id,case_reference,allocated_worker_email,opened_on,closed_on\n"
        f"C1,CIN-100,{hub.user('Sam').professional.email},2026-09-01,2026-11-24\n"
    )
    import_cases(hub.db, ADMIN, hub.user("Bob").professional.agency.code, path)

    shown = text_of(page(hub.browser("Bob").get(f"/contacts/{reference}")), "#routed")
    assert "Routed to Sam Archer (Children's Services), case CIN-100, which has since closed" in (
        shown
    )

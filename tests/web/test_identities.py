"""The review queue's pages: who reaches them, the two records through the gate, the waterfall,
and the decision form with its errors, CSRF and history.

The county's directory and agreements are loaded once per process, with one child's three
records from the police, community health and an acute trust and a run that asks about every
pair of them (tests/linkage_review_scenario.py); each test works in a transaction rolled back
afterwards.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from fastapi import FastAPI
from httpx import Response
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.accounts.models import User
from joinedup.audit.models import AuditEntry
from joinedup.directory.models import Agency
from joinedup.directory.rules import Role
from joinedup.linkage import model_file
from joinedup.linkage.models import ReviewDecision, ReviewStatus, ReviewTask
from joinedup.linkage.review.queries import explain
from joinedup.linkage.training import LinkageModel
from joinedup.people.models import AgencyRecord
from joinedup.synthetic import CountyOptions, build_county
from joinedup.synthetic.load import load_county
from tests.conftest import TEST_NOW
from tests.factories import create_user
from tests.linkage_county import LINKAGE_GROUP, loaded_database, rolled_back
from tests.linkage_review_scenario import NAMES, Scenario, load_scenario, saved_model
from tests.web.conftest import (
    TestClient,
    error_summary,
    form_token,
    heading,
    new_client,
    page,
    sign_in,
    table_rows,
    text_of,
    texts_of,
)

pytestmark = [LINKAGE_GROUP, pytest.mark.usefixtures("frozen_clock")]


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> LinkageModel:
    return saved_model(tmp_path_factory)


@pytest.fixture
def hub(request: pytest.FixtureRequest, model: LinkageModel) -> tuple[Engine, Scenario]:
    def load(session: Session) -> Scenario:
        with clock.frozen_at(TEST_NOW):
            county = build_county(CountyOptions(people=100))
            load_county(session, county, demo_password="demo password for tests", seed=1)
            return load_scenario(session, model)

    return loaded_database(request, "identities_pages", "sqlite", load)


@pytest.fixture
def sqlite_db(hub: tuple[Engine, Scenario]) -> Iterator[Session]:
    """The web fixtures' database: the loaded hub, rolled back after each test."""
    yield from rolled_back(hub[0])


@pytest.fixture
def scenario(hub: tuple[Engine, Scenario]) -> Scenario:
    return hub[1]


@pytest.fixture(autouse=True)
def model_in_data_dir(tmp_path: Path, model: LinkageModel) -> None:
    """The app's data directory (tmp_path) holds the model the run used, to explain scores."""
    assert model.path is not None
    folder = model_file.model_folder(tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(model.path, folder / model.path.name)


def someone(db: Session, role: Role, code: str) -> User:
    agency = db.scalars(select(Agency).where(Agency.code == code)).one()
    return create_user(db, role.value.title().replace("_", ""), roles=(role,), agency=agency)


def agency_name(db: Session, code: str) -> str:
    return db.scalars(select(Agency.name).where(Agency.code == code)).one()


def decide(client: TestClient, task_id: int, **data: str) -> Response:
    """Answer from the task's page, as a reviewer would."""
    url = f"/identities/{task_id}"
    html = client.get(url).text
    seen = page_value(html, "seen")
    return client.post(url, data={"csrf_token": form_token(html), "seen": seen, **data})


def page_value(html: str, name: str) -> str:
    found = BeautifulSoup(html, "html.parser").select_one(f"input[name={name}]")
    assert found is not None, f"the page has no {name} field"
    return str(found["value"])


# Where the waterfall's bars are drawn: positions on the page, not figures anyone reads.
GEOMETRY = {"x", "y", "x1", "x2", "y1", "y2", "width", "height", "viewBox"}


def numbers_in(response: Response) -> set[str]:
    """Every number a reader could find in the page, as written (signs and percent aside):
    its text, hidden text and the chart's included, and every attribute but the chart's
    geometry."""
    soup = page(response)
    written = [soup.get_text(" ")] + [
        str(value)
        for element in soup.find_all(True)
        for name, value in element.attrs.items()
        if name not in GEOMETRY
    ]
    return {number for text in written for number in re.findall(r"\d+(?:\.\d+)?", text)}


def model_score(task: ReviewTask, db: Session, data_dir: Path) -> set[str]:
    """The model's score of the pair and its total match weight, as a page might write them:
    the run's and the explanation's, as a percentage, a probability and a weight."""
    explained = explain(db, data_dir, task)
    assert explained is not None
    written = set()
    for probability in (task.match_probability, explained.scored.match_probability):
        written |= {f"{probability * 100:.1f}", f"{probability:.2f}", f"{probability:.3f}"}
    for weight in (task.match_weight, explained.scored.match_weight):
        written |= {f"{abs(weight):.1f}", f"{abs(weight):.2f}"}
    return written


def test_managers_and_practitioners_holding_a_record_reach_tasks_and_everyone_else_gets_404(
    app: FastAPI, sqlite_db: Session, scenario: Scenario
) -> None:
    db = sqlite_db
    pair = scenario.task("POL-1", "COM-1")
    reach = {
        ("manager", Role.MASH_MANAGER, "NCC-CSC"): (3, True),
        ("health practitioner", Role.MASH_PRACTITIONER, "NOTTS-COMMUNITY"): (2, True),
        ("mental health practitioner", Role.MASH_PRACTITIONER, "NOTTS-MH"): (0, False),
    }
    for (_, role, code), (waiting, opens) in reach.items():
        with new_client(app) as browser:
            sign_in(browser, someone(db, role, code))
            queue = browser.get("/identities")
            assert queue.status_code == 200
            if waiting:
                assert len(table_rows(page(queue))) == waiting
            else:
                assert "There are no pairs of records waiting for you" in queue.text
            assert browser.get(f"/identities/{pair}").status_code == (200 if opens else 404)
            # The queue names no one: people's details only ever come through the gate.
            assert not any(name in queue.text for name in NAMES)
    for role, code in (
        (Role.IG_LEAD, "NOTTS-POLICE"),
        (Role.REFERRER, "NOTTS-POLICE"),
        (Role.SYSTEM_LEADER, "NCC-CSC"),
        (Role.ADMINISTRATOR, "NCC-CSC"),
    ):
        with new_client(app) as browser:
            sign_in(browser, someone(db, role, code))
            assert browser.get("/identities").status_code == 404
            assert browser.get(f"/identities/{pair}").status_code == 404
            assert "/identities" not in browser.get("/").text


def test_a_task_shows_both_records_side_by_side_through_the_gate_and_the_waterfall(
    client: TestClient, sqlite_db: Session, scenario: Scenario
) -> None:
    manager = someone(sqlite_db, Role.MASH_MANAGER, "NCC-CSC")
    sign_in(client, manager)
    entries = sqlite_db.scalar(select(func.count()).select_from(AuditEntry))

    response = client.get(f"/identities/{scenario.task('POL-1', 'COM-1')}")

    assert response.status_code == 200
    assert heading(response) == "Are these records the same person?"
    soup = page(response)
    rows = {row[0]: row[1:] for row in table_rows(soup, "The two records")}
    assert rows["First names"] == ["Quillandra", "Quilandra"]
    assert rows["Last name"] == ["Vexworthy", "Vexworthy"]
    assert rows["NHS number"] == ["Not recorded", "9434765919"]
    assert texts_of(soup, "thead th")[1:3] == [
        f"Record 1: {agency_name(sqlite_db, 'NOTTS-POLICE')}",
        f"Record 2: {agency_name(sqlite_db, 'NOTTS-COMMUNITY')}",
    ]
    # Both records came through the gate, on the ledger for this user.
    disclosed = sqlite_db.scalars(
        select(AuditEntry).where(AuditEntry.id > entries, AuditEntry.action.like("%:disclosed"))
    ).all()
    assert sorted(e.object_id for e in disclosed) == sorted(
        str(scenario.records[r]) for r in ("POL-1", "COM-1")
    )
    # The waterfall, drawn and in a table whose running total is the sum of its weights.
    assert soup.select_one("svg[role=img] title") is not None
    assert len(soup.select("svg rect")) == 8  # the prior, six comparisons, the match weight
    steps = table_rows(soup, "The same figures")
    assert [row[0] for row in steps] == [
        "Before comparing anything",
        "First name",
        "Last name",
        "Date of birth",
        "Postcode",
        "NHS number",
        "Unique pupil number",
        "Match weight",
    ]
    # Each figure is rounded to one place, so the sum may be a few tenths out.
    weights = [float(row[2]) for row in steps]
    assert sum(weights[:-1]) == pytest.approx(float(steps[-2][3]), abs=0.4)
    assert weights[-1] == pytest.approx(float(steps[-2][3]), abs=0.1)
    assert [row[1] for row in steps][1:4] == [
        "One letter changed, dropped, added or swapped",
        "The same",
        "The same",
    ]


def test_a_practitioner_who_cannot_see_the_other_record_sees_why_and_cannot_decide(
    client: TestClient, sqlite_db: Session, scenario: Scenario, tmp_path: Path
) -> None:
    sign_in(client, someone(sqlite_db, Role.MASH_PRACTITIONER, "NOTTS-COMMUNITY"))
    task_id = scenario.task("POL-1", "COM-1")

    response = client.get(f"/identities/{task_id}")

    soup = page(response)
    rows = {row[0]: row[1:] for row in table_rows(soup, "The two records")}
    assert rows["First names"] == ["Withheld", "Quilandra"]
    assert texts_of(soup, "thead th")[1] == "Record 1: another agency's"
    assert "police intelligence" in text_of(soup, ".govuk-inset-text")
    assert "Quillandra" not in response.text
    assert soup.select_one("input[name=outcome]") is None
    assert "You cannot see one of the two records" in response.text
    # The waterfall leaves out every comparison of details withheld from her: here, all.
    assert soup.select_one("svg") is None and "The same figures" not in response.text
    assert text_of(soup, "#withheld-comparisons li") == (
        "First name, Last name, Date of birth, Postcode, NHS number, Unique pupil number. "
        "Withheld: no agreement covers police intelligence for your role; ask your IG lead."
    )
    task = sqlite_db.get(ReviewTask, task_id)
    assert task is not None
    assert model_score(task, sqlite_db, tmp_path) & numbers_in(response) == set()

    refused = client.post(
        f"/identities/{task_id}",
        data={
            "csrf_token": form_token(client.get("/").text),
            "outcome": "same",
            "reason": "Looks like her",
            "seen": "whatever",
        },
    )

    assert refused.status_code == 400
    assert "You cannot see one of the two records" in text_of(page(refused), ".govuk-error-summary")
    assert sqlite_db.scalar(select(func.count()).select_from(ReviewDecision)) == 0


def test_a_reader_with_a_comparison_withheld_sees_no_score_to_work_it_out_from(
    app: FastAPI, sqlite_db: Session, scenario: Scenario, tmp_path: Path
) -> None:
    db = sqlite_db
    task_id = scenario.task("ACU-1", "COM-1")
    # Both records carry one pupil number, and the run scored them so. The acute trust's
    # practitioner may not see the community trust's (education data), so the comparison of
    # the two, which adds a good deal to the weight, is withheld from her; the manager sees
    # everything.
    for key in ("ACU-1", "COM-1"):
        record = db.get(AgencyRecord, scenario.records[key])
        assert record is not None
        record.upn = "H891234524001"
    task = db.get(ReviewTask, task_id)
    assert task is not None
    explained = explain(db, tmp_path, task)
    assert explained is not None
    task.match_weight = explained.scored.match_weight
    task.match_probability = explained.scored.match_probability
    db.flush()
    score = model_score(task, db, tmp_path)
    pages = {}
    for role, code in ((Role.MASH_PRACTITIONER, "ACUTE-TRENT"), (Role.MASH_MANAGER, "NCC-CSC")):
        with new_client(app) as browser:
            sign_in(browser, someone(db, role, code))
            pages[code] = browser.get(f"/identities/{task_id}")

    hers, his = pages["ACUTE-TRENT"], pages["NCC-CSC"]

    assert hers.status_code == his.status_code == 200
    # Nowhere in her page, hidden text and the chart's markup included, is the model's score
    # or its total: with the comparisons she can see, either gives away the pupil numbers'.
    assert score & numbers_in(hers) == set()
    soup = page(hers)
    assert "Model's score" not in hers.text and "Match weight" not in hers.text
    # Nor the band: that the score is between the thresholds says which side of a line the
    # withheld comparison's weight falls.
    assert "between the thresholds" not in hers.text
    # What she can see adds up, and says it is only that.
    steps = table_rows(soup, "The same figures")
    assert [row[0] for row in steps][-1] == "Total of the comparisons you can see"
    visible = sum(float(row[2]) for row in steps[:-1])
    assert float(steps[-1][2]) == pytest.approx(visible, abs=0.4)
    assert texts_of(soup, "svg text")[-2] == "Total you can see"
    # And it says which comparison is withheld, and why: her agency has no agreement for it.
    assert texts_of(soup, "#withheld-comparisons li") == [
        "Unique pupil number. Withheld: no agreement covers education for your role; ask your "
        "IG lead."
    ]
    assert "score" in text_of(soup, "#withheld-comparisons")

    # The manager, who sees every detail compared, sees the score, its band and the total.
    assert score & numbers_in(his)
    assert f"{task.match_probability * 100:.1f}% likely to be one person" in his.text
    assert "the score is between the thresholds" in his.text.lower()
    his_steps = table_rows(page(his), "The same figures")
    assert his_steps[-1][0] == "Match weight"
    assert (
        "#withheld-comparisons" not in his.text
        and page(his).select_one("#withheld-comparisons") is None
    )


def test_a_reader_with_a_comparison_withheld_sees_no_other_reviewers_reasons(
    app: FastAPI, sqlite_db: Session, scenario: Scenario
) -> None:
    db = sqlite_db
    task_id = scenario.task("ACU-1", "COM-1")
    # The pupil numbers are withheld from the acute trust's practitioner (as above); a manager,
    # who sees them, answers in words that name them.
    for key in ("ACU-1", "COM-1"):
        record = db.get(AgencyRecord, scenario.records[key])
        assert record is not None
        record.upn = "H891234524001"
    db.flush()
    said = "Same pupil number H891234524001 on both: ask the school"
    with new_client(app) as manager:
        sign_in(manager, someone(db, Role.MASH_MANAGER, "NCC-CSC"))
        assert decide(manager, task_id, outcome="unsure", reason=said).status_code == 303
        his = manager.get(f"/identities/{task_id}")
    with new_client(app) as practitioner:
        sign_in(practitioner, someone(db, Role.MASH_PRACTITIONER, "ACUTE-TRENT"))
        hers = practitioner.get(f"/identities/{task_id}")

    # (Her own record's pupil number is on her page; the school's record's is not.)
    assert said not in hers.text and "ask the school" not in hers.text
    answers = table_rows(page(hers), "Every answer")
    assert [row[2] for row in answers] == ["Not sure"]
    assert answers[0][3].startswith("Not shown: another reviewer's words")
    # The manager, who sees every detail compared, reads the answers in full.
    assert [row[3] for row in table_rows(page(his), "Every answer")] == [said]


def test_the_queue_shows_no_score_or_band_since_it_cannot_tell_what_each_reader_may_see(
    client: TestClient, sqlite_db: Session, scenario: Scenario, tmp_path: Path
) -> None:
    sign_in(client, someone(sqlite_db, Role.MASH_PRACTITIONER, "NOTTS-COMMUNITY"))

    queue = client.get("/identities")

    assert len(table_rows(page(queue))) == 2
    for pair in (("POL-1", "COM-1"), ("COM-1", "ACU-1")):
        task = sqlite_db.get(ReviewTask, scenario.task(*pair))
        assert task is not None
        assert model_score(task, sqlite_db, tmp_path) & numbers_in(queue) == set()
    assert "score" not in queue.text.lower() and "thresholds" not in queue.text


def test_linking_records_the_answer_merges_at_once_and_keeps_the_history(
    client: TestClient, sqlite_db: Session, scenario: Scenario
) -> None:
    manager = someone(sqlite_db, Role.MASH_MANAGER, "NCC-CSC")
    sign_in(client, manager)
    task_id = scenario.task("POL-1", "COM-1")

    done = decide(client, task_id, outcome="same", reason="Same child: one letter out")

    assert done.status_code == 303
    assert done.headers["location"] == f"/identities?decided={task_id}"
    queue = client.get(done.headers["location"])
    assert f"Your answer to review task {task_id} is recorded" in queue.text
    assert len(table_rows(page(queue))) == 2
    people = sqlite_db.scalars(
        select(AgencyRecord.master_person_id).where(
            AgencyRecord.id.in_([scenario.records["POL-1"], scenario.records["COM-1"]])
        )
    ).all()
    assert len(set(people)) == 1

    changed = decide(client, task_id, outcome="apart", reason="The hospital says twins")

    assert changed.status_code == 303
    history = table_rows(page(client.get(f"/identities/{task_id}")), "Every answer")
    assert [(row[2].split(" Merge")[0], row[3]) for row in history] == [
        ("The same person", "Same child: one letter out"),
        ("Not the same person", "The hospital says twins"),
    ]
    task = sqlite_db.get(ReviewTask, task_id)
    assert task is not None and task.status == ReviewStatus.APART


def test_not_sure_keeps_the_pair_in_the_queue_with_the_answer_on_record(
    client: TestClient, sqlite_db: Session, scenario: Scenario
) -> None:
    sign_in(client, someone(sqlite_db, Role.MASH_MANAGER, "NCC-CSC"))
    task_id = scenario.task("POL-1", "ACU-1")

    decide(client, task_id, outcome="unsure", reason="Ask the hospital about the surname")

    rows = table_rows(page(client.get("/identities")))
    mine = next(row for row in rows if row[0] == f"Review task {task_id}")
    assert mine[-1].startswith("Not sure: ")


def test_an_answer_without_a_choice_or_a_reason_says_what_to_do_and_records_nothing(
    client: TestClient, sqlite_db: Session, scenario: Scenario
) -> None:
    sign_in(client, someone(sqlite_db, Role.MASH_MANAGER, "NCC-CSC"))
    task_id = scenario.task("COM-1", "ACU-1")

    no_choice = decide(client, task_id, reason="Same address")
    no_reason = decide(client, task_id, outcome="same", reason="  ")
    stale = client.post(
        f"/identities/{task_id}",
        data={
            "csrf_token": form_token(client.get(f"/identities/{task_id}").text),
            "outcome": "same",
            "reason": "Same address",
            "seen": "2026-01-01T00:00:00+00:00",
        },
    )

    assert no_choice.status_code == no_reason.status_code == stale.status_code == 400
    assert list(error_summary(no_choice)) == ["#outcome"]
    assert list(error_summary(no_reason)) == ["#reason"]
    assert "changed while you were looking" in error_summary(stale)["#outcome"]
    assert sqlite_db.scalar(select(func.count()).select_from(ReviewDecision)) == 0


def test_an_answer_without_the_forms_token_is_refused_and_records_nothing(
    client: TestClient, sqlite_db: Session, scenario: Scenario
) -> None:
    sign_in(client, someone(sqlite_db, Role.MASH_MANAGER, "NCC-CSC"))
    task_id = scenario.task("COM-1", "ACU-1")
    seen = page_value(client.get(f"/identities/{task_id}").text, "seen")

    response = client.post(
        f"/identities/{task_id}", data={"outcome": "same", "reason": "Yes", "seen": seen}
    )

    assert response.status_code == 400
    assert heading(response) == "Your form could not be sent"
    assert sqlite_db.scalar(select(func.count()).select_from(ReviewDecision)) == 0


def test_the_home_page_leads_reviewers_to_the_queue(client: TestClient, sqlite_db: Session) -> None:
    sign_in(client, someone(sqlite_db, Role.MASH_PRACTITIONER, "NOTTS-POLICE"))

    home = page(client.get("/"))

    link = home.select_one("a[href='/identities']")
    assert link is not None and link.get_text() == "Records that may be the same person"

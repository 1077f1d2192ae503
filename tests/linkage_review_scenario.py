"""Three agencies' records of one invented child, and a linkage run that asks about each pair.

The police, community health and an acute trust each hold a record of Quillandra Vexworthy,
each written a little differently, and two records of other children sit beside them. The run
uses the trained county model (tests/linkage_county.py) with the link threshold set out of
reach, so every pair the model scores is put to a person: three review tasks, one per pair of
her records.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup.linkage import model_file
from joinedup.linkage.models import ReviewTask
from joinedup.linkage.services import run_linkage
from joinedup.linkage.settings import LinkageSettings
from joinedup.linkage.spec import PERSON_SPEC
from joinedup.linkage.training import LinkageModel
from joinedup.people.imports import import_extract
from joinedup.people.models import AgencyRecord
from tests.factories import ADMIN
from tests.linkage_county import trained_county

HEADER = "record_id,given_name,family_name,date_of_birth,address,postcode,nhs_number"
EXTRACTS = {
    "NOTTS-POLICE": [
        "POL-1,Quillandra,Vexworthy,2018-07-19,4 Mill Lane,NG18 1AB,",
        "POL-2,Oswin,Tarrant,2016-02-03,9 Kings Walk,NG19 7QT,",
    ],
    "NOTTS-COMMUNITY": [
        "COM-1,Quilandra,Vexworthy,2018-07-19,4 Mill Lane,NG18 1AB,9434765919",
        "COM-2,Imogen,Pyle,2012-11-30,1 Station Road,NG22 0AA,4010232137",
    ],
    "ACUTE-TRENT": ["ACU-1,Quillandra,Vexworthey,2018-07-19,4 Mill Ln,NG18 1AB,"],
}
AGENCIES = tuple(EXTRACTS)
NAMES = ("Quillandra", "Quilandra", "Vexworthy", "Vexworthey")
# Nothing links on score alone: every pair scored at all goes to a person.
ASK_ABOUT_EVERY_PAIR = LinkageSettings(
    upper_threshold=1 - 1e-12, lower_threshold=0.01, u_sample_pairs=10_000
)


@dataclass(frozen=True)
class Scenario:
    records: dict[str, int]  # record_id -> agency record id
    tasks: dict[frozenset[str], int]  # the pair's record_ids -> review task id

    def task(self, a: str, b: str) -> int:
        return self.tasks[frozenset((a, b))]


def saved_model(tmp_path_factory: pytest.TempPathFactory) -> LinkageModel:
    """The county model, saved as a file (so a run names it) and read back."""
    folder = model_file.model_folder(tmp_path_factory.mktemp("hub"))
    return model_file.load(
        model_file.save(trained_county(tmp_path_factory).model, folder), PERSON_SPEC
    )


def load_scenario(session: Session, model: LinkageModel) -> Scenario:
    """Import the extracts (the agencies must exist) and run the linkage once."""
    for code, rows in EXTRACTS.items():
        text = "\n".join([HEADER, *rows]) + "\n"
        import_extract(session, ADMIN, code, io.BytesIO(text.encode()), file_name=f"{code}.csv")
    run_linkage(session, ADMIN, model, ASK_ABOUT_EVERY_PAIR)
    records = {
        key: id_ for key, id_ in session.execute(select(AgencyRecord.record_id, AgencyRecord.id))
    }
    by_id = {record: key for key, record in records.items()}
    tasks = {
        frozenset((by_id[task.agency_record_id], by_id[task.other_agency_record_id])): task.id
        for task in session.scalars(select(ReviewTask))
    }
    assert set(tasks) == {
        frozenset(pair) for pair in (("POL-1", "COM-1"), ("POL-1", "ACU-1"), ("COM-1", "ACU-1"))
    }, tasks
    return Scenario(records, tasks)

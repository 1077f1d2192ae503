"""A synthetic county in a benchmark hub: its agencies' records imported, a linkage model
trained on them, and contacts about its children, so intake's matching has real work."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.db import make_engine
from joinedup.directory.imports import AgencyRow, AreaRow, DirectoryImport, import_directory
from joinedup.linkage import engine as linkage_engine
from joinedup.linkage.queries import records_to_link
from joinedup.linkage.settings import load_linkage_settings
from joinedup.linkage.spec import PERSON_SPEC, person_frame_row
from joinedup.linkage.training import LinkageModel, train
from joinedup.synthetic import CountyOptions, build_county, write_county
from joinedup.synthetic.load import extract_files, import_extracts

from .hub import ADMIN

CONCERNS = ["neglect", "domestic_abuse", "physical_abuse", "emotional_abuse", "other"]


def county_hub(
    url: str, people: int, folder: Path
) -> tuple[LinkageModel, int, Callable[[], dict[str, Any]]]:
    """Import a county of `people` into the hub at url and train the model on its records.

    Returns the model, the records imported, and a maker of contacts about its children.
    """
    options = CountyOptions(people=people)
    county = build_county(options)
    write_county(county, folder)
    hub = make_engine(url)
    with Session(hub) as session:
        import_directory(
            session,
            ADMIN,
            DirectoryImport(
                areas=[AreaRow(d.code, d.name) for d in county.districts],
                agencies=[
                    AgencyRow(a.code, a.name, a.kind.value, a.district_code)
                    for a in county.agencies
                ],
            ),
        )
        # The day after the extracts were taken, as the demo imports them.
        with clock.frozen_at(dt.datetime.combine(options.as_of, dt.time(12), dt.UTC)):
            records = import_extracts(session, extract_files(folder / "extracts"), lambda: None)
        rows = records_to_link(session)
    hub.dispose()
    frame = linkage_engine.frame(PERSON_SPEC, (person_frame_row(r["id"], r) for r in rows))
    model = train(frame, load_linkage_settings())

    today = clock.now().date()
    postcode = {h.household_id: h.postcode for h in county.households}
    children = [
        p
        for p in county.people
        if p.date_of_birth and (today - p.date_of_birth).days < 17 * 365 and p.given_name
    ]
    adults = {}
    for p in county.people:
        if p.date_of_birth and (today - p.date_of_birth).days > 20 * 365:
            adults.setdefault(p.household_id, p)
    rng = random.Random(20261128)  # noqa: S311 (test data, not security)

    def body() -> dict[str, Any]:
        child = rng.choice(children)
        given = child.given_name
        if rng.random() < 0.3 and len(given) > 3:  # a referrer's slip: two letters swapped
            given = given[0] + given[2] + given[1] + given[3:]
        subjects: list[dict[str, Any]] = [
            {
                "kind": "child",
                "given_name": given,
                "family_name": child.family_name,
                "date_of_birth": child.date_of_birth.isoformat() if child.date_of_birth else None,
                "postcode": postcode[child.household_id],
                "nhs_number": child.nhs_number if rng.random() < 0.3 else None,
            }
        ]
        adult = adults.get(child.household_id)
        if adult is not None and rng.random() < 0.5:
            subjects.append(
                {
                    "role": "household_member",
                    "kind": "adult",
                    "given_name": adult.given_name,
                    "family_name": adult.family_name,
                    "date_of_birth": adult.date_of_birth.isoformat()
                    if adult.date_of_birth
                    else None,
                    "relationship": "parent",
                }
            )
        return {
            "subjects": subjects,
            "concern_categories": rng.sample(CONCERNS, rng.randint(1, 2)),
            "what_happened": "Called to a disturbance at the address; the child was in the house.",
            "urgency": rng.choice(["immediate", "urgent", "routine"]),
            "consent": "not_sought",
            "consent_not_sought_reason": "c",
        }

    return model, records, body

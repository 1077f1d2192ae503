"""Load a synthetic county into a hub database: its directory, sign-ins, a usage history, the
partners' sharing agreements, and each agency's person extract.

The extracts go in as a real agency's would: written as CSV files (write_county), then read by
the same import an agency's file goes through.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.accounts import services as accounts
from joinedup.accounts.models import SignInAttempt
from joinedup.actor import Actor
from joinedup.directory.imports import (
    AgencyRow,
    AreaRow,
    DirectoryImport,
    ProfessionalRow,
    TeamRow,
    import_directory,
)
from joinedup.people.imports import import_extract
from joinedup.sharing.demo import load_demo_agreements
from joinedup.synthetic.model import County

ACTOR = Actor.system("joinedup demo")
HISTORY_DAYS = 60
# Someone who uses the hub signs in on about half of working days; others almost never.
SIGN_IN_CHANCE = {True: 0.5, False: 0.01}


@dataclass(frozen=True)
class LoadReport:
    directory: dict[str, int]
    sign_ins: int
    past_sign_ins: int


def load_county(session: Session, county: County, demo_password: str, seed: int) -> LoadReport:
    """Write the county's directory and give everyone an account; demo sign-ins get a password."""
    counts = import_directory(session, ACTOR, _directory(county))
    demo = {p.email for p in county.demo_sign_ins}
    accounts.add_users_in_bulk(session, ACTOR, sorted(demo), demo_password)
    others = sorted(p.email for p in county.professionals if p.email not in demo)
    accounts.add_users_in_bulk(session, ACTOR, others, None)
    past = _usage_history(session, county, random.Random(seed))
    load_demo_agreements(session, ACTOR, clock.now().astimezone(clock.LONDON).date())
    return LoadReport(counts, len(county.professionals), past)


def extract_files(extracts: Path) -> list[Path]:
    """The county's extract files that hold at least one record (a tiny county has empty ones)."""
    files = []
    for path in sorted(extracts.glob("*.csv")):
        with path.open(encoding="utf-8") as handle:
            if handle.readline() and handle.readline():
                files.append(path)
    return files


def import_extracts(session: Session, files: list[Path], done: Callable[[], None]) -> int:
    """Import each agency's extract (named by its agency code); returns the records imported.

    Safe to run again after an interruption: a file already imported changes nothing.
    """
    rows = 0
    for path in files:
        rows += import_extract(session, ACTOR, path.stem, path).rows
        done()
    return rows


def _directory(county: County) -> DirectoryImport:
    return DirectoryImport(
        areas=[AreaRow(d.code, d.name) for d in county.districts],
        agencies=[
            AgencyRow(a.code, a.name, a.kind.value, a.district_code) for a in county.agencies
        ],
        teams=[TeamRow(t.agency_code, t.code, t.name) for t in county.teams],
        professionals=[
            ProfessionalRow(
                p.email,
                p.given_name,
                p.family_name,
                p.agency_code,
                p.team_code,
                p.job_title,
                tuple(r.value for r in p.roles),
            )
            for p in county.professionals
        ],
    )


def _usage_history(session: Session, county: County, rng: random.Random) -> int:
    """Past sign-ins over the last 60 days, so adoption by area shows from the first page.

    A synthetic past, written directly: no real use case creates sign-ins that already happened.
    """
    today = clock.now().replace(hour=9, minute=0, second=0, microsecond=0)
    days = [today - dt.timedelta(days=n) for n in range(1, HISTORY_DAYS + 1)]
    working = [d for d in days if d.weekday() < 5]
    rows = [
        {
            "email": person.email,
            "at": day + dt.timedelta(minutes=rng.randrange(0, 8 * 60)),
            "succeeded": True,
            "remote_addr": "",
        }
        for person in county.professionals
        for day in working
        if rng.random() < SIGN_IN_CHANCE[person.uses_hub]
    ]
    if rows:
        session.execute(insert(SignInAttempt), rows)
    session.commit()
    return len(rows)

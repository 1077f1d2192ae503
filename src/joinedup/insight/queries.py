"""Adoption: who is live on the hub and who uses it, per area."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from joinedup.accounts.queries import sign_in_counts_by_agency
from joinedup.directory.queries import agencies, areas, headcounts

COUNTY_WIDE = "County-wide"


@dataclass(frozen=True)
class AreaAdoption:
    area: str
    agencies: int
    staff: int
    signed_in: int

    @property
    def share_signed_in(self) -> float:
        return self.signed_in / self.staff if self.staff else 0.0


def adoption_by_area(session: Session, since: dt.datetime) -> list[AreaAdoption]:
    """Per area (county-wide agencies last): agencies, staff in post, staff who signed in since.

    Every area is listed, even one with no agency live yet: that gap is what a leader needs to see.
    """
    staff, signed_in = headcounts(session), sign_in_counts_by_agency(session, since)
    totals: dict[str, list[int]] = {area.name: [0, 0, 0] for area in areas(session)}
    for agency in agencies(session):
        row = totals.setdefault(agency.area.name if agency.area else COUNTY_WIDE, [0, 0, 0])
        row[0] += 1
        row[1] += staff.get(agency.id, 0)
        row[2] += signed_in.get(agency.id, 0)
    names = sorted(totals, key=lambda name: (name == COUNTY_WIDE, name))
    return [AreaAdoption(name, *totals[name]) for name in names]

"""A deterministic synthetic county, modelled on Nottinghamshire County, for demos and tests.

``build_county(CountyOptions(...))`` returns a ``County``: the seven districts and how far each
trusts the hub, the partner agencies and their teams, a few hundred professionals with their
roles, the households and people (the ground truth), and each agency's person extract, noisy
as real extracts are, with the truth about every record kept apart for evaluating matching.
``write_county`` writes it all as CSV files. Pure Python: no database; the loader maps these
dataclasses onto the ORM.

Where things are documented: every option in ``options.py``, every noise rate in
``noise.py``, who each agency knows in ``coverage.py``, the file layout in ``files.py``, and
all of it for people in docs/synthetic-county.md.
"""

from joinedup.synthetic.county import build_county, county_fingerprint
from joinedup.synthetic.files import write_county
from joinedup.synthetic.model import (
    EXTRACT_COLUMNS,
    Agency,
    County,
    District,
    ExtractRecord,
    GroundTruth,
    Household,
    Person,
    Professional,
    Relationship,
    Sex,
    Team,
)
from joinedup.synthetic.noise import NoiseRates
from joinedup.synthetic.options import CountyOptions

__all__ = [
    "EXTRACT_COLUMNS",
    "Agency",
    "County",
    "CountyOptions",
    "District",
    "ExtractRecord",
    "GroundTruth",
    "Household",
    "NoiseRates",
    "Person",
    "Professional",
    "Relationship",
    "Sex",
    "Team",
    "build_county",
    "county_fingerprint",
    "write_county",
]

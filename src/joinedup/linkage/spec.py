"""What the linkage model compares, how it blocks, and how it is trained: the model spec.

A spec names the frame's columns (every one text, beside an integer `unique_id`), the
comparisons with their levels, the blocking rules that choose which pairs are scored, the
deterministic rules that estimate the prior, and the blocking rules that expectation
maximisation trains on. PERSON_SPEC is the hub's, over the normal forms of the extract schema
(people.normalise). Another spec (FEBRL's, in the tests) runs through the same training,
scoring and evaluation.

Change a comparison and you must bump the spec's version: a model file trained for another
version is refused (model_file.py) rather than scored with levels it was not trained on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink.internals.comparison_creator import ComparisonCreator

Rule = tuple[str, ...]  # a blocking rule: records agree exactly on every one of these columns


@dataclass(frozen=True)
class ModelSpec:
    name: str
    version: int
    columns: tuple[str, ...]
    comparisons: Callable[[], list[ComparisonCreator]]
    blocking_rules: tuple[Rule, ...]
    # Rules that admit almost no false matches: their share of all pairs, over their recall,
    # estimates the prior (the chance that two records drawn at random are one person).
    prior_rules: tuple[Rule, ...]
    # Each trains m for the comparisons it does not block on; together they cover them all.
    training_rules: tuple[Rule, ...]
    # Two different values in this column are never linked automatically (None: no such column).
    distinct_identifier: str | None = None


def describe_rule(rule: Rule) -> str:
    """ "family_name + date_of_birth": how a rule is written on the command line and in messages."""
    return " + ".join(rule)


def parse_rule(text: str, columns: tuple[str, ...]) -> Rule:
    """A rule from "family_name + date_of_birth" (or commas). Raises ValueError naming columns."""
    names = tuple(part.strip() for part in text.replace(",", "+").split("+") if part.strip())
    unknown = [name for name in names if name not in columns]
    if not names or unknown:
        what = f"unknown column {', '.join(map(repr, unknown))}" if unknown else "no columns"
        raise ValueError(
            f"the blocking rule {text!r} has {what}: name columns joined by '+', "
            f"from {', '.join(columns)}"
        )
    return names


# --- The hub's person model ----------------------------------------------------------------

PERSON_COLUMNS = (
    "first_name",  # the first given name, normalised
    "first_name_canonical",  # ... with nicknames resolved (bill: william)
    "family_name",
    "other_names",  # former names the agency knows (the surname before marriage)
    "date_of_birth",  # YYYY-MM-DD
    "postcode",  # NG18 1AB
    "postcode_sector",  # NG18 1
    "outward_code",  # NG18
    "nhs_number",
    "upn",
)

# A random pair of different people shares a valid NHS number or UPN only by a clerical
# error (the check digit catches most typos). Estimating u by sampling cannot see a rate this
# small (it mostly samples true matches, or none at all), so it is fixed.
IDENTIFIER_U = 1e-6
# A one-character slip in a date of birth happens in real extracts but not in the synthetic
# county's noise, so training would learn it never happens to one person, and any such typo
# would then part two records for good. Fixed at a rate typical of keyed dates.
DATE_TYPO_M = 0.01


def _person_comparisons() -> list[ComparisonCreator]:
    first_name = cl.CustomComparison(
        output_column_name="first_name",
        comparison_description="First given name",
        comparison_levels=[
            cll.NullLevel("first_name"),
            cll.ExactMatchLevel("first_name").configure(tf_adjustment_column="first_name"),
            cll.ExactMatchLevel("first_name_canonical").configure(
                label_for_charts="The same name once nicknames are resolved"
            ),
            cll.DamerauLevenshteinLevel("first_name", 1).configure(
                label_for_charts="One letter changed, dropped, added or swapped"
            ),
            cll.CustomLevel(
                "first_name_l = family_name_r", label_for_charts="Given and family names swapped"
            ),
            cll.JaroWinklerLevel("first_name", 0.88).configure(
                label_for_charts="Similar (Jaro-Winkler at least 0.88)"
            ),
            cll.ElseLevel(),
        ],
    )
    family_name = cl.CustomComparison(
        output_column_name="family_name",
        comparison_description="Family name",
        comparison_levels=[
            cll.NullLevel("family_name"),
            cll.ExactMatchLevel("family_name").configure(tf_adjustment_column="family_name"),
            cll.CustomLevel(
                "family_name_l = other_names_r OR other_names_l = family_name_r",
                label_for_charts="One's family name is the other's former name",
            ),
            cll.DamerauLevenshteinLevel("family_name", 1).configure(
                label_for_charts="One letter changed, dropped, added or swapped"
            ),
            cll.CustomLevel(
                "family_name_l = first_name_r", label_for_charts="Given and family names swapped"
            ),
            cll.JaroWinklerLevel("family_name", 0.88).configure(
                label_for_charts="Similar (Jaro-Winkler at least 0.88)"
            ),
            cll.ElseLevel(),
        ],
    )
    date_of_birth = cl.CustomComparison(
        output_column_name="date_of_birth",
        comparison_description="Date of birth",
        comparison_levels=[
            cll.NullLevel("date_of_birth"),
            cll.ExactMatchLevel("date_of_birth"),
            cll.CustomLevel(
                "substr(date_of_birth_l, 1, 4) = substr(date_of_birth_r, 1, 4)"
                " AND substr(date_of_birth_l, 6, 2) = substr(date_of_birth_r, 9, 2)"
                " AND substr(date_of_birth_l, 9, 2) = substr(date_of_birth_r, 6, 2)",
                label_for_charts="Day and month swapped",
            ),
            cll.DamerauLevenshteinLevel("date_of_birth", 1).configure(
                label_for_charts="One digit wrong or two swapped",
                m_probability=DATE_TYPO_M,
                fix_m_probability=True,
            ),
            cll.ElseLevel(),
        ],
    )
    postcode = cl.CustomComparison(
        output_column_name="postcode",
        comparison_description="Postcode",
        comparison_levels=[
            cll.NullLevel("postcode"),
            cll.ExactMatchLevel("postcode").configure(tf_adjustment_column="postcode"),
            cll.ExactMatchLevel("postcode_sector").configure(label_for_charts="Same sector"),
            cll.ExactMatchLevel("outward_code").configure(label_for_charts="Same outward code"),
            cll.ElseLevel(),
        ],
    )
    return [
        first_name,
        family_name,
        date_of_birth,
        postcode,
        _identifier("nhs_number", "NHS number"),
        _identifier("upn", "Unique Pupil Number"),
    ]


def _identifier(column: str, description: str) -> ComparisonCreator:
    return cl.CustomComparison(
        output_column_name=column,
        comparison_description=description,
        comparison_levels=[
            cll.NullLevel(column),
            cll.ExactMatchLevel(column).configure(
                u_probability=IDENTIFIER_U, fix_u_probability=True
            ),
            cll.ElseLevel(),
        ],
    )


PERSON_SPEC = ModelSpec(
    name="person",
    version=1,
    columns=PERSON_COLUMNS,
    comparisons=_person_comparisons,
    blocking_rules=(
        ("nhs_number",),
        ("upn",),
        ("family_name", "date_of_birth"),
        ("first_name_canonical", "date_of_birth"),
        ("date_of_birth", "postcode"),  # names swapped, or both changed
        ("first_name_canonical", "postcode"),  # a date of birth missing or mistyped
        ("first_name_canonical", "family_name"),  # moved, and a date missing or mistyped
    ),
    prior_rules=(("nhs_number",), ("upn",)),
    training_rules=(
        ("date_of_birth",),  # names, postcode and identifiers
        ("first_name_canonical", "family_name"),  # date of birth and postcode
    ),
    distinct_identifier="nhs_number",
)


def person_frame_row(unique_id: int, record: Mapping[Any, Any]) -> dict[str, Any]:
    """The frame row for an agency record's normal forms (AgencyRecord's column names)."""
    given = record["given_name_norm"]
    born = record["date_of_birth"]
    return {
        "unique_id": unique_id,
        "first_name": given.split(" ", 1)[0] if given else None,
        "first_name_canonical": record["given_name_canonical"],
        "family_name": record["family_name_norm"],
        "other_names": record["other_names_norm"],
        "date_of_birth": born.isoformat() if born else None,
        "postcode": record["postcode_norm"],
        "postcode_sector": record["postcode_sector"],
        "outward_code": record["outward_code"],
        "nhs_number": record["nhs_number"],
        "upn": record["upn"],
    }

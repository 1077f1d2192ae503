"""Online matching: the candidates for one person, in milliseconds, with their explanation.

Splink's per-record calls build SQL and run DuckDB for every query (hundreds of
milliseconds), too slow for a contact arriving at the front door. This keeps the records in
memory, indexed by the trained model's blocking rules, and scores candidates in Python with
the trained model's own weights: each comparison's levels are the same conditions, in the same
order, as the SQL Splink runs (spec.py), with the same term-frequency adjustments, so a pair
scores here what it scores in a batch run (a test compares every blocked pair of a county).

Each candidate carries every comparison's level and weight: the explanation a reviewer reads.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from splink import SettingsCreator

from joinedup.linkage.spec import PERSON_SPEC, Rule
from joinedup.linkage.training import LinkageModel

Record = Mapping[str, Any]
Condition = Callable[[Record, Record], bool]


def damerau_levenshtein_at_most_one(a: str, b: str) -> bool:
    """Whether one edit (change, drop, add, or swap of neighbours) or none turns a into b."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diffs) == 1 or (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and a[diffs[0]] == b[diffs[1]]
            and a[diffs[1]] == b[diffs[0]]
        )
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long[i]:
        i += 1
    return short[i:] == long[i + 1 :]


def jaro_winkler(a: str, b: str) -> float:
    """Jaro-Winkler similarity as DuckDB computes it (prefix of up to 4, boost above 0.7)."""
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    window = max(max(len(a), len(b)) // 2 - 1, 0)
    used = [False] * len(b)
    matched_a = []
    for i, char in enumerate(a):
        for j in range(max(0, i - window), min(len(b), i + window + 1)):
            if not used[j] and b[j] == char:
                used[j] = True
                matched_a.append(char)
                break
    if not matched_a:
        return 0.0
    matched_b = [b[j] for j in range(len(b)) if used[j]]
    m = len(matched_a)
    transpositions = sum(x != y for x, y in zip(matched_a, matched_b, strict=True)) // 2
    jaro = (m / len(a) + m / len(b) + (m - transpositions) / m) / 3
    if jaro <= 0.7:
        return jaro
    prefix = 0
    for x, y in zip(a[:4], b[:4], strict=False):
        if x != y:
            break
        prefix += 1
    return jaro + prefix * 0.1 * (1 - jaro)


def _same(column: str) -> Condition:
    return lambda left, right: left[column] == right[column]


def _cross(mine: str, theirs: str) -> Condition:
    return lambda left, right: left[mine] == right[theirs]


def _typo(column: str) -> Condition:
    return lambda left, right: damerau_levenshtein_at_most_one(left[column], right[column])


def _similar(column: str) -> Condition:
    return lambda left, right: jaro_winkler(left[column], right[column]) >= 0.88


def _former_name(left: Record, right: Record) -> bool:
    # Never None == None: family_name is present on both sides once past the null level.
    return bool(
        left["family_name"] == right["other_names"] or left["other_names"] == right["family_name"]
    )


def _day_month_swapped(left: Record, right: Record) -> bool:
    a, b = left["date_of_birth"], right["date_of_birth"]
    return bool(a[:4] == b[:4] and a[5:7] == b[8:10] and a[8:10] == b[5:7])


# Each comparison's column that decides the null level, and its levels' conditions after the
# null level, in spec.py's order (the else level is whatever none of these meets).
PERSON_LEVELS: dict[str, tuple[str, list[Condition]]] = {
    "first_name": (
        "first_name",
        [
            _same("first_name"),
            _same("first_name_canonical"),
            _typo("first_name"),
            _cross("first_name", "family_name"),
            _similar("first_name"),
        ],
    ),
    "family_name": (
        "family_name",
        [
            _same("family_name"),
            _former_name,
            _typo("family_name"),
            _cross("family_name", "first_name"),
            _similar("family_name"),
        ],
    ),
    "date_of_birth": (
        "date_of_birth",
        [_same("date_of_birth"), _day_month_swapped, _typo("date_of_birth")],
    ),
    "postcode": (
        "postcode",
        [_same("postcode"), _same("postcode_sector"), _same("outward_code")],
    ),
    "nhs_number": ("nhs_number", [_same("nhs_number")]),
    "upn": ("upn", [_same("upn")]),
}


@dataclass(frozen=True)
class Contribution:
    comparison: str
    level: str  # the level's label, as in the model ("Exact match on family_name")
    match_weight: float


@dataclass(frozen=True)
class Candidate:
    master_person_id: int
    record_id: int  # the best-scoring of the person's records
    match_weight: float
    match_probability: float
    contributions: tuple[Contribution, ...]  # the prior first, then each comparison


@dataclass(frozen=True)
class _Level:
    label: str
    weight: float
    tf_column: str | None
    u: float  # the exact match's, for term-frequency adjustments
    tf_weight: float


# How common a value is among all records of a column (0 when unknown): what a
# term-frequency adjustment needs. The online matcher counts its own records; the review
# queue asks the database.
TermFrequency = Callable[[str, Any], float]


class PairScorer:
    """The trained model's weights, read through Splink's settings, for scoring one pair."""

    def __init__(self, model: LinkageModel) -> None:
        if model.spec.name != PERSON_SPEC.name:
            raise ValueError(f"online matching knows the person model, not {model.spec.name}")
        # Splink's own reading of the model: defaults for untrained levels, the exact match's
        # u for term frequencies, the labels.
        settings = SettingsCreator.from_path_or_dict(model.splink_settings).get_settings("duckdb")
        prior = settings._probability_two_random_records_match
        self.prior = math.log2(prior / (1 - prior))
        self.comparisons: list[tuple[str, str, list[Condition], list[_Level]]] = []
        for comparison in settings.comparisons:
            name = comparison.output_column_name
            null_column, conditions = PERSON_LEVELS[name]
            all_levels = comparison.comparison_levels
            levels = [
                _Level(
                    level.label_for_charts,
                    level._log2_bayes_factor,
                    level._tf_adjustment_input_column_name if level._has_tf_adjustments else None,
                    level._u_probability_corresponding_to_exact_match(all_levels)
                    if level._has_tf_adjustments
                    else 1.0,
                    level._tf_adjustment_weight or 0.0,
                )
                for level in all_levels
                if not level.is_null_level
            ]
            if len(levels) != len(conditions) + 1:
                raise ValueError(f"the model's {name} has levels this matcher does not know")
            self.comparisons.append((name, null_column, conditions, levels))

    @property
    def tf_columns(self) -> set[str]:
        """The columns whose values' frequencies adjust an exact match's weight."""
        return {
            level.tf_column
            for _, _, _, levels in self.comparisons
            for level in levels
            if level.tf_column
        }

    def score(self, left: Record, right: Record, frequency: TermFrequency) -> Candidate:
        """The model's match weight for two records, with each comparison's part in it."""
        parts: list[Contribution] = []
        total = self.weigh(left, right, frequency, parts)
        return Candidate(
            master_person_id=right.get("master_person_id") or 0,
            record_id=right.get("unique_id") or 0,
            match_weight=total,
            match_probability=1 / (1 + 2**-total),
            contributions=tuple(parts),
        )

    def weigh(
        self,
        left: Record,
        right: Record,
        frequency: TermFrequency,
        parts: list[Contribution] | None = None,
    ) -> float:
        """The match weight alone, unless `parts` is given to collect each comparison's part.

        Ranking weighs every blocked record and explains only the best, so this loop is
        the matcher's hot path: no objects unless asked, the first level met wins.
        """
        total = self.prior
        if parts is not None:
            parts.append(Contribution("prior", "Two records drawn at random", self.prior))
        for name, null_column, conditions, levels in self.comparisons:
            if left[null_column] is None or right[null_column] is None:
                if parts is not None:
                    parts.append(Contribution(name, f"{name} is missing", 0.0))
                continue
            level = levels[-1]
            for position, meets in enumerate(conditions):
                if meets(left, right):
                    level = levels[position]
                    break
            weight = level.weight
            if level.tf_column:
                # Splink's adjustment: the exact match's u over how common the value is.
                common = max(
                    frequency(level.tf_column, left[level.tf_column]),
                    frequency(level.tf_column, right[level.tf_column]),
                )
                if common:
                    weight += level.tf_weight * (math.log2(level.u) - math.log2(common))
            total += weight
            if parts is not None:
                parts.append(Contribution(name, level.label, weight))
        return total


class OnlineMatcher:
    """The records held in memory, indexed by the model's blocking rules, scored in Python."""

    def __init__(self, model: LinkageModel, records: Iterable[Record]) -> None:
        self._scorer = PairScorer(model)
        self._rules: tuple[Rule, ...] = model.blocking_rules
        self._records: list[Record] = list(records)
        self._index: list[dict[tuple[Any, ...], list[int]]] = [{} for _ in self._rules]
        for position, record in enumerate(self._records):
            self._add_to_index(position, record)
        self._tf = self._term_frequencies()

    def candidates(self, query: Record, limit: int = 10) -> list[Candidate]:
        """The master persons whose records block with query, best first, at most `limit`."""
        best: dict[int, tuple[float, int]] = {}  # person -> (weight, position), best record
        for position in self._blocked(query):
            record = self._records[position]
            weight = self._scorer.weigh(query, record, self._frequency)
            person = record["master_person_id"]
            if person not in best or weight > best[person][0]:
                best[person] = (weight, position)
        ranked = sorted(best.items(), key=lambda item: (-item[1][0], item[0]))[:limit]
        return [self.score(query, self._records[position]) for _, (_, position) in ranked]

    def score(self, left: Record, right: Record) -> Candidate:
        """The model's match weight for two records, with each comparison's part in it."""
        return self._scorer.score(left, right, self._frequency)

    def _frequency(self, column: str, value: Any) -> float:
        return self._tf[column].get(value, 0.0)

    def _blocked(self, query: Record) -> set[int]:
        found: set[int] = set()
        for rule, index in zip(self._rules, self._index, strict=True):
            key = tuple(query.get(column) for column in rule)
            if None not in key:
                found.update(index.get(key, ()))
        return found

    def _add_to_index(self, position: int, record: Record) -> None:
        for rule, index in zip(self._rules, self._index, strict=True):
            key = tuple(record[column] for column in rule)
            if None not in key:
                index.setdefault(key, []).append(position)

    def _term_frequencies(self) -> dict[str, dict[Any, float]]:
        frequencies: dict[str, dict[Any, float]] = {}
        for column in self._scorer.tf_columns:
            counts = Counter(r[column] for r in self._records if r[column] is not None)
            total = sum(counts.values())
            frequencies[column] = {value: n / total for value, n in counts.items()}
        return frequencies

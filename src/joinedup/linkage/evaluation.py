"""How good the links are, against a ground truth: pairwise and cluster-level figures. Pure.

Pairwise: every two records the linkage put in one person is a predicted pair; every two
records of one real person is a true pair. Precision is the share of predicted pairs that are
true, recall the share of true pairs that were predicted. Pairs count each group of n records
as n(n-1)/2, so a wrong merge of two big groups weighs heavily, as it should.

Cluster-level: how many real people came out exactly right (all their records, and only
theirs, in one person), how many were split over several, and how many of the linkage's
people mix records of two or more real people: the error that shows one person's history as
another's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from math import comb
from typing import TypeVar

_Record = TypeVar("_Record", bound=Hashable)


class EvaluationError(Exception):
    """The links and the truth do not cover the same records; the message says which."""


@dataclass(frozen=True)
class Evaluation:
    records: int
    true_people: int
    predicted_people: int
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int
    people_exactly_right: int
    people_split: int
    predicted_people_mixed: int

    @property
    def precision(self) -> float:
        return self.correct_pairs / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.correct_pairs / self.true_pairs if self.true_pairs else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def evaluate(
    predicted: Mapping[_Record, Hashable], truth: Mapping[_Record, Hashable]
) -> Evaluation:
    """Compare record -> predicted person with record -> true person over the same records.

    Raises EvaluationError if a record is in one and not the other.
    """
    missing = predicted.keys() - truth.keys()
    if missing:
        raise EvaluationError(
            f"{len(missing):,} linked records are not in the truth, e.g. {_example(missing)}"
        )
    unlinked = truth.keys() - predicted.keys()
    if unlinked:
        raise EvaluationError(
            f"{len(unlinked):,} records in the truth were not linked, e.g. {_example(unlinked)}"
        )
    cells: Counter[tuple[Hashable, Hashable]] = Counter()
    for record, person in predicted.items():
        cells[(person, truth[record])] += 1
    by_predicted: Counter[Hashable] = Counter()
    by_true: Counter[Hashable] = Counter()
    true_people_in: dict[Hashable, int] = Counter()
    predicted_people_of: dict[Hashable, int] = Counter()
    for (predicted_person, true_person), count in cells.items():
        by_predicted[predicted_person] += count
        by_true[true_person] += count
        true_people_in[predicted_person] += 1
        predicted_people_of[true_person] += 1
    exactly_right = sum(
        1
        for (predicted_person, true_person), count in cells.items()
        if count == by_predicted[predicted_person] == by_true[true_person]
    )
    return Evaluation(
        records=len(predicted),
        true_people=len(by_true),
        predicted_people=len(by_predicted),
        true_pairs=sum(comb(n, 2) for n in by_true.values()),
        predicted_pairs=sum(comb(n, 2) for n in by_predicted.values()),
        correct_pairs=sum(comb(n, 2) for n in cells.values()),
        people_exactly_right=exactly_right,
        people_split=sum(1 for n in predicted_people_of.values() if n > 1),
        predicted_people_mixed=sum(1 for n in true_people_in.values() if n > 1),
    )


def _example(keys: set[_Record]) -> str:
    return ", ".join(str(key) for key in sorted(keys, key=str)[:3])

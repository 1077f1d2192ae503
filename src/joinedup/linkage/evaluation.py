"""How good the links are, against a ground truth: pairwise and cluster-level figures. Pure.

Pairwise: every two records the linkage put in one person is a predicted pair; every two
records of one real person is a true pair. Precision is the share of predicted pairs that are
true, recall the share of true pairs that were predicted. Pairs count each group of n records
as n(n-1)/2, so a wrong merge of two big groups weighs heavily, as it should.

Cluster-level: how many real people came out exactly right (all their records, and only
theirs, in one person), how many were split over several, and how many of the linkage's
people mix records of two or more real people: the error that shows one person's history as
another's.

Reviewers' answers are labels too: `against_labels` counts how many of them a linking (or
the synthetic county's truth) agrees with.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
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


@dataclass(frozen=True)
class LabelAgreement:
    """How far a linking agrees with labelled pairs (reviewers' answers)."""

    same: int  # pairs labelled one person
    apart: int  # pairs labelled two people
    agreeing: int  # labels the linking agrees with
    unknown: int  # labels about a record the linking does not cover

    @property
    def labels(self) -> int:
        return self.same + self.apart


def against_labels(
    person_of: Mapping[_Record, Hashable | None],
    labels: Iterable[tuple[_Record, _Record, bool]],
) -> LabelAgreement:
    """Count the labelled pairs (a, b, same) that `person_of` puts together exactly when the
    label says they are one person. A record with no person is apart from everyone."""
    same = apart = agreeing = unknown = 0
    for left, right, is_same in labels:
        same += is_same
        apart += not is_same
        if left not in person_of or right not in person_of:
            unknown += 1
            continue
        first, second = person_of[left], person_of[right]
        together = first is not None and first == second
        agreeing += together == is_same
    return LabelAgreement(same, apart, agreeing, unknown)

"""Decisions from scores, by band, with the guard rails: pure, no Splink and no database.

A scored pair at or above the upper threshold links its records; between the thresholds it
becomes a review task; below, nothing joins them. Links are made strongest first, and each
joins two groups of records only if the guard rails allow:

- two different NHS numbers never link automatically, neither in one pair nor by a chain of
  links (A-B and B-C would put A's and C's different numbers in one person): such a link
  becomes a review task instead, for a person to decide;
- a pair a person has decided are not the same person never joins, directly or by a chain;
  a pair they decided are the same always does.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field


class Band(enum.StrEnum):
    LINK = "link"
    REVIEW = "review"
    SEPARATE = "separate"


class ReviewReason(enum.StrEnum):
    UNCERTAIN = "uncertain"  # between the thresholds
    DIFFERENT_NHS_NUMBERS = "different_nhs_numbers"  # linked on score, but numbers differ
    JOINS_DIFFERENT_NHS_NUMBERS = "joins_different_nhs_numbers"  # would chain two numbers
    DECIDED_APART = "decided_apart"  # would chain two records a person said are two people
    MERGE_UNDONE = "merge_undone"  # a person undid the merge that joined them

    @property
    def label(self) -> str:
        return _REASON_LABELS[self]


_REASON_LABELS = {
    ReviewReason.UNCERTAIN: "the score is between the thresholds",
    ReviewReason.DIFFERENT_NHS_NUMBERS: "the score is high but the NHS numbers differ",
    ReviewReason.JOINS_DIFFERENT_NHS_NUMBERS: (
        "linking would put two different NHS numbers in one person"
    ),
    ReviewReason.DECIDED_APART: (
        "linking would join records a reviewer decided are different people"
    ),
    ReviewReason.MERGE_UNDONE: "a merge that joined them was undone",
}


@dataclass(frozen=True)
class Thresholds:
    """Match probabilities: at or above upper, link; at or above lower, review."""

    upper: float
    lower: float

    def __post_init__(self) -> None:
        if not 0 < self.lower <= self.upper < 1:
            raise ValueError(
                f"thresholds must satisfy 0 < lower <= upper < 1 "
                f"(lower {self.lower}, upper {self.upper})"
            )

    def band(self, probability: float) -> Band:
        if probability >= self.upper:
            return Band.LINK
        if probability >= self.lower:
            return Band.REVIEW
        return Band.SEPARATE


@dataclass(frozen=True)
class Pair:
    """A scored pair of records (left < right)."""

    left: int
    right: int
    match_weight: float
    match_probability: float


@dataclass(frozen=True)
class Review:
    pair: Pair
    reason: ReviewReason


@dataclass
class Decisions:
    clusters: list[list[int]]  # every record exactly once; each cluster is one person
    linked_pairs: int  # pairs in the link band that joined two groups
    reviews: list[Review] = field(default_factory=list)


def decide(
    record_ids: Iterable[int],
    pairs: Sequence[Pair],
    thresholds: Thresholds,
    identifiers: Mapping[int, str | None],
    *,
    decided_same: Iterable[tuple[int, int]] = (),
    decided_apart: Iterable[tuple[int, int]] = (),
) -> Decisions:
    """Group records into people from their scored pairs; list the pairs for review.

    `identifiers` gives each record's NHS number (or None); the decided pairs are a person's
    decisions from earlier reviews, which every run honours.
    """
    groups = _Groups(record_ids, identifiers)
    apart = {_ordered(a, b) for a, b in decided_apart}
    for a, b in apart:
        groups.keep_apart(a, b)
    for a, b in decided_same:
        groups.join(a, b)
    linked = 0
    reviews: list[Review] = []
    ranked = sorted(pairs, key=lambda p: (-p.match_probability, p.left, p.right))
    for pair in ranked:
        band = thresholds.band(pair.match_probability)
        if band is Band.SEPARATE or (pair.left, pair.right) in apart:
            continue
        if groups.together(pair.left, pair.right):
            continue
        if band is Band.REVIEW:
            reviews.append(Review(pair, ReviewReason.UNCERTAIN))
            continue
        left_id, right_id = identifiers.get(pair.left), identifiers.get(pair.right)
        if left_id and right_id and left_id != right_id:
            reviews.append(Review(pair, ReviewReason.DIFFERENT_NHS_NUMBERS))
        elif groups.conflicting_identifiers(pair.left, pair.right):
            reviews.append(Review(pair, ReviewReason.JOINS_DIFFERENT_NHS_NUMBERS))
        elif groups.kept_apart(pair.left, pair.right):
            reviews.append(Review(pair, ReviewReason.DECIDED_APART))
        else:
            groups.join(pair.left, pair.right)
            linked += 1
    return Decisions(groups.clusters(), linked, reviews)


def _ordered(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


class _Groups:
    """Union-find over record ids; each group knows its NHS numbers and who it must not join."""

    def __init__(self, record_ids: Iterable[int], identifiers: Mapping[int, str | None]) -> None:
        self._parent: dict[int, int] = {r: r for r in record_ids}
        self._identifiers: dict[int, set[str]] = {}
        for record, value in identifiers.items():
            if value and record in self._parent:
                self._identifiers[record] = {value}
        self._apart: dict[int, set[int]] = {}

    def find(self, record: int) -> int:
        parent = self._parent
        root = record
        while parent[root] != root:
            root = parent[root]
        while parent[record] != root:  # path compression
            parent[record], record = root, parent[record]
        return root

    def together(self, a: int, b: int) -> bool:
        return self.find(a) == self.find(b)

    def conflicting_identifiers(self, a: int, b: int) -> bool:
        joined = self._identifiers.get(self.find(a), set()) | self._identifiers.get(
            self.find(b), set()
        )
        return len(joined) > 1

    def keep_apart(self, a: int, b: int) -> None:
        self._apart.setdefault(self.find(a), set()).add(b)
        self._apart.setdefault(self.find(b), set()).add(a)

    def kept_apart(self, a: int, b: int) -> bool:
        root_a, root_b = self.find(a), self.find(b)
        return any(self.find(r) == root_b for r in self._apart.get(root_a, ())) or any(
            self.find(r) == root_a for r in self._apart.get(root_b, ())
        )

    def join(self, a: int, b: int) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a == root_b:
            return
        self._parent[root_b] = root_a
        numbers = self._identifiers.pop(root_b, None)
        if numbers:
            self._identifiers.setdefault(root_a, set()).update(numbers)
        apart = self._apart.pop(root_b, None)
        if apart:
            self._apart.setdefault(root_a, set()).update(apart)

    def clusters(self) -> list[list[int]]:
        members: dict[int, list[int]] = {}
        for record in self._parent:
            members.setdefault(self.find(record), []).append(record)
        return sorted((sorted(group) for group in members.values()), key=lambda g: g[0])


@dataclass
class Assignment:
    """Which master person each record belongs to after a run, changing as few as possible."""

    person_of: dict[int, int]  # record -> master person; -1, -2, ... stand for new ones
    merges: list[tuple[int, int]]  # (master person merged away, the one it merged into)
    new_people: int


def assign_people(
    clusters: Sequence[Sequence[int]], current: Mapping[int, int | None]
) -> Assignment:
    """Give each cluster a master person: one its records already have where it can.

    Each existing master person stays with the cluster that holds most of its records (the
    earlier cluster on a tie); a cluster that keeps several keeps the one with most of its
    records (the lowest id on a tie) and the others merge into it. A cluster that keeps none
    gets a new master person. So a run over links that have not changed changes nothing.
    """
    holdings: dict[int, dict[int, int]] = {}  # person -> cluster index -> records
    for index, cluster in enumerate(clusters):
        for record in cluster:
            person = current.get(record)
            if person is not None:
                by_cluster = holdings.setdefault(person, {})
                by_cluster[index] = by_cluster.get(index, 0) + 1
    owned: dict[int, list[int]] = {}
    for person, by_cluster in holdings.items():
        owner = max(by_cluster, key=lambda index: (by_cluster[index], -index))
        owned.setdefault(owner, []).append(person)
    person_of: dict[int, int] = {}
    merges: list[tuple[int, int]] = []
    new_people = 0
    for index, cluster in enumerate(clusters):
        candidates = owned.get(index)
        if candidates:
            kept = min(candidates, key=lambda person: (-holdings[person][index], person))
            merges.extend((person, kept) for person in sorted(candidates) if person != kept)
        else:
            new_people += 1
            kept = -new_people
        for record in cluster:
            person_of[record] = kept
    return Assignment(person_of, merges, new_people)

"""The review task's waterfall: each comparison's part in the pair's match weight, as far as
the reader may see it, and its drawing.

A comparison reads some of each record's details (NEEDS); if the gate withheld any of them
from the reader, the comparison is left out and named with the gate's reasons, and the last
bar is the total of what they can see, not the model's match weight (identities.OpenedTask
says why the score goes too).
"""

from __future__ import annotations

from dataclasses import dataclass

from joinedup.linkage.review.queries import Explanation
from joinedup.sharing.gate import Disclosure

COMPARISONS = {
    "prior": "Before comparing anything",
    "first_name": "First name",
    "family_name": "Last name",
    "date_of_birth": "Date of birth",
    "postcode": "Postcode",
    "nhs_number": "NHS number",
    "upn": "Unique pupil number",
}
# The record fields each comparison reads (names are compared across each other's fields).
# A comparison not named here is withheld from everyone (_withheld): better a gap in the
# waterfall than a weight that gives away what the gate refused.
NEEDS = {
    "prior": (),
    "first_name": ("given_name", "family_name"),
    "family_name": ("given_name", "family_name", "other_names"),
    "date_of_birth": ("date_of_birth",),
    "postcode": ("postcode",),
    "nhs_number": ("nhs_number",),
    "upn": ("upn",),
}


@dataclass(frozen=True)
class Step:
    comparison: str
    level: str  # how the two compared, in plain words
    weight: float  # its part of the match weight: positive says the same person
    before: float  # the running total before it
    after: float


@dataclass(frozen=True)
class WithheldComparison:
    comparison: str
    reasons: tuple[str, ...]  # the gate's, for the details it reads that are withheld


def steps_for(
    explanation: Explanation, records: list[Disclosure]
) -> tuple[list[Step], list[WithheldComparison]]:
    """The comparisons the reader may see, the prior first (none if only the prior is), and
    those they may not."""
    steps: list[Step] = []
    withheld: list[WithheldComparison] = []
    running = 0.0
    for part in explanation.scored.contributions:
        name = COMPARISONS.get(part.comparison, part.comparison)
        reasons = _withheld(part.comparison, records)
        if reasons:
            withheld.append(WithheldComparison(name, reasons))
            continue
        steps.append(
            Step(name, _plain(part.level), part.match_weight, running, running + part.match_weight)
        )
        running += part.match_weight
    if len(steps) == 1:  # the prior alone explains nothing
        return [], withheld
    return steps, withheld


def unexplained(records: list[Disclosure]) -> list[WithheldComparison]:
    """With no model file to explain the score, the comparisons the hub's model makes that
    are withheld from the reader: the score is theirs too."""
    return [
        WithheldComparison(COMPARISONS[name], reasons)
        for name in NEEDS
        if (reasons := _withheld(name, records))
    ]


def _withheld(comparison: str, records: list[Disclosure]) -> tuple[str, ...]:
    """Why the details a comparison reads are withheld from the reader; empty if none is."""
    if comparison not in NEEDS:
        return (UNKNOWN_COMPARISON,)
    reasons = (
        record.withheld.get(name, "Withheld.")  # the gate gives every field it withholds a reason
        for record in records
        for name in NEEDS[comparison]
        if name not in record.fields
    )
    return tuple(dict.fromkeys(reasons))


UNKNOWN_COMPARISON = (
    "Withheld: the hub does not know which details this comparison reads, so it shows it to no "
    "one; ask your administrator."
)


def _plain(level: str) -> str:
    if level.startswith("Exact match"):
        return "The same"
    if level.endswith("is missing"):
        return "Not recorded on one or both"
    if level == "All other comparisons":
        return "Different"
    return level


TOTAL = "Match weight"
VISIBLE_TOTAL = "Total you can see"  # not the match weight: some comparisons are withheld


@dataclass(frozen=True)
class Bar:
    y: float
    x: float
    width: float
    fill: str
    label: str  # the comparison, at the left
    value: str  # its weight, beside the bar
    value_x: float
    anchor: str  # where the value text hangs from: "start" or "end"


@dataclass(frozen=True)
class Chart:
    """A waterfall's geometry: each step's bar runs from the total before it to after it."""

    width: int
    height: int
    zero_x: float
    bars: list[Bar]

    WIDTH = 640
    LABELS = 190  # the comparisons' names, left of the bars
    ROW = 30
    BAR = 18
    ROOM = 56  # for the value beside the outermost bars

    @classmethod
    def of(cls, steps: list[Step], complete: bool) -> Chart:
        total = steps[-1].after
        ends = [0.0, total] + [s.before for s in steps] + [s.after for s in steps]
        low, high = min(ends), max(ends)
        span = (high - low) or 1.0
        left, right = cls.LABELS + cls.ROOM, cls.WIDTH - cls.ROOM
        scale = (right - left) / span

        def x(value: float) -> float:
            return round(left + (value - low) * scale, 1)

        rows = [(s.comparison, s.before, s.after, s.weight) for s in steps]
        rows.append((TOTAL if complete else VISIBLE_TOTAL, 0.0, total, total))
        bars = []
        for i, (label, start, end, weight) in enumerate(rows):
            last = i == len(rows) - 1
            grows = end >= start
            bars.append(
                Bar(
                    y=i * cls.ROW + (cls.ROW - cls.BAR) / 2,
                    x=x(min(start, end)),
                    width=max(round(abs(end - start) * scale, 1), 1.0),
                    fill="#0b0c0c" if last else ("#00703c" if grows else "#d4351c"),
                    label=label,
                    value=f"{weight:+.1f}",
                    value_x=x(max(start, end)) + 4 if grows else x(min(start, end)) - 4,
                    anchor="start" if grows else "end",
                )
            )
        return cls(cls.WIDTH, len(rows) * cls.ROW, x(0.0), bars)

"""For a MASH manager, who the people index may have for each person a contact names that
intake did not link: the trained model's candidates, best first, each by the record that scored
best (through the gate), with each comparison's part in its match weight.

As on a review task's page (identities_waterfall), a comparison that reads details the gate
withheld is left out and named with the gate's reason, and then the match weight and
probability are not shown either: with the comparisons shown, they would give its part away.
"""

from __future__ import annotations

from dataclasses import dataclass

from joinedup.frontdoor.contact_file import CandidateOnFile, ContactFile
from joinedup.sharing.gate import Disclosure
from joinedup.web.routes.identities_waterfall import COMPARISONS, NEEDS, UNKNOWN_COMPARISON


@dataclass(frozen=True)
class Comparison:
    name: str  # in words: "Date of birth"
    level: str  # how the two compared, as the model says it
    weight: float  # its part of the match weight: positive says the same person


@dataclass(frozen=True)
class CandidateView:
    candidate_id: int  # what the manager chooses when linking (contact_linking)
    record: Disclosure
    comparisons: list[Comparison]
    withheld: list[tuple[str, tuple[str, ...]]]  # (comparison, the gate's reasons)
    match_weight: float
    match_probability: float

    @property
    def shows_weight(self) -> bool:
        return not self.withheld


def candidates_of(file: ContactFile) -> dict[int, list[CandidateView]]:
    """Each unlinked person's candidates (by subject id), as the manager may see them."""
    return {
        person.subject.id: [_view(c, person.details) for c in person.candidates]
        for person in file.people
        if person.candidates
    }


def _view(found: CandidateOnFile, subject: Disclosure) -> CandidateView:
    comparisons: list[Comparison] = []
    withheld: list[tuple[str, tuple[str, ...]]] = []
    for comparison, level, weight in found.candidate.contributions:
        name = COMPARISONS.get(comparison, comparison)
        reasons = _withheld(comparison, (subject, found.record))
        if reasons:
            withheld.append((name, reasons))
        else:
            comparisons.append(Comparison(name, level, weight))
    return CandidateView(
        candidate_id=found.candidate.id,
        record=found.record,
        comparisons=comparisons,
        withheld=withheld,
        match_weight=found.candidate.match_weight,
        match_probability=found.candidate.match_probability,
    )


def _withheld(comparison: str, shown: tuple[Disclosure, ...]) -> tuple[str, ...]:
    """Why the details a comparison reads are withheld from the manager; empty if none is."""
    if comparison not in NEEDS:
        return (UNKNOWN_COMPARISON,)
    return tuple(
        dict.fromkeys(
            reason
            for disclosure in shown
            for field in NEEDS[comparison]
            if (reason := disclosure.withheld.get(field))
        )
    )

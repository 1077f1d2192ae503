"""The gate's questions to the policy: every category of every record of a page.

The page's sharing decisions and break-glass grants are looked up once for all its records
(gate_reads), and each distinct question is put to `rules.decide` once: it is pure, so under
the same terms the same question always gets the same answer, and records of one owner about
people in the same position, page after page, are decided once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.actor import Actor
from joinedup.sharing import gate_reads
from joinedup.sharing.rules import (
    AccessRequest,
    AgreementTerms,
    DataCategory,
    Decision,
    DecisionBasis,
    Purpose,
    SharingChoice,
    decide,
)

if TYPE_CHECKING:
    from joinedup.sharing.gate import PersonRecord


def decisions_for(
    session: Session,
    actor: Actor,
    purpose: Purpose,
    at: dt.datetime,
    subjects: Sequence[PersonRecord],
    held: Sequence[tuple[str, int]],
    involved: Sequence[bool],
) -> list[dict[DataCategory, Decision]]:
    """Each record's decision on every category it holds, in the order given. `held` pairs
    each record's person reference with its owner; `involved` says whether the actor works on
    it (need to know)."""
    if actor.agency_id is None or actor.agency_kind is None:
        # An operator's command is not a practitioner: it reads no one's record.
        return [{c: _no_agency(c) for c in categories_of(s)} for s in subjects]
    # Agreements start and end on London dates.
    on = at.astimezone(clock.LONDON).date()
    terms = gate_reads.terms_in_force(session, on)
    asking = _Asking(actor, purpose, on, terms, _answers_under(terms))
    records = list(zip(subjects, held, involved, strict=True))
    decisions = [
        {c: asking.decide(s, c, inv, None, False) for c in categories_of(s)}
        for s, _, inv in records
    ]
    # Golden rule 7: an owner's recorded decision binds partners (never the actor's own agency).
    # A decision not to share only ever refuses, after the refusals of rules 1 to 8, so it is
    # looked up only for records something of which would be shown, or kept in the MASH.
    ask_owners = {
        pair
        for (_, pair, _), decided in zip(records, decisions, strict=True)
        if pair[1] != actor.agency_id
        and any(
            d.permitted or d.basis is DecisionBasis.ORIGINATOR_CONTROL for d in decided.values()
        )
    }
    choices = gate_reads.sharing_choices(session, ask_owners, actor.agency_id)
    for (s, pair, inv), decided in zip(records, decisions, strict=True):
        if pair in choices:
            decided.update({c: asking.decide(s, c, inv, choices[pair], False) for c in decided})
    # Break-glass is looked up only where it could change something: a refusal other than the
    # system leader's or no role's, which it never sets aside.
    refused = [
        [c for c, d in decided.items() if not d.permitted and d.basis not in _FINAL]
        for decided in decisions
    ]
    ask_glass = {pair for (_, pair, _), refusals in zip(records, refused, strict=True) if refusals}
    if ask_glass and actor.user_id is not None:
        opened = gate_reads.break_glass_open(session, actor.user_id, ask_glass, at)
        for (s, pair, inv), decided, refusals in zip(records, decisions, refused, strict=True):
            if pair in opened:
                choice = choices.get(pair)
                decided.update({c: asking.decide(s, c, inv, choice, True) for c in refusals})
    return decisions


def categories_of(subject: PersonRecord) -> list[DataCategory]:
    """Every category the record holds: its own (what its existence reveals) and its fields'."""
    return sorted({subject.record_category, *subject.field_categories.values()})


# Refusals break-glass never sets aside (rules.decide, rule 1).
_FINAL = frozenset({DecisionBasis.SYSTEM_LEADER, DecisionBasis.NO_ROLE})


@dataclass
class _Asking:
    """One call's question: who asks, why, on what day, under which terms."""

    actor: Actor
    purpose: Purpose
    on: dt.date
    terms: Sequence[AgreementTerms]
    answers: dict[tuple[Any, ...], Decision]  # _answers_under(terms)

    def decide(
        self,
        subject: PersonRecord,
        category: DataCategory,
        involved: bool,
        choice: SharingChoice | None,
        break_glass: bool,
    ) -> Decision:
        actor = self.actor
        assert actor.agency_id is not None and actor.agency_kind is not None
        owner = subject.owner_agency_id
        sensitivity, allows = subject.sensitivity, subject.owner_allows_beyond_mash
        # Every field of the AccessRequest, as a plain tuple: cheaper to hash than the request.
        question = (
            actor.agency_id,
            actor.agency_kind,
            actor.roles,
            self.purpose,
            owner,
            category,
            self.on,
            sensitivity,
            allows,
            involved,
            choice,
            break_glass,
        )
        answer = self.answers.get(question)
        if answer is None:
            request = AccessRequest(
                actor_agency_id=actor.agency_id,
                actor_agency_kind=actor.agency_kind,
                actor_roles=actor.roles,
                purpose=self.purpose,
                owner_agency_id=owner,
                category=category,
                on=self.on,
                sensitivity=sensitivity,
                owner_allows_beyond_mash=allows,
                involved=involved,
                sharing_decision=choice,
                break_glass=break_glass,
            )
            answer = self.answers[question] = decide(request, self.terms)
        return answer


# The answers so far, per terms in force. The terms object is held with its answers, so its id
# cannot be reused for other terms while it is here; gate_reads.terms_in_force hands out one
# object for the same terms, to every transaction while they stay the same.
_ANSWERS: dict[int, tuple[Sequence[AgreementTerms], dict[tuple[Any, ...], Decision]]] = {}
_MOST_TERMS, _MOST_ANSWERS = 8, 20_000  # a few megabytes at most


def _answers_under(terms: Sequence[AgreementTerms]) -> dict[tuple[Any, ...], Decision]:
    held = _ANSWERS.get(id(terms))
    if held is None or held[0] is not terms or len(held[1]) > _MOST_ANSWERS:
        if len(_ANSWERS) >= _MOST_TERMS:
            _ANSWERS.clear()
        held = _ANSWERS[id(terms)] = (terms, {})
    return held[1]


def _no_agency(category: DataCategory) -> Decision:
    return Decision(
        False,
        DecisionBasis.NO_ROLE,
        f"Withheld: {category.label.lower()}. Only a signed-in practitioner of an agency sees "
        "people's records; sign in to the hub to see them.",
    )

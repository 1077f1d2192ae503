"""The review queue: pairs of agency records the linkage model is not sure are one person, for
MASH managers and practitioners to decide (linkage.review.rules says who; others get 404).

The queue lists tasks by number, reason and score, never anyone's details. A task's page
shows the two records side by side, both through the sharing gate (the reviewer works this
pair, so the Involvement names its two records), each comparison's part in the score as a
waterfall (a server-drawn SVG, with the same figures in a table), the answers so far, and the
form. A comparison of details withheld from the reviewer is left out of the waterfall, and a
reviewer who cannot see one of the records at all cannot decide.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response

from joinedup import clock
from joinedup.actor import Actor
from joinedup.linkage.models import ReviewStatus, ReviewTask
from joinedup.linkage.review.queries import Explanation, explain, review_queue, task_for
from joinedup.linkage.review.rules import REVIEWER_ROLES, Outcome, ReviewError
from joinedup.linkage.review.services import ReviewNotFound, decide_review
from joinedup.linkage.rules import ReviewReason
from joinedup.sharing.gate import Disclosure, Involvement, disclose
from joinedup.sharing.rules import Purpose
from joinedup.web.deps import CurrentActor, Db, NotFound, page_router, settings_of
from joinedup.web.forms import field
from joinedup.web.templating import render

router = page_router()
ADULT_AGE = 18


def require_reviewer(actor: CurrentActor) -> Actor:
    if not actor.roles & REVIEWER_ROLES:
        raise NotFound()
    return actor


Reviewer = Annotated[Actor, Depends(require_reviewer)]


@router.get("/identities")
def queue(request: Request, actor: Reviewer, db: Db, decided: str = "") -> Response:
    return render(
        request,
        "pages/identities/queue.html",
        title="Records that may be the same person",
        nav_section="home",
        queue=review_queue(db, actor),
        decided=int(decided) if decided.isdigit() else None,
        reasons={reason.value: reason.label for reason in ReviewReason},
    )


@router.get("/identities/{review_id:int}")
def task_page(request: Request, review_id: int, actor: Reviewer, db: Db) -> Response:
    return _task_page(request, db, actor, _opened(request, db, actor, review_id), {}, {})


@router.post("/identities/{review_id:int}")
async def decide(request: Request, review_id: int, actor: Reviewer, db: Db) -> Response:
    form = await request.form()
    values = {name: field(form, name) for name in ("outcome", "reason", "seen")}
    # The decision rests on reading both records, so it goes through the gate like the page.
    opened = _opened(request, db, actor, review_id)
    try:
        if not opened.can_decide:
            raise ReviewError(CANNOT_SEE, field="")  # no form to point at: the page says why
        decide_review(db, actor, review_id, values["outcome"], values["reason"], values["seen"])
    except ReviewNotFound:
        raise NotFound() from None
    except ReviewError as error:
        db.rollback()
        opened = _opened(request, db, actor, review_id)
        return _task_page(request, db, actor, opened, values, {error.field: str(error)})
    return RedirectResponse(f"/identities?decided={review_id}", status_code=303)


CANNOT_SEE = (
    "You cannot see one of the two records, so you cannot decide whether they are the same "
    "person. A MASH manager, or a MASH practitioner of the agency that holds it, can."
)


# --- Opening a task through the gate ----------------------------------------------------------


@dataclass(frozen=True)
class OpenedTask:
    task: ReviewTask
    records: list[Disclosure]  # the two, lower id first
    agencies: list[str | None]  # each record's agency, when the reader may know who holds it
    explanation: Explanation | None  # None: no trained model file to explain it with
    steps: list[Step]
    withheld_steps: list[str]  # comparisons of details withheld from the reader

    @property
    def can_decide(self) -> bool:
        return all(record.disclosed for record in self.records)


def _opened(request: Request, db: Db, actor: Actor, review_id: int) -> OpenedTask:
    """The task as the actor may see it, its ledger entries committed; else 404."""
    task = task_for(db, actor, review_id)
    if task is None:
        raise NotFound()
    pair = [task.agency_record, task.other_agency_record]
    records = disclose(
        db,
        actor,
        _purpose(task),
        pair,
        involvement=Involvement(
            master_person_ids=frozenset(r.master_person_id for r in pair if r.master_person_id),
            records=frozenset(("agency_record", r.id) for r in pair),
        ),
    )
    explanation = explain(db, settings_of(request).data_dir, task)
    db.commit()
    steps, withheld = _steps(explanation, records) if explanation else ([], [])
    return OpenedTask(
        task=task,
        records=records,
        # Which agency holds a record is the holder's own category (a police record says the
        # person is known to the police), so it shows only where its reference does.
        agencies=[
            record.agency.name if "record_id" in shown.fields else None
            for record, shown in zip(pair, records, strict=True)
        ],
        explanation=explanation,
        steps=steps,
        withheld_steps=withheld,
    )


def _purpose(task: ReviewTask) -> Purpose:
    """Adults at risk when both records say the person is an adult; else children's (a record
    without a date of birth may be a child's)."""
    today = clock.now().astimezone(clock.LONDON).date()
    born = [r.date_of_birth for r in (task.agency_record, task.other_agency_record)]
    if all(day is not None and _age(day, today) >= ADULT_AGE for day in born):
        return Purpose.SAFEGUARDING_ADULTS
    return Purpose.SAFEGUARDING_CHILDREN


def _age(born: dt.date, today: dt.date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _task_page(
    request: Request,
    db: Db,
    actor: Actor,
    opened: OpenedTask,
    values: dict[str, str],
    errors: dict[str, str],
) -> Response:
    task = opened.task
    return render(
        request,
        "pages/identities/task.html",
        status_code=400 if errors else 200,
        title=f"Review task {task.id}",
        nav_section="home",
        opened=opened,
        task=task,
        reason=ReviewReason(task.reason).label,
        status=STATUS_LABELS[ReviewStatus(task.status)],
        outcomes=_outcomes(task),
        chart=Chart.of(opened.steps, complete=not opened.withheld_steps) if opened.steps else None,
        fields=RECORD_FIELDS,
        values=values,
        errors=errors,
        # An error about the whole task (no field) is plain text, not a link to a field.
        error_summary=[
            {"text": message, "href": f"#{name}"} if name else {"text": message}
            for name, message in errors.items()
        ],
    )


def _outcomes(task: ReviewTask) -> list[Outcome]:
    """The answers open to the reviewer: all three while it waits; once decided, the other."""
    if task.status == ReviewStatus.SAME:
        return [Outcome.APART]
    if task.status == ReviewStatus.APART:
        return [Outcome.SAME]
    if task.status == ReviewStatus.WITHDRAWN:
        return []
    return list(Outcome)


STATUS_LABELS = {
    ReviewStatus.OPEN: "Waiting for a decision",
    ReviewStatus.UNSURE: "Waiting: a reviewer was not sure",
    ReviewStatus.SAME: "Decided: the same person",
    ReviewStatus.APART: "Decided: not the same person",
    ReviewStatus.WITHDRAWN: "Withdrawn: a later run no longer finds the pair uncertain",
}
# The agency record's fields a reviewer compares, in the order they read them.
RECORD_FIELDS = [
    ("given_name", "First names"),
    ("family_name", "Last name"),
    ("other_names", "Other names"),
    ("date_of_birth", "Date of birth"),
    ("sex", "Sex"),
    ("address", "Address"),
    ("postcode", "Postcode"),
    ("nhs_number", "NHS number"),
    ("upn", "Unique pupil number"),
    ("pnc_id", "PNC ID"),
    ("record_id", "The agency's reference"),
]


# --- The waterfall ------------------------------------------------------------------------------

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
NEEDS = {
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


def _steps(explanation: Explanation, records: list[Disclosure]) -> tuple[list[Step], list[str]]:
    steps: list[Step] = []
    withheld: list[str] = []
    running = 0.0
    for part in explanation.scored.contributions:
        name = COMPARISONS.get(part.comparison, part.comparison)
        if not all(f in r.fields for r in records for f in NEEDS.get(part.comparison, ())):
            withheld.append(name)
            continue
        steps.append(
            Step(name, _plain(part.level), part.match_weight, running, running + part.match_weight)
        )
        running += part.match_weight
    if len(steps) == 1:  # the prior alone explains nothing
        return [], withheld
    return steps, withheld


def _plain(level: str) -> str:
    if level.startswith("Exact match"):
        return "The same"
    if level.endswith("is missing"):
        return "Not recorded on one or both"
    if level == "All other comparisons":
        return "Different"
    return level


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
        rows.append(("Match weight" if complete else "What you can see", 0.0, total, total))
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

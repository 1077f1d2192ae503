"""The review queue: pairs of agency records the linkage model is not sure are one person, for
MASH managers and practitioners to decide (linkage.review.rules says who; others get 404).

The queue lists tasks by number, when they were raised and the answers so far, never anyone's
details. A task's page shows the two records side by side, both through the sharing gate (the
reviewer works this pair, so the Involvement names its two records), each comparison's part in
the score as a waterfall (a server-drawn SVG, with the same figures in a table), the answers so
far, and the form. A comparison of details withheld from the reviewer is left out of the
waterfall, and so are the model's score and band (see OpenedTask.shows_score); a reviewer who
cannot see one of the records at all cannot decide.
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
from joinedup.web.routes.identities_waterfall import (
    Chart,
    Step,
    WithheldComparison,
    steps_for,
    unexplained,
)
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
    # Neither the score nor the reason (which names the band) is listed: the queue reads no
    # records through the gate, so it cannot tell which comparisons each reader may see, and
    # for one with a comparison withheld either gives its weight away (OpenedTask.shows_score).
    # The task's page shows them to a reader who sees every detail compared.
    return render(
        request,
        "pages/identities/queue.html",
        title="Records that may be the same person",
        nav_section="home",
        queue=review_queue(db, actor),
        decided=int(decided) if decided.isdigit() else None,
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
    steps: list[Step]  # the comparisons the reader may see, the prior first
    withheld_steps: list[WithheldComparison]  # the comparisons of details withheld from them

    @property
    def can_decide(self) -> bool:
        return all(record.disclosed for record in self.records)

    @property
    def shows_score(self) -> bool:
        """Whether the reader may see the model's score, its total match weight, its band and
        the task's reason: only when they see every detail the model compared.

        The match weight is the prior plus each comparison's weight, so the score (or the
        total) less the comparisons shown is what the withheld ones added; and a comparison's
        few levels weigh far apart (NHS numbers the same, different, or not recorded), so
        that part names the level: whether the other agency's number is the reader's own.
        The band is the same sum, coarser: "between the thresholds" against "high, but the
        NHS numbers differ" puts the withheld part above or below a line (a threshold less
        what is shown), and with one comparison withheld that often names its level too. The
        reason names the band (every one but a merge undone), and a safeguard's names a
        comparison's result. So none of these is shown, and only the visible comparisons'
        own total is, labelled as such. What is left is what the task's being in the
        reader's queue tells every reviewer anyway: the model, or a safeguard, left the pair
        to a person. That is enough to do the job, which is to judge the pair from the
        details they see; someone who may see every detail compared sees the score.
        """
        return not self.withheld_steps

    @property
    def reason_shown(self) -> bool:
        return self.shows_score or self.task.reason == ReviewReason.MERGE_UNDONE


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
    steps, withheld = steps_for(explanation, records) if explanation else ([], unexplained(records))
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
        # Not given to the template at all unless the reader may see them (shows_score).
        reason=ReviewReason(task.reason).label if opened.reason_shown else None,
        score=task.match_probability if opened.shows_score else None,
        # Each answer's reason is free text by a reviewer who may have seen what this reader
        # may not ("the police record has the same NHS number"), so a reader with a comparison
        # withheld sees only their own.
        answers=[
            (d, d.reason if opened.shows_score or d.actor_user_id == actor.user_id else None)
            for d in task.decisions
        ],
        status=STATUS_LABELS[ReviewStatus(task.status)],
        outcomes=_outcomes(task),
        chart=Chart.of(opened.steps, complete=opened.shows_score) if opened.steps else None,
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

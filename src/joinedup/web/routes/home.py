"""Each role's home page: the work that role has, in one place."""

from __future__ import annotations

import datetime as dt

from fastapi import Request
from fastapi.responses import Response

from joinedup import clock
from joinedup.accounts.queries import refused_sign_ins
from joinedup.directory.rules import Role
from joinedup.frontdoor.queries import contacts_of_referrer, contacts_to_rate
from joinedup.frontdoor.routing import ACCEPTED_RECENTLY, routed_for_manager
from joinedup.frontdoor.worklists import (
    accepted_recently,
    decisions_due,
    feedback_due,
    late_research,
    new_contacts_about_cases,
    research_queue,
)
from joinedup.insight.queries import adoption_by_area
from joinedup.web.deps import CurrentActor, Db, page_router
from joinedup.web.routes.agreements_oversight import break_glass_alerts
from joinedup.web.templating import render

router = page_router()
ADOPTION_WINDOW = dt.timedelta(days=30)
IG_WINDOW = dt.timedelta(days=7)


@router.get("/")
def home(request: Request, actor: CurrentActor, db: Db) -> Response:
    now = clock.now()
    adoption = adoption_by_area(db, now - ADOPTION_WINDOW) if actor.has(Role.SYSTEM_LEADER) else []
    refusals = (
        refused_sign_ins(db, actor.agency_id, now - IG_WINDOW)
        if actor.has(Role.IG_LEAD) and actor.agency_id is not None
        else []
    )
    practice = request.app.state.practice
    # Lists of contacts show references, clocks and kinds of concern: no person's details,
    # which only ever appear through the sharing gate.
    return render(
        request,
        "pages/home.html",
        title="Home",
        nav_section="home",
        actor=actor,
        adoption=adoption,
        refusals=refusals,
        break_glass=break_glass_alerts(db, actor),
        raised=contacts_of_referrer(db, actor, practice),
        to_rate=contacts_to_rate(db, actor, practice),
        routed=routed_for_manager(db, actor),
        routed_to_me=new_contacts_about_cases(db, actor, practice),
        accepted_by_me=accepted_recently(db, actor, practice),
        accepted_days=ACCEPTED_RECENTLY.days,
        decisions=decisions_due(db, actor, practice),
        feedback=feedback_due(db, actor, practice),
        late=late_research(db, actor, practice),
        research=research_queue(db, actor, practice),
        practice=practice,
    )

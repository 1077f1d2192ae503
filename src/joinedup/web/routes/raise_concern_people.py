"""Who a concern is about, and who is in their household: GOV.UK's "add another" pattern.

Each group has a list page (the people added so far, each with Change and Remove, and "do you
need to add another?"), a page for one person, and a page to confirm removing one. The two
groups are the same pages with different words; the household adds a relationship.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from joinedup.frontdoor import drafts
from joinedup.frontdoor.rules import PersonKind
from joinedup.web.deps import CurrentActor, Db, NotFound, page_router, practice_of
from joinedup.web.forms import field
from joinedup.web.routes.raise_concern_forms import (
    START,
    date_values,
    go,
    in_page_order,
    next_page,
    problems_for,
    question_page,
    read_date,
    today,
)

router = page_router()

KINDS = (
    (PersonKind.CHILD.value, "Child", "Under 18"),
    (PersonKind.ADULT.value, "Adult", "18 or over"),
    (PersonKind.UNBORN.value, "Unborn baby", None),
)
KIND_LABELS = {value: label for value, label, _ in KINDS}
_TEXT_FIELDS = (
    "given_name",
    "family_name",
    "relationship",
    "nhs_number",
    "upn",
    "address",
    "postcode",
)


@dataclass(frozen=True)
class Group:
    """One list of people in the draft, and the words its pages use."""

    key: str  # in the draft's answers
    list_path: str
    person_path: str
    back: str  # the page before the list
    list_title: str
    ask_first: str  # "do you need to add another?" when there is nobody yet
    ask_more: str
    required_first: str  # when neither yes nor no is chosen
    required_more: str
    person_title: str
    relationship: bool  # whether each person's relationship is asked

    @property
    def remove_path(self) -> str:
        return f"{self.person_path}/remove"

    @property
    def fields(self) -> tuple[str, ...]:
        """The person page's fields, in page order (the due date is revealed under the kind)."""
        relationship = ("relationship",) if self.relationship else ()
        return (
            *("kind", "due_date", "given_name", "family_name"),
            *relationship,
            *("date_of_birth", "nhs_number", "upn", "address", "postcode"),
        )


SUBJECTS = Group(
    key="subjects",
    list_path="/raise-a-concern/people",
    person_path="/raise-a-concern/person",
    back=START,
    list_title="People the concern is about",
    ask_first="Is the concern about anyone else?",
    ask_more="Is the concern about anyone else?",
    required_first="Select yes if the concern is about anyone else",
    required_more="Select yes if the concern is about anyone else",
    person_title="Who is the concern about?",
    relationship=False,
)
HOUSEHOLD = Group(
    key="household",
    list_path="/raise-a-concern/household",
    person_path="/raise-a-concern/household-member",
    back=SUBJECTS.list_path,
    list_title="Their household",
    ask_first="Does anyone live with them or care for them?",
    ask_more="Does anyone else live with them or care for them?",
    required_first="Select yes if anyone lives with them or cares for them",
    required_more="Select yes if anyone else lives with them or cares for them",
    person_title="Who lives with them or cares for them?",
    relationship=True,
)


def person_name(person: dict[str, Any]) -> str:
    name = " ".join(n for n in (person.get("given_name"), person.get("family_name")) if n)
    return name or ("Unborn baby" if person.get("kind") == PersonKind.UNBORN else "Name not known")


def _people_pages(group: Group) -> None:
    """Add one group's pages to the router."""

    @router.get(group.list_path)
    def people(request: Request, actor: CurrentActor, db: Db) -> Response:
        draft = drafts.own_draft(db, actor)
        if draft is None:
            return go(START)
        if group is SUBJECTS and not draft.answers.get(group.key):
            return go(group.person_path)  # nobody yet: ask who
        return _list_page(request, group, draft.answers, {})

    @router.post(group.list_path)
    async def add_another(request: Request, actor: CurrentActor, db: Db) -> Response:
        draft = drafts.own_draft(db, actor)
        if draft is None:
            return go(START)
        answer = field(await request.form(), "add_another")
        people = draft.answers.get(group.key, [])
        if answer not in ("yes", "no"):
            message = group.required_more if people else group.required_first
            return _list_page(request, group, draft.answers, {"add_another": message})
        if answer == "yes":
            everyone = sum(len(draft.answers.get(g.key, [])) for g in (SUBJECTS, HOUSEHOLD))
            if everyone >= drafts.MAX_PEOPLE:
                message = (
                    f"You can name up to {drafts.MAX_PEOPLE} people in one concern: "
                    "raise another concern for anyone else"
                )
                return _list_page(request, group, draft.answers, {"add_another": message})
            return go(group.person_path)
        if group.key not in draft.answers:  # "nobody" is an answer too
            draft = drafts.save_answers(db, actor, {group.key: []})
        return go(next_page(draft.answers))

    @router.get(group.person_path)
    def person(request: Request, actor: CurrentActor, db: Db, index: str | None = None) -> Response:
        draft = drafts.own_draft(db, actor)
        if draft is None:
            return go(START)
        position = _index(index)
        found = _person_at(draft.answers, group, position)
        values = {key: found.get(key) or "" for key in (*_TEXT_FIELDS, "kind")}
        values |= date_values("date_of_birth", found.get("date_of_birth"))
        values |= date_values("due_date", found.get("due_date"))
        return _person_page(request, group, draft.answers, position, values, {})

    @router.post(group.person_path)
    async def save_person(
        request: Request, actor: CurrentActor, db: Db, index: str | None = None
    ) -> Response:
        draft = drafts.own_draft(db, actor)
        if draft is None:
            return go(START)
        editing = _index(index)
        _person_at(draft.answers, group, editing)  # 404 for a person who is not there
        form = await request.form()
        values: dict[str, Any] = {key: field(form, key) for key in _TEXT_FIELDS}
        values["kind"] = field(form, "kind")
        errors: dict[str, str] = {}
        if values["kind"] not in KIND_LABELS:
            errors["kind"] = "Select whether they are a child, an adult or an unborn baby"
        born = read_date(form, "date_of_birth", "Date of birth", values, errors)
        due = read_date(form, "due_date", "Due date", values, errors)
        unborn = values["kind"] == PersonKind.UNBORN
        person = {key: values[key] or None for key in _TEXT_FIELDS}
        person.update(
            # Judged as an adult until they say which, so their other answers are checked now.
            kind=values["kind"] if values["kind"] in KIND_LABELS else PersonKind.ADULT.value,
            date_of_birth=born,
            # The due date is asked under "Unborn baby" only: a value left there is not theirs.
            due_date=due if unborn else None,
        )
        if not group.relationship:
            person.pop("relationship")
        if not unborn:
            errors.pop("due_date", None)
        people = list(draft.answers.get(group.key, []))
        position = len(people) if editing is None else editing
        people[position : position + 1] = [person]
        problems = drafts.check_answers(
            {**draft.answers, group.key: people}, practice_of(request), today()
        )
        found = problems_for(problems, f"{group.key}[{position}].", group.fields)
        errors = in_page_order({**found, **errors}, group.fields)
        if errors:
            return _person_page(request, group, draft.answers, editing, values, errors)
        drafts.save_answers(db, actor, {group.key: people})
        return go(group.list_path)

    @router.get(group.remove_path)
    def remove(request: Request, actor: CurrentActor, db: Db, index: str | None = None) -> Response:
        draft = drafts.own_draft(db, actor)
        if draft is None:
            return go(START)
        position = _required_index(index)
        found = _person_at(draft.answers, group, position)
        return _remove_page(request, group, position, person_name(found), {})

    @router.post(group.remove_path)
    async def confirm_remove(
        request: Request, actor: CurrentActor, db: Db, index: str | None = None
    ) -> Response:
        draft = drafts.own_draft(db, actor)
        if draft is None:
            return go(START)
        position = _required_index(index)
        name = person_name(_person_at(draft.answers, group, position))
        answer = field(await request.form(), "remove")
        if answer not in ("yes", "no"):
            message = f"Select yes if you want to remove {name}"
            return _remove_page(request, group, position, name, {"remove": message})
        if answer == "yes":
            people = list(draft.answers[group.key])
            del people[position]
            drafts.save_answers(db, actor, {group.key: people})
        return go(group.list_path)


def _index(text: str | None) -> int | None:
    """A person's place in their list, from the address (?index=0); None for a new person."""
    return None if text is None else _required_index(text)


def _required_index(text: str | None) -> int:
    if text is None or not text.isdigit():
        raise NotFound()
    return int(text)


def _person_at(answers: drafts.Answers, group: Group, index: int | None) -> dict[str, Any]:
    """The person at index in the group (empty for a new one); 404 if there is none there."""
    if index is None:
        return {}
    people = answers.get(group.key, [])
    if not 0 <= index < len(people):
        raise NotFound()
    person: dict[str, Any] = people[index]
    return person


def _list_page(
    request: Request, group: Group, answers: drafts.Answers, errors: dict[str, str]
) -> Response:
    people = answers.get(group.key, [])
    return question_page(
        request,
        "people.html",
        group.list_title,
        group.back,
        {},
        errors,
        group=group,
        people=[(i, person_name(p), p) for i, p in enumerate(people)],
        kind_labels=KIND_LABELS,
        question=group.ask_more if people else group.ask_first,
    )


def _person_page(
    request: Request,
    group: Group,
    answers: drafts.Answers,
    index: int | None,
    values: dict[str, Any],
    errors: dict[str, str],
) -> Response:
    # A new person goes back to the list, or to the start before anyone is added.
    back = group.list_path if answers.get(group.key) or group is HOUSEHOLD else START
    action = group.person_path + ("" if index is None else f"?index={index}")
    return question_page(
        request,
        "person.html",
        group.person_title,
        back,
        values,
        errors,
        group=group,
        action=action,
        kinds=KINDS,
    )


def _remove_page(
    request: Request, group: Group, index: int, name: str, errors: dict[str, str]
) -> Response:
    return question_page(
        request,
        "remove_person.html",
        f"Are you sure you want to remove {name}?",
        group.list_path,
        {},
        errors,
        action=f"{group.remove_path}?index={index}",
        name=name,
    )


for _group in (SUBJECTS, HOUSEHOLD):
    _people_pages(_group)

"""The JSON API for contacts: partner systems raise concerns and follow them up.

Errors come back in plain words, one per field, in the same shape whether the JSON was the
wrong shape (caught by FastAPI) or said something impossible (caught by the front door).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from joinedup.frontdoor import queries, services
from joinedup.frontdoor.practice import Practice, current_practice
from joinedup.frontdoor.rules import Channel, FieldProblem, FrontDoorError, InvalidContact
from joinedup.frontdoor.schemas import ContactForReferrer, ContactIn, FieldProblemOut, ProblemsOut
from joinedup.web import intake_batches
from joinedup.web.api import ApiActor
from joinedup.web.deps import Db

_NOT_ACCEPTED = "The contact was not accepted: put right each problem listed and send it again"


class _PlainWordsRoute(APIRoute):
    """A route whose request-shape errors are answered as ProblemsOut, in plain words."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as error:
                return _problems([_plain(problem) for problem in error.errors()])

        return handle


router = APIRouter(prefix="/v1/contacts", tags=["contacts"], route_class=_PlainWordsRoute)


async def practice() -> Practice:
    """The practice in force (a dependency, so tests can put another in its place)."""
    return current_practice()


_IDEMPOTENCY_KEY_HELP = (
    "Any unique string up to 100 characters (a UUID is ideal). Send the same key when you "
    "retry: if the hub already has a contact from you with this key, it answers 200 with that "
    "contact and creates nothing."
)


@router.post(
    "",
    status_code=201,
    response_model=ContactForReferrer,
    responses={
        200: {"model": ContactForReferrer, "description": "A retry: the contact made before"},
        401: {"description": "No valid API token"},
        422: {"model": ProblemsOut, "description": "Not accepted: each field's problem"},
    },
    summary="Raise a contact",
)
async def raise_contact(
    contact: ContactIn,
    actor: ApiActor,
    request: Request,
    response: Response,
    practice: Annotated[Practice, Depends(practice)],
    idempotency_key: Annotated[
        str | None, Header(alias="Idempotency-Key", description=_IDEMPOTENCY_KEY_HELP)
    ] = None,
) -> Any:
    """Raise a concern about one or more people, as the professional the token belongs to.

    The answer carries the contact's reference at once; quote it to the MASH, and use it to
    follow the contact up with `GET /v1/contacts/{reference}`.
    """
    try:
        intake = services.check_intake(actor, contact, practice, idempotency_key, Channel.API)
        view, created = await intake_batches.take_in(request.app.state, intake, practice)
    except InvalidContact as error:
        return _problems(error.problems)
    except FrontDoorError as error:
        field = "Idempotency-Key" if error.field == "idempotency_key" else error.field
        return _problems([FieldProblem(field, str(error))])
    if not created:
        response.status_code = 200
    response.headers["Location"] = f"/api/v1/contacts/{view.reference}"
    return view


@router.get(
    "/{reference}",
    response_model=ContactForReferrer,
    responses={404: {"description": "No such contact, or not one you may see"}},
    summary="Follow up a contact",
)
def contact_status(
    reference: str,
    actor: ApiActor,
    db: Db,
    practice: Annotated[Practice, Depends(practice)],
) -> Any:
    """Where your contact has got to, and its outcome once the MASH has decided.

    Only its referrer (and the MASH's managers) may see a contact; anyone else is told it
    does not exist. The partners' research is never shown here.
    """
    contact = queries.contact_for(db, actor, reference)
    if contact is None:
        raise HTTPException(
            status_code=404,
            detail=f"There is no contact {reference} that you can see: check the reference",
        )
    return queries.referrer_view(contact, practice)


def _problems(problems: Sequence[FieldProblem]) -> JSONResponse:
    errors = [FieldProblemOut(field=p.field, message=p.message) for p in problems]
    body = ProblemsOut(detail=_NOT_ACCEPTED, errors=errors)
    return JSONResponse(status_code=422, content=body.model_dump())


# Pydantic's words for a wrong shape, put plainly; anything else keeps pydantic's message.
def _plain(error: dict[str, Any]) -> FieldProblem:
    kind, context = error["type"], error.get("ctx") or {}
    if kind == "json_invalid":  # its location is a character position, not a field
        return FieldProblem("body", f"Send the contact as JSON: {context.get('error', '')}")
    where = [part for part in error["loc"] if part not in ("body",)]
    field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in where).lstrip(".")
    name = field or "body"
    if not where and error["loc"][:1] == ("body",):
        return FieldProblem("body", "Send the contact as a JSON object in the request body")
    messages = {
        "missing": f"Enter {name}: it is required",
        "enum": f"{name} must be one of {context.get('expected', '')}",
        "literal_error": f"{name} must be one of {context.get('expected', '')}",
        "string_type": f"{name} must be text, in quotes",
        "list_type": f"{name} must be a list, in square brackets",
        "model_type": f"{name} must be an object, in curly brackets",
        "model_attributes_type": f"{name} must be an object, in curly brackets",
        "string_too_long": f"{name} must be {context.get('max_length')} characters or fewer",
        "too_long": f"{name} must have at most {context.get('max_length')} entries",
        "extra_forbidden": f"{name} is not something a contact can hold: check its spelling",
    }
    if kind.startswith("date_"):
        return FieldProblem(name, f"{name} must be a real date written YYYY-MM-DD, like 2015-03-27")
    return FieldProblem(name, messages.get(kind, f"{name}: {error['msg']}"))

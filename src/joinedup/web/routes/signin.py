"""Signing in and out."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response

from joinedup.accounts import services as accounts
from joinedup.web.deps import SESSION_COOKIE, Db, PageContext, page_context, page_router
from joinedup.web.forms import error_summary, field
from joinedup.web.templating import render

router = page_router()
Page = Annotated[PageContext, Depends(page_context)]


def _safe_next(target: str) -> str:
    """Only ever redirect within the hub, never to another site (`//evil`, `https://...`)."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/sign-in")
def sign_in_page(
    request: Request,
    page: Page,
    next: str = "/",
    expired: bool = False,
    ended: str = "",
    signed_out: bool = False,
) -> Response:
    if page.actor is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    notice = ""
    if expired:
        notice = "You were signed out because you had not used joinedup for a while."
    elif ended == "limit":
        hours = request.app.state.settings.session_absolute_hours
        notice = f"You were signed out because you had been signed in for {hours} hours."
    elif signed_out:
        notice = "You have signed out."
    return render(
        request,
        "pages/sign_in.html",
        title="Sign in",
        next_url=_safe_next(next),
        email="",
        errors={},
        notice=notice,
    )


@router.post("/sign-in")
async def sign_in(request: Request, db: Db, page: Page) -> Response:
    form = await request.form()
    email, password, next_url = field(form, "email"), form.get("password"), field(form, "next")
    password = password if isinstance(password, str) else ""
    errors = {}
    if not email:
        errors["email"] = "Enter your email address"
    if not password:
        errors["password"] = "Enter your password"
    if not errors:
        try:
            signed_in = accounts.sign_in(
                db,
                request.app.state.session_policy,
                email,
                password,
                request.client.host if request.client else "",
            )
        except accounts.AccountError as error:
            errors["email"] = str(error)
        else:
            response = RedirectResponse(_safe_next(next_url), status_code=303)
            response.set_cookie(
                SESSION_COOKIE,
                signed_in.cookie_token,
                httponly=True,
                samesite="lax",
                secure=request.app.state.settings.secure_cookies,
            )
            return response
    return render(
        request,
        "pages/sign_in.html",
        status_code=400,
        title="Sign in",
        next_url=next_url,
        email=email,
        errors=errors,
        error_summary=error_summary(errors),
        notice="",
    )


@router.post("/sign-out")
def sign_out(request: Request, db: Db) -> Response:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        accounts.sign_out(db, cookie)
    response = RedirectResponse("/sign-in?signed_out=1", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response

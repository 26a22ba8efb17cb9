"""Signing in and out: by password (local accounts) or by a one-time link from the admin bot.

The link's token never stays in a URL a page or a log could show: GET
/signin/link?t=... only looks the token up (a link preview or a prefetch
must not use it), moves it into a short-lived HttpOnly cookie scoped to
/signin/link and redirects to the bare /signin/link, which asks "Continue as
...?"; that button's POST uses the link, once. The console's request log
writes paths only, never query strings.

A Telegram user signs in with their account's role when an account has their
Telegram id (a disabled one is refused), else with web.telegram_role, and
only while they are still in admin.allowed_users.
"""

from __future__ import annotations

import asyncio
import logging
import math

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ..said import Said
from . import csrf
from .auth import SESSION_COOKIE, check_password, start_session
from .kit import (
    console_of,
    local_path,
    refuse,
    render,
    set_cookie,
    who,
)
from .tokens import LINK_PATH, digest

log = logging.getLogger("outreach.web")
LINK_COOKIE = "outreach_link"


def _client(request: Request) -> str:
    return "addr:" + (request.client.host if request.client else "unknown")


def _signin_page(request: Request) -> Response:
    next_ = local_path(request.query_params.get("next"))
    if who(request) is not None:
        return RedirectResponse(next_, status_code=303)
    expired = request.cookies.get(SESSION_COOKIE) is not None
    return render(
        request,
        "signin.html",
        next=next_,
        expired=expired,
        signed_out=request.query_params.get("out") == "1",
    )


async def signin_page(request: Request) -> Response:
    return await asyncio.to_thread(_signin_page, request)


def _begin(request: Request, name: str, role: str, how: str) -> str:
    """A new session for `name` (never the one the browser brought), then on to `next`."""
    con = console_of(request)
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        con.ledger.accounts.end_session(digest(old))
    sid, person = start_session(con.ledger, name, role, con.config.web.session_hours)
    con.ledger.audit.record(by=person.actor, action="signin", detail=how)
    log.info("web:%s signed in (%s)", name, how)
    return sid


def _respond_signed_in(request: Request, sid: str, to: str) -> Response:
    con = console_of(request)
    response = RedirectResponse(local_path(to), status_code=303)
    set_cookie(con, response, SESSION_COOKIE, sid, max_age=int(con.config.web.session_hours * 3600))
    response.delete_cookie(LINK_COOKIE, path=LINK_PATH)
    return response


async def signin(request: Request) -> Response:
    form = await csrf_form(request)
    if form is None:
        return await asyncio.to_thread(refuse, request, 403, "err.csrf")
    return await asyncio.to_thread(_signin, request, form)


def _signin(request: Request, form: dict[str, str]) -> Response:
    con = console_of(request)
    name = form.get("name", "").strip()[:64]
    password = form.get("password", "")[:1000]
    next_ = local_path(form.get("next"))
    keys = (f"name:{name.casefold()}",)
    wait = max(
        (w for w in (con.names.wait(*keys), con.addresses.wait(_client(request))) if w),
        default=None,
    )
    if wait is not None:
        minutes = max(1, math.ceil(wait.total_seconds() / 60))
        log.warning("sign-in refused: too many failures (%s)", _client(request))
        return render(
            request, "signin.html", status=429, next=next_, name=name,
            error="signin.throttled", minutes=minutes,
        )  # fmt: skip
    user = con.ledger.accounts.user(name) if name else None
    ok = check_password(user.password_hash if user else None, password)
    if not ok or user is None or user.disabled:
        con.names.failed(*keys)
        con.addresses.failed(_client(request))
        log.warning("a failed sign-in by password (%s)", _client(request))
        return render(
            request, "signin.html", status=401, next=next_, name=name, error="signin.failed"
        )
    con.names.forget(*keys)
    sid = _begin(request, user.name, user.role, Said("audit.signin_password"))
    return _respond_signed_in(request, sid, next_)


async def csrf_form(request: Request) -> dict[str, str] | None:
    """A sign-in form: same origin, and the token repeats the CSRF cookie (or, for someone
    signed in already, e.g. as another user, is their session's)."""
    if not csrf.same_origin(request.headers, request.headers.get("host", "")):
        return None
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    given = fields.get(csrf.FIELD)
    if csrf.valid(request.cookies.get(csrf.COOKIE), given):
        return fields
    person = await asyncio.to_thread(who, request)
    return fields if person is not None and csrf.valid(person.csrf, given) else None


def _link_page(request: Request) -> Response:
    con = console_of(request)
    token = request.query_params.get("t")
    if token is not None:
        # look, move the token out of the URL, come back without it
        if con.addresses.wait(_client(request)) is None and con.ledger.accounts.peek_link(
            digest(token[:100])
        ):
            response = RedirectResponse(LINK_PATH, status_code=303)
            # only this page ever receives the cookie
            set_cookie(con, response, LINK_COOKIE, token[:100], path=LINK_PATH, max_age=3600)
            return response
        con.addresses.failed(_client(request))
        return render(request, "signin_link.html", status=410, link=None)
    held = request.cookies.get(LINK_COOKIE)
    link = con.ledger.accounts.peek_link(digest(held)) if held else None
    return render(request, "signin_link.html", status=200 if link else 410, link=link)


async def link_page(request: Request) -> Response:
    return await asyncio.to_thread(_link_page, request)


async def use_link(request: Request) -> Response:
    form = await csrf_form(request)
    if form is None:
        return await asyncio.to_thread(refuse, request, 403, "err.csrf")
    return await asyncio.to_thread(_use_link, request)


def _use_link(request: Request) -> Response:
    con = console_of(request)
    held = request.cookies.get(LINK_COOKIE)
    if con.addresses.wait(_client(request)) is not None or not held:
        return render(request, "signin_link.html", status=410, link=None)
    link = con.ledger.accounts.use_link(digest(held[:100]))
    if link is None:
        con.addresses.failed(_client(request))
        return render(request, "signin_link.html", status=410, link=None)
    account = con.ledger.accounts.by_telegram(link.telegram_id)
    if account is not None and account.disabled:
        log.warning("a sign-in link of a disabled account (Telegram id %s)", link.telegram_id)
        return render(request, "signin_link.html", status=410, link=None)
    if account is None and link.telegram_id not in con.config.admin.allowed_users:
        log.warning("a sign-in link of someone no longer allowed (%s)", link.telegram_id)
        return render(request, "signin_link.html", status=410, link=None)
    if account is not None:
        name, role = account.name, account.role
    else:
        name, role = link.name, con.config.web.telegram_role
    sid = _begin(request, name, role, Said("audit.signin_link", id=link.telegram_id))
    return _respond_signed_in(request, sid, "/queue")


async def signout(request: Request) -> Response:
    person = await asyncio.to_thread(who, request)
    if person is not None:
        form = await request.form()
        if not csrf.valid(person.csrf, str(form.get(csrf.FIELD) or "")):
            return await asyncio.to_thread(refuse, request, 403, "err.csrf")
        await asyncio.to_thread(
            console_of(request).ledger.accounts.end_session, person.session_hash
        )
    response = RedirectResponse("/signin?out=1", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


routes = [
    Route("/signin", signin_page, methods=["GET"]),
    Route("/signin", signin, methods=["POST"]),
    Route(LINK_PATH, link_page, methods=["GET"]),
    Route(LINK_PATH, use_link, methods=["POST"]),
    Route("/signout", signout, methods=["POST"]),
]

"""What every page and form of the console uses: the request's person, words and answers.

    @page("viewer")                       # GET: signed in with at least this role
    def queue(request, who): return render(request, "queue.html", rows=...)

    @action("organiser")                  # POST: same origin, signed in, role, CSRF token
    def cancel(request, who, form): ...; return done(request, "/queue", "done.cancel", id=3)

Handlers are plain functions, run in a worker thread (the ledger is synchronous);
the wrappers do the checks first, on the event loop.

A refused request changes nothing: signed out -> 303 to /signin (GET keeps where
it was going; POST is never replayed), under-privileged -> 403, a missing or
wrong CSRF token or a foreign Origin -> 403. An OutreachError from the
application (a delivery no longer cancellable...) -> 409 with its words.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..errors import OutreachError
from . import csrf, i18n
from .auth import (
    FAILURES_PER_ADDRESS,
    FAILURES_PER_NAME,
    SESSION_COOKIE,
    Throttle,
    Visitor,
    visitor,
)
from .roles import Role

if TYPE_CHECKING:
    from starlette.templating import Jinja2Templates

    from ..config import Config
    from ..ledger import Ledger

log = logging.getLogger("outreach.web")
NOTE_COOKIE = "outreach_note"
MAX_QUERY = 2048
"""Bytes of a page's query string: filters and paging need far fewer; more is refused (414)."""


class Application(Protocol):
    """What the console needs of outreach.app.App (the same object the CLI and bot use)."""

    @property
    def config(self) -> Config: ...
    @property
    def ledger(self) -> Ledger: ...
    def check_channels(self) -> list[Any]: ...


@dataclass
class Console:
    """Kept in app.state.console: one per running console."""

    application: Application
    templates: Jinja2Templates
    secure_cookies: bool = True
    names: Throttle = field(init=False)
    """Failed sign-ins per account name."""
    addresses: Throttle = field(init=False)
    """Failed sign-ins (passwords and links) per client address."""
    checks: list[Any] | None = None
    """The last credential checks run from the status page (they take seconds)."""
    checked_at: dt.datetime | None = None

    def __post_init__(self) -> None:
        self.names = Throttle(self.ledger, FAILURES_PER_NAME, "name")
        self.addresses = Throttle(self.ledger, FAILURES_PER_ADDRESS, "address")

    @property
    def config(self) -> Config:
        return self.application.config

    @property
    def ledger(self) -> Ledger:
        return self.application.ledger


def console_of(request: Request) -> Console:
    console: Console = request.app.state.console
    return console


def who(request: Request) -> Visitor | None:
    if "visitor" not in request.scope:
        request.scope["visitor"] = visitor(
            console_of(request).ledger, request.cookies.get(SESSION_COOKIE)
        )
    person: Visitor | None = request.scope["visitor"]
    return person


def language(request: Request) -> str:
    cfg = console_of(request).config
    return i18n.choose(
        request.query_params.get("lang"),
        request.cookies.get(i18n.COOKIE),
        request.headers.get("accept-language"),
        cfg.campaign.default_language,
    )


def local_path(value: str | None, default: str = "/queue") -> str:
    """`value` when it is a path on this site, else `default`: no open redirect."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return default
    if len(value) > MAX_QUERY:
        return default
    if any(c in value for c in "\r\n\t\\") or any(ord(c) < 32 for c in value):
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return default
    return value


def set_cookie(
    console: Console, response: Response, name: str, value: str, path: str = "/", **kw: Any
) -> None:
    response.set_cookie(
        name, value, httponly=True, samesite="lax", secure=console.secure_cookies, path=path, **kw
    )


def render(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    con = console_of(request)
    lang = language(request)
    t = i18n.Words(lang)
    person = who(request)
    token, fresh = (person.csrf, False) if person else csrf.anonymous_token(request.cookies)
    note = _note(request)
    tz = con.config.campaign.tz
    pauses = con.ledger.pauses() if person else []
    ctx = {
        "t": t,
        "lang": lang,
        "langs": i18n.language_links(request.url.path, lang),
        "who": person,
        "csrf_field": csrf.FIELD,
        "csrf_token": token,
        "note": note,
        "tz": con.config.campaign.timezone,
        "when": lambda m: i18n.when(m, lang, tz),
        "iso": lambda m: i18n.iso_local(m, tz),
        "pauses": pauses,
        "path": request.url.path,
        "here": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        **context,
    }
    response = con.templates.TemplateResponse(request, template, ctx, status_code=status)
    if fresh:
        set_cookie(con, response, csrf.COOKIE, token, max_age=24 * 3600)
    if note is not None:
        response.delete_cookie(NOTE_COOKIE, path="/")
    if request.query_params.get("lang") in i18n.LANGS:
        set_cookie(con, response, i18n.COOKIE, lang, max_age=365 * 24 * 3600)
    return response


def _note(request: Request) -> str | None:
    """The message of the action just done (a cookie set by `done`, read once)."""
    raw = request.cookies.get(NOTE_COOKIE)
    if not raw:
        return None
    try:
        data = json.loads(raw)
        key, values = str(data["k"]), dict(data["v"])
    except (ValueError, KeyError, TypeError):
        return None
    t = i18n.Words(language(request))
    if not key.startswith("done.") or not t.has(key):
        return None
    shown = {k: str(v) for k, v in values.items()}
    if t.has(f"state.{shown.get('state')}"):
        shown["state"] = t(f"state.{shown['state']}")
    try:
        return t(key, **shown)
    except (KeyError, IndexError):
        return None


def done(request: Request, to: str, key: str, **values: Any) -> Response:
    """After an action: 303 back to a page that says what was done (Post/Redirect/Get)."""
    response = RedirectResponse(local_path(to), status_code=303)
    note = json.dumps({"k": key, "v": values}, separators=(",", ":"))
    set_cookie(console_of(request), response, NOTE_COOKIE, note, max_age=60)
    return response


def refuse(request: Request, status: int, key: str, **values: Any) -> Response:
    t = i18n.Words(language(request))
    return render(request, "error.html", status=status, message=t(key, **values))


def to_signin(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    next_ = local_path(target) if request.method == "GET" else "/queue"
    return RedirectResponse("/signin?" + urlencode({"next": next_}), status_code=303)


Handler = Callable[..., Response]


def page(role: Role) -> Callable[[Handler], Callable[[Request], Awaitable[Response]]]:
    """A GET page for people signed in with at least `role`."""

    def wrap(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        @functools.wraps(handler)
        async def endpoint(request: Request) -> Response:
            if len(request.scope.get("query_string", b"")) > MAX_QUERY:
                return await asyncio.to_thread(refuse, request, 414, "err.too_long", n=MAX_QUERY)
            person = await asyncio.to_thread(who, request)
            if person is None:
                return to_signin(request)
            if not person.may(role):
                return await asyncio.to_thread(
                    refuse, request, 403, "err.forbidden", role=person.role
                )
            return await asyncio.to_thread(handler, request, person)

        endpoint.needs = role  # type: ignore[attr-defined]
        return endpoint

    return wrap


async def checked_form(request: Request, expected: str | None) -> Mapping[str, str] | None:
    """The form when it came from this console with the right token; else None."""
    if not csrf.same_origin(request.headers, request.headers.get("host", "")):
        return None
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    return fields if csrf.valid(expected, fields.get(csrf.FIELD)) else None


def action(role: Role) -> Callable[[Handler], Callable[[Request], Awaitable[Response]]]:
    """A POST that changes something, for people signed in with at least `role`."""

    def wrap(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        @functools.wraps(handler)
        async def endpoint(request: Request) -> Response:
            person = await asyncio.to_thread(who, request)
            if person is None:
                return to_signin(request)
            form = await checked_form(request, person.csrf)
            if form is None:
                log.warning("refused a form without a valid token from web:%s", person.name)
                return await asyncio.to_thread(refuse, request, 403, "err.csrf")
            if not person.may(role):
                log.warning("refused %s to web:%s (%s)", request.url.path, person.name, person.role)
                return await asyncio.to_thread(
                    refuse, request, 403, "err.forbidden", role=person.role
                )
            return await asyncio.to_thread(_run, handler, request, person, form)

        endpoint.needs = role  # type: ignore[attr-defined]
        endpoint.changes = True  # type: ignore[attr-defined]
        return endpoint

    return wrap


def _run(handler: Handler, request: Request, person: Visitor, form: Mapping[str, str]) -> Response:
    try:
        return handler(request, person, form)
    except OutreachError as exc:
        return refuse(request, 409, "err.action", detail=str(exc))


def int_param(value: str | None, default: int = 0, lo: int = 0, hi: int = 10**9) -> int:
    try:
        return max(lo, min(hi, int(value or default)))
    except ValueError:
        return default


def quoted(value: str, n: int = 40) -> str:
    """Someone's input, cut short, to name it in a message (the page escapes it)."""
    return value if len(value) <= n else value[: n - 1] + "…"


def page_number(value: str | None, hi: int = 100_000) -> tuple[int, Message | None]:
    """(?page= as a page number from 1, a message when it was not one: shown in place)."""
    if value is None or value == "":
        return 1, None
    n = int(value) if value.isdecimal() and len(value) <= 9 else 0
    if 1 <= n <= hi:
        return n, None
    return 1, Message("err.bad_page", {"value": quoted(value), "n": 1})


@dataclass(frozen=True)
class Message:
    """Something to tell the reader in place, in their language: `t(m.key, **m.values)`."""

    key: str
    values: Mapping[str, Any] = field(default_factory=dict)

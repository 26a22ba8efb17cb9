"""The console as an ASGI app: create_app(application) -> Starlette, served by uvicorn.

`application` is the object the CLI and the admin bot start from
(outreach.app.App): its config, ledger and clock are the console's, so the
console has nothing of its own to build. The app adds, on every response,
headers that keep the pages first-party and private (a CSP allowing only
this origin, no referrer, no caching of pages, no framing), and logs each
request as method, path and status: never a query string, so a sign-in
link's token cannot reach a log.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import calendar, changes, composer, history, pause, queue, shown, signin, status, users
from .kit import Application, Console, refuse
from .reasons import said, worded

HERE = Path(__file__).parent
log = logging.getLogger("outreach.web")

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    # same-origin, not no-referrer: with no-referrer browsers send "Origin: null" on our own
    # forms, and the Origin check needs the real one; other sites still get no referrer
    (b"referrer-policy", b"same-origin"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


class Guard:
    """Security headers on every response, and a request log without query strings."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", [])) + HEADERS
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
                log.info("%s %s %s", scope["method"], scope["path"], message["status"])
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def home(request: Request) -> Response:
    return RedirectResponse("/queue", status_code=303)


async def not_found(request: Request, exc: Exception) -> Response:
    import asyncio

    code = exc.status_code if isinstance(exc, HTTPException) else 404
    if code == 405:
        return Response("Method not allowed", status_code=405)
    return await asyncio.to_thread(refuse, request, 404, "err.notfound")


def templates() -> Jinja2Templates:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=shown.shown,  # every {{ value }}: no control characters, no bidi overrides
    )
    env.filters["link"] = shown.web_link
    env.filters["typed"] = shown.typed  # a form field's value back exactly as typed
    env.filters["reason"] = worded
    env.filters["said"] = said
    return Jinja2Templates(env=env)


def create_app(application: Application, *, secure_cookies: bool = True) -> Starlette:
    """The console over `application` (outreach.app.App or anything with its config and ledger).

    `secure_cookies=False` only for plain-http development and tests on 127.0.0.1
    (`outreach web --insecure-cookies`): behind the reverse proxy's TLS, keep it on.
    """
    routes: list[Any] = [
        Route("/", home, methods=["GET"]),
        *signin.routes,
        *queue.routes,
        *calendar.routes,
        *composer.routes,
        *history.routes,
        *changes.routes,
        *status.routes,
        *pause.routes,
        *users.routes,
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={404: not_found, 405: not_found})
    app.state.console = Console(application, templates(), secure_cookies=secure_cookies)
    app.add_middleware(Guard)
    return app

"""The console's accounts, for admins: add, change a role, remove.

Passwords are set here or with `outreach web add-user` (read from a prompt,
never an argument), hashed with Argon2; a changed role or a removal ends the
user's sessions at once. An admin cannot demote or remove themself, so a
console always keeps someone who can manage it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..errors import StoreError
from .auth import Visitor, hash_password
from .kit import action, console_of, done, page, render
from .roles import ROLES

NAME = re.compile(r"[\w.@-]{1,64}")


def valid_name(name: str) -> str:
    if not NAME.fullmatch(name):
        raise StoreError(
            "a user name is 1 to 64 letters, digits, '.', '@', '_' or '-', without spaces"
        )
    return name


def valid_role(role: str) -> str:
    if role not in ROLES:
        raise StoreError(f"the role must be one of {', '.join(ROLES)}")
    return role


@page("admin")
def users(request: Request, who: Visitor) -> Response:
    con = console_of(request)
    return render(
        request,
        "users.html",
        users=con.ledger.accounts.users(),
        roles=ROLES,
        telegram_role=con.config.web.telegram_role,
    )


@action("admin")
def add(request: Request, who: Visitor, form: Mapping[str, str]) -> Response:
    name = valid_name(form.get("name", "").strip())
    role = valid_role(form.get("role", ""))
    password = form.get("password", "")
    tg = form.get("telegram", "").strip()
    if tg and not tg.isdigit():
        raise StoreError(
            "a Telegram user id is a number (the admin bot's /help shows none; ask @userinfobot)"
        )
    con = console_of(request)
    con.ledger.accounts.add_user(
        name,
        role,
        password_hash=hash_password(password) if password else None,
        telegram_id=int(tg) if tg else None,
    )
    con.ledger.audit.record(by=who.actor, action="user-add", target=f"user:{name}", detail=role)
    return done(request, "/users", "done.user_added", name=name)


def _other(request: Request, who: Visitor) -> str:
    name = str(request.path_params["name"])
    if name == who.name:
        raise StoreError("you cannot change or remove your own account; ask another admin")
    return name


@action("admin")
def change_role(request: Request, who: Visitor, form: Mapping[str, str]) -> Response:
    name = _other(request, who)
    role = valid_role(form.get("role", ""))
    con = console_of(request)
    con.ledger.accounts.update_user(name, role=role)
    con.ledger.audit.record(by=who.actor, action="user-role", target=f"user:{name}", detail=role)
    return done(request, "/users", "done.user_changed", name=name)


@action("admin")
def remove(request: Request, who: Visitor, form: Mapping[str, str]) -> Response:
    name = _other(request, who)
    con = console_of(request)
    if not con.ledger.accounts.remove_user(name):
        raise StoreError(f"there is no user {name!r}")
    con.ledger.audit.record(by=who.actor, action="user-remove", target=f"user:{name}")
    return done(request, "/users", "done.user_removed", name=name)


routes = [
    Route("/users", users, methods=["GET"]),
    Route("/users", add, methods=["POST"]),
    Route("/users/{name}/role", change_role, methods=["POST"]),
    Route("/users/{name}/remove", remove, methods=["POST"]),
]

"""`outreach web`: the organisers' web console; `outreach web add-user`: a local account."""

from __future__ import annotations

import sys

import click

from ..app import App
from ..errors import ConfigError
from .common import pass_app
from .pause_cmds import actor

ROLES = ("viewer", "organiser", "admin")


@click.group(invoke_without_command=True)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--insecure-cookies",
    is_flag=True,
    help="Send the sign-in cookie over plain http too: only for trying it out on this "
    "machine. Behind the reverse proxy's https, leave this off.",
)
@click.pass_context
def web(ctx: click.Context, host: str, port: int, insecure_cookies: bool) -> None:
    """Run the organisers' web console (queue, history, status, pause, users).

    It listens on 127.0.0.1 by default; put the organisation's reverse proxy
    with TLS in front of it and set web.base_url in the campaign file to the
    address organisers use. Organisers sign in with a one-time link from the
    admin bot (/web) or with a local account (outreach web add-user). Cookies
    are Secure, so a browser sends them only over https; --insecure-cookies is
    for trying the console over plain http on this machine.

    \b
    Example:
      outreach web add-user anna --role admin
      outreach web --port 8080
    """
    if ctx.invoked_subcommand is not None:
        return
    app: App = ctx.obj
    import logging

    import uvicorn

    from ..logsetup import setup_logging
    from ..web.app import create_app

    setup_logging(None, logging.INFO)  # the format --log-format chose
    app.ledger  # noqa: B018 - open the store now: a wrong store.url fails before listening
    asgi = create_app(app, secure_cookies=not insecure_cookies)
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"note: listening on {host}, not only on this machine", err=True)
    click.echo(
        f"web console on http://{host}:{port}/ (sign-in links point to {app.config.web.base_url}); "
        "Ctrl-C stops it",
        err=True,
    )
    # access_log off: its lines carry query strings, and a sign-in link's token is one
    uvicorn.run(asgi, host=host, port=port, access_log=False, server_header=False, log_config=None)


@web.command("add-user")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True, help="What they may do.")
@click.option(
    "--telegram", "telegram_id", type=int, help="Their Telegram user id (for /web links)."
)
@click.option(
    "--no-password",
    is_flag=True,
    help="No password: they sign in only by a link from the admin bot (needs --telegram).",
)
@pass_app
def add_user(app: App, name: str, role: str, telegram_id: int | None, no_password: bool) -> None:
    """Add a local account to the web console; the password is asked for, never an argument.

    The password is read from the terminal (twice), or from the first line of
    standard input when that is not a terminal. It is stored as an Argon2 hash.

    \b
    Example:
      outreach web add-user anna --role admin
      printf '%s\\n' "$PASSWORD" | outreach web add-user boris --role viewer
    """
    from ..web.auth import MIN_PASSWORD, hash_password
    from ..web.users import valid_name

    valid_name(name)
    hashed = None
    if no_password:
        if telegram_id is None:
            raise ConfigError("--no-password needs --telegram: they would have no way in")
    else:
        if sys.stdin.isatty():
            password = click.prompt(
                f"Password for {name} (at least {MIN_PASSWORD} characters)",
                hide_input=True,
                confirmation_prompt=True,
            )
        else:
            password = sys.stdin.readline().rstrip("\r\n")
        hashed = hash_password(password)
    app.ledger.accounts.add_user(name, role, password_hash=hashed, telegram_id=telegram_id)
    app.ledger.audit.record(by=actor(app), action="user-add", target=f"user:{name}", detail=role)
    click.echo(f"Added {name} ({role}) to the web console.")

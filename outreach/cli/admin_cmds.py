"""`outreach adminbot`: the organisers' Telegram bot, by long polling."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import click

from ..errors import ConfigError
from .common import AppContext, pass_app

if TYPE_CHECKING:
    from ..config import Config


def admin_token(config: Config, environ: dict[str, str]) -> str:
    from ..config import resolve_secret

    admin = config.admin
    secret = resolve_secret(admin.token_env, admin.token_file, environ, config.base_dir)
    if secret is None or not secret.get_secret_value():
        where = (
            f"${admin.token_env}" if admin.token_env else None,
            f"the file {admin.token_file}" if admin.token_file else None,
        )
        named = " or ".join(w for w in where if w)
        raise ConfigError(
            f"{config.source}: admin: the bot has no token: "
            + (f"set {named}" if named else "set admin.token_env (or admin.token_file)")
            + " to the token @BotFather gave you"
        )
    if not admin.allowed_users:
        raise ConfigError(
            f"{config.source}: admin.allowed_users is empty, so nobody could use the bot: "
            "list the organisers' numeric Telegram user ids"
        )
    return secret.get_secret_value()


def _checker(app: AppContext) -> Any:
    def check() -> list[Any]:
        from ..publishers import publishers_for

        return [p.check() for p in publishers_for(app.config, app.environ).values()]

    return check


@click.command()
@click.option(
    "--no-alerts",
    is_flag=True,
    help="Send no alerts from this process (when `outreach run` sends them).",
)
@pass_app
def adminbot(app: AppContext, no_alerts: bool) -> None:
    """Run the organisers' Telegram bot until Ctrl-C.

    Organisers listed in admin.allowed_users write to the bot in a private
    chat: /queue, /history, /preview ales, /schedule tomorrow 10:00 reminder
    ales, /cancel, /retry, /resolve, /pause, /resume, /status (/help lists
    them). Anyone else is politely refused. Failures are sent to
    admin.alert_chat, once per problem. Needs the store `outreach run` uses.

    \b
    Example:
      export OUTREACH_ADMIN_TOKEN=123456:AA...   # admin.token_env in the campaign YAML
      outreach adminbot
    """
    from ..admin_console import Console
    from ..adminbot import Rounds, build_application
    from ..alerts import TelegramAlertSender
    from ..ledger import open_ledger
    from ..redact import install_for_config

    cfg = app.config
    token = admin_token(cfg, app.environ)
    install_for_config(cfg, app.environ)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per poll otherwise
    ledger = open_ledger(cfg.store.url)
    checker = _checker(app)
    sender = None
    if cfg.admin.alert_chat is not None:
        sender = TelegramAlertSender(token, cfg.admin.alert_chat, cfg.admin.api_base_url)
    rounds = Rounds(cfg, ledger, sender, checker, alerts_every=None if no_alerts else 60.0)
    console = Console(cfg, ledger, ledger.now, checker=checker)
    application = build_application(cfg, console, token, rounds=rounds)
    chat = (
        cfg.admin.alert_chat
        if cfg.admin.alert_chat is not None
        else "nowhere (admin.alert_chat unset)"
    )
    click.echo(
        f"admin bot: {len(cfg.admin.allowed_users)} organiser(s); alerts to "
        f"{'this process sends none' if no_alerts else chat}; Ctrl-C stops it",
        err=True,
    )
    try:
        application.run_polling(allowed_updates=["message", "edited_message", "callback_query"])
    except Exception as exc:
        from telegram.error import InvalidToken, TelegramError

        if isinstance(exc, InvalidToken):
            raise ConfigError(
                "Telegram rejected the admin bot's token: copy it again from @BotFather"
            ) from None
        if isinstance(exc, TelegramError):
            detail = f"{type(exc).__name__}: {exc}".replace(token, "[REDACTED]")
            raise ConfigError(f"the admin bot stopped: {detail}") from None
        raise
    finally:
        ledger.close()

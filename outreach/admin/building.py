"""The organisers' Telegram bot, built from the application's parts: `outreach adminbot`.

The bot needs a token and someone allowed to use it; without either it is not
built, and the error says what to set. Its rounds (alerts to admin.alert_chat,
the channels' checks) and its console (what each command does) get the
application's config, ledger and clock; the console gets the application too,
for corrections and takedowns.

Only `outreach adminbot` (and tests) import this with python-telegram-bot;
`token_text` is imported by `run` (outreach.service_rounds), so this module
imports nothing heavy at its top.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from telegram.ext import Application

    from ..app import App
    from ..config import Config

__all__ = ["admin_bot", "admin_token", "token_text"]


def token_text(secret: Any) -> str:
    """A secret's text; '' when there is none (an unreadable file raises, naming it)."""
    return secret.get_secret_value() if secret is not None else ""


def admin_token(config: Config) -> str:
    """The admin bot's token; a ConfigError saying what to set when there is none."""
    from ..errors import ConfigError

    admin = config.admin
    token = token_text(admin.token)
    if not token:
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
    return token


def admin_bot(app: App, *, alerts: bool = True, polling: bool = True) -> Application:
    """The organisers' Telegram bot, ready to run_polling().

    polling=False: to be fed updates (tests); no polling or alert jobs. The channels'
    checks are the application's check_channels, asked when the bot checks.
    """
    from .alerts import TelegramAlertSender
    from .bot import Rounds, build_application
    from .console import Console

    cfg = app.config
    token = admin_token(cfg)
    sender = None
    if cfg.admin.alert_chat is not None:
        sender = TelegramAlertSender(token, cfg.admin.alert_chat, cfg.admin.api_base_url)
    rounds = Rounds(
        cfg,
        app.ledger,
        sender,
        app.check_channels,
        clock=app.clock.now,
        alerts_every=60.0 if alerts else None,
    )
    console = Console(cfg, app.ledger, app.clock.now, checker=app.check_channels, app=app)
    return build_application(cfg, console, token, polling=polling, rounds=rounds)

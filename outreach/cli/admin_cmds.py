"""`outreach adminbot`: the organisers' Telegram bot, by long polling."""

from __future__ import annotations

import logging

import click

from ..errors import ConfigError
from .common import App, pass_app


@click.command()
@click.option(
    "--no-alerts",
    is_flag=True,
    help="Send no alerts from this process (when `outreach run` sends them).",
)
@pass_app
def adminbot(app: App, no_alerts: bool) -> None:
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
    cfg = app.config
    application = app.admin_bot(alerts=not no_alerts)
    token = app.admin_token()
    from ..logsetup import setup_logging

    setup_logging(None, logging.INFO)  # the format --log-format chose
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per poll otherwise
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

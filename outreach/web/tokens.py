"""Secret values of the web console: session ids, CSRF tokens, sign-in links.

Only their sha256 is stored (outreach.ledger's accounts), so a copy of the
store signs no one in. No Starlette here: the admin bot makes links too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..config import Config
    from ..ledger import Ledger

LINK_PATH = "/signin/link"


def new_token() -> str:
    """256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def make_signin_link(config: Config, ledger: Ledger, telegram_id: int, name: str) -> str:
    """A one-time link for an allow-listed Telegram user; only its hash is stored.

    The token is also masked in every log record from now on: the bot's client
    logs a message's text at DEBUG, and the link travels in one.
    """
    from ..redact import Redactor, install_log_redaction

    token = new_token()
    install_log_redaction(Redactor([token]))
    expires = ledger.now() + dt.timedelta(minutes=config.web.link_minutes)
    ledger.accounts.add_link(digest(token), telegram_id, name, expires)
    return f"{config.web.base_url}{LINK_PATH}?t={token}"

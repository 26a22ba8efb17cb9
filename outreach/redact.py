"""Keep tokens out of logs, errors and output.

python-telegram-bot puts the bot token in every request URL, and httpx logs
those URLs at INFO ("HTTP Request: POST https://api.telegram.org/bot<token>/...");
PTB logs its base URL at DEBUG. `install_log_redaction` wraps the logging record
factory, so every record of every logger is cleaned before any handler (ours,
pytest's, a library's) sees it, tracebacks included.

URLs in log records lose their user info and their query values
(`https://[REDACTED]@host/feed?key=[REDACTED]`): a private feed's key or a
store's password travels there, and the URL is logged with -v by httpx. A feed
the campaign file marks `public: true` is logged as it is.
"""

from __future__ import annotations

import logging
import re
import threading
import traceback
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .config import AdminConfig, ChannelBase, Config

MASK = "[REDACTED]"
_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s'\"<>`]+", re.I)
_QUERY_VALUE = re.compile(r"([?&;][^=&;#]*=)[^&;#]*")
_MIN_SECRET = 6
"""Shorter values are too likely to match ordinary text to be masked safely."""


class Redactor:
    """Masks known secrets in text; secrets can be added as they are resolved."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        self._lock = threading.Lock()
        self._public: frozenset[str] = frozenset()
        self.add(*secrets)

    def add_public(self, *urls: str) -> None:
        """URLs logged as they are (feeds the campaign marks public)."""
        with self._lock:
            self._public = self._public | {u for u in urls if u}

    def mask_urls(self, text: str) -> str:
        """`text` with every URL's user info and query values masked, public URLs aside."""
        if "://" not in text:
            return text
        return _URL.sub(lambda m: self._mask_url(m.group(0)), text)

    def _mask_url(self, url: str) -> str:
        if url in self._public:
            return url
        scheme, rest = url.split("://", 1)
        authority, sep, tail = rest.partition("/") if "/" in rest else (rest, "", "")
        if "?" in authority:  # https://host?key=...
            authority, q, more = authority.partition("?")
            sep, tail = "", q + more
        if "@" in authority:
            authority = f"{MASK}@{authority.rsplit('@', 1)[1]}"
        tail = _QUERY_VALUE.sub(lambda m: m.group(1) + MASK, tail)
        return f"{scheme}://{authority}{sep}{tail}"

    def add(self, *secrets: str | None) -> None:
        with self._lock:
            for s in secrets:
                if s and len(s) >= _MIN_SECRET:
                    self._secrets.add(s)
                    # A bot token's secret half alone is a secret too (some logs split at ':').
                    if ":" in s and len(s.split(":", 1)[1]) >= _MIN_SECRET:
                        self._secrets.add(s.split(":", 1)[1])
            if self._secrets:
                longest_first = sorted(self._secrets, key=len, reverse=True)
                self._pattern = re.compile("|".join(re.escape(s) for s in longest_first))

    def __call__(self, text: str) -> str:
        pattern = self._pattern
        return pattern.sub(MASK, text) if pattern is not None and text else text


_installed: Redactor | None = None


def install_log_redaction(redactor: Redactor) -> Redactor:
    """Mask the redactor's secrets in every log record from now on (idempotent per process)."""
    global _installed
    if _installed is not None:
        _installed.add(*redactor._secrets)
        _installed.add_public(*redactor._public)
        return _installed
    _installed = redactor
    previous = logging.getLogRecordFactory()

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: let logging report it as usual
            return record

        def clean(text: str) -> str:
            return redactor.mask_urls(redactor(text))

        masked = clean(message)
        if masked != message:  # records without a secret are left exactly as they were
            record.msg, record.args = masked, None
        if record.exc_info and record.exc_info[0] is not None:
            text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
            if clean(text) != text:
                record.exc_text = clean(text)  # formatters use this instead of exc_info
        if record.stack_info:
            record.stack_info = clean(record.stack_info)
        return record

    logging.setLogRecordFactory(factory)
    return redactor


def config_secrets(config: Config) -> list[str]:
    """Every token the config resolved (channels and the admin bot), and the store's password."""
    from .errors import ConfigError

    out = []
    holders: list[ChannelBase | AdminConfig] = [*config.channels, config.admin]
    for holder in holders:
        try:
            value = holder.token.get_secret_value() if holder.token is not None else ""
        except ConfigError:  # an unreadable file: reported where the token is used
            continue
        if value:
            out.append(value)
    return out + _store_passwords(config.store.url)


def _store_passwords(url: str) -> list[str]:
    """The store URL's password (user:pw@host or libpq's ?password=), for drivers' messages."""
    from urllib.parse import parse_qs, unquote, urlsplit

    try:
        parts = urlsplit(url)
        found = [unquote(parts.password)] if parts.password else []
    except ValueError:  # a URL that cannot be split: mask its credentials part whole
        found = [url.split("://", 1)[-1].rsplit("@", 1)[0]] if "@" in url else []
        parts = None
    if parts is not None:
        found += parse_qs(parts.query).get("password", [])
    return found


def install_for_config(config: Config) -> Redactor:
    """Mask the config's secrets in every log record; the application does this on loading it."""
    redactor = Redactor(config_secrets(config))
    redactor.add_public(*(f.url for f in config.feeds if f.public and f.url))
    return install_log_redaction(redactor)

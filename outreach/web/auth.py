"""Who is asking: sessions, passwords, sign-in throttling.

- A session is a random id in an HttpOnly, SameSite=Lax cookie (Secure unless
  the console runs with --insecure-cookies for plain-http development); the
  ledger keeps its sha256, the user, the role and the session's CSRF token.
  Signing in always makes a new id and ends the one the browser brought
  (no session fixation); signing out deletes it. Sessions end after
  web.session_hours, and when an admin changes or removes the user.
- Passwords are hashed with Argon2id (argon2-cffi's defaults); a name that
  has no account is checked against a dummy hash, so timing does not tell
  which names exist.
- Sign-in attempts are throttled per name and per client address: after
  FAILURES_PER_NAME failures for one name, or FAILURES_PER_ADDRESS from one
  address (behind a proxy, uvicorn takes it from X-Forwarded-For), within
  WINDOW, that name or address is refused until the window has passed; a
  wrong or used sign-in link counts against its address. The counts live in the
  store (by hash), so several console processes behind one proxy share them and
  a restart keeps them.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .roles import Role, allows
from .tokens import digest, new_token

if TYPE_CHECKING:
    from ..ledger import Ledger

SESSION_COOKIE = "outreach_session"
FAILURES_PER_NAME = 5
FAILURES_PER_ADDRESS = 20
WINDOW = dt.timedelta(minutes=15)
MIN_PASSWORD = 10


@dataclass(frozen=True)
class Visitor:
    """The signed-in person of a request."""

    name: str
    role: str
    csrf: str
    session_hash: str

    def may(self, needed: Role) -> bool:
        return allows(self.role, needed)

    @property
    def actor(self) -> str:
        """How the audit trail names them."""
        return f"web:{self.name}"


def _hasher():  # argon2 is imported by the console only
    from argon2 import PasswordHasher

    return PasswordHasher()


_DUMMY: str | None = None


def hash_password(password: str) -> str:
    from ..errors import ConfigError

    if len(password) < MIN_PASSWORD:
        raise ConfigError(f"a password needs at least {MIN_PASSWORD} characters")
    return _hasher().hash(password)


def check_password(stored: str | None, password: str) -> bool:
    """True when `password` matches; as slow for a missing account as for a wrong password."""
    from argon2.exceptions import InvalidHashError, VerificationError

    global _DUMMY
    if stored is None:
        if _DUMMY is None:
            _DUMMY = _hasher().hash(secrets.token_hex(16))
        stored, password = _DUMMY, password + "\0never"
    try:
        return _hasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


class Throttle:
    """Failed sign-ins per key (a name, an address) within WINDOW; `allowed` per key.

    Kept in the store (ledger.accounts), by the sha256 of kind and key, so every
    console process behind one proxy counts the same failures, and a restart
    forgives nothing.
    """

    def __init__(self, ledger: Ledger, allowed: int, kind: str) -> None:
        self.ledger = ledger
        self.allowed = allowed
        self.kind = kind

    def _hashes(self, keys: tuple[str, ...]) -> list[str]:
        return [digest(f"{self.kind}\0{k}") for k in keys]

    def wait(self, *keys: str) -> dt.timedelta | None:
        """How long these keys are refused for; None when they may try."""
        now = self.ledger.now()
        found = self.ledger.accounts.failures(self._hashes(keys), now - WINDOW)
        worst = None
        for times in found.values():
            if len(times) >= self.allowed:
                # refused until enough of them are older than WINDOW to leave one try
                left = times[len(times) - self.allowed] + WINDOW - now
                worst = left if worst is None else max(worst, left)
        return worst

    def failed(self, *keys: str) -> None:
        self.ledger.accounts.fail(self._hashes(keys), keep=WINDOW)

    def forget(self, *keys: str) -> None:
        self.ledger.accounts.forget_failures(self._hashes(keys))


def start_session(ledger: Ledger, name: str, role: str, hours: float) -> tuple[str, Visitor]:
    """A new session: (the cookie's value, who it is). Only its hash is stored."""
    sid, csrf = new_token(), new_token()
    expires = ledger.now() + dt.timedelta(hours=hours)
    ledger.accounts.start_session(digest(sid), name, role, csrf, expires)
    return sid, Visitor(name, role, csrf, digest(sid))


def visitor(ledger: Ledger, cookie: str | None) -> Visitor | None:
    """Who this session cookie belongs to; None when it is missing, unknown or expired."""
    if not cookie or len(cookie) > 100:
        return None
    s = ledger.accounts.session(digest(cookie))
    if s is None:
        return None
    return Visitor(s.user, s.role, s.csrf, s.id_hash)

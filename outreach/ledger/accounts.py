"""The web console's accounts: users, sessions and one-time sign-in links.

The ledger stores only what cannot be used if the store leaks: a session's
and a link's sha256 (the cookie and the link hold the value), and a
password's Argon2 hash (made by outreach/web/auth.py, never here)::

    ledger.accounts.add_user(name, role, password_hash=, telegram_id=) -> WebUser
    ledger.accounts.user(name) / by_telegram(id) / users()
    ledger.accounts.update_user(name, role=, password_hash=, disabled=)
    ledger.accounts.remove_user(name)                       # and their sessions
    ledger.accounts.start_session(id_hash, user, role, csrf, expires_at)
    ledger.accounts.session(id_hash) -> WebSession | None   # None once expired
    ledger.accounts.end_session(id_hash); end_sessions_of(user)
    ledger.accounts.add_link(token_hash, telegram_id, name, expires_at)
    ledger.accounts.peek_link(token_hash) -> SignInLink | None   # looks, does not use
    ledger.accounts.use_link(token_hash) -> SignInLink | None   # once: one UPDATE decides
    ledger.accounts.fail(key_hashes, keep=window)           # a failed sign-in, for throttling
    ledger.accounts.failures(key_hashes, since) -> {hash: [times, oldest first]}
    ledger.accounts.forget_failures(key_hashes)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..errors import StoreError
from .schema import WEB_FAILURES, WEB_LINKS, WEB_SESSIONS, WEB_USERS
from .values import Clock, SignInLink, WebSession, WebUser


def _user(r: Any) -> WebUser:
    return WebUser(r.name, r.role, r.password_hash, r.telegram_id, r.created_at, bool(r.disabled))


class AccountStore:
    """The web_users, web_sessions and web_links tables on the ledger's engine and clock."""

    def __init__(self, engine: Engine, now: Clock) -> None:
        self.engine = engine
        self.now = now

    # -- users -------------------------------------------------------------------------

    def add_user(
        self,
        name: str,
        role: str,
        *,
        password_hash: str | None = None,
        telegram_id: int | None = None,
    ) -> WebUser:
        row = dict(
            name=name, role=role, password_hash=password_hash, telegram_id=telegram_id,
            created_at=self.now(), disabled=False,
        )  # fmt: skip
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(WEB_USERS).values(**row))
        except IntegrityError:
            raise StoreError(
                f"there is a user {name!r} already"
                + (f", or one with Telegram id {telegram_id}" if telegram_id else "")
            ) from None
        user = self.user(name)
        assert user is not None
        return user

    def user(self, name: str) -> WebUser | None:
        with self.engine.connect() as conn:
            r = conn.execute(select(WEB_USERS).where(WEB_USERS.c.name == name)).first()
        return _user(r) if r else None

    def by_telegram(self, telegram_id: int) -> WebUser | None:
        with self.engine.connect() as conn:
            r = conn.execute(
                select(WEB_USERS).where(WEB_USERS.c.telegram_id == telegram_id)
            ).first()
        return _user(r) if r else None

    def users(self) -> list[WebUser]:
        with self.engine.connect() as conn:
            return [_user(r) for r in conn.execute(select(WEB_USERS).order_by(WEB_USERS.c.name))]

    def update_user(self, name: str, **values: Any) -> WebUser:
        """Change role=, password_hash= or disabled=; a role change or disabling ends their sessions."""
        allowed = {"role", "password_hash", "disabled"}
        assert set(values) <= allowed, values
        with self.engine.begin() as conn:
            n = conn.execute(
                update(WEB_USERS).where(WEB_USERS.c.name == name).values(**values)
            ).rowcount
            if n and ({"role", "disabled", "password_hash"} & set(values)):
                conn.execute(delete(WEB_SESSIONS).where(WEB_SESSIONS.c.user == name))
        if not n:
            raise StoreError(f"there is no user {name!r}")
        user = self.user(name)
        assert user is not None
        return user

    def remove_user(self, name: str) -> bool:
        with self.engine.begin() as conn:
            conn.execute(delete(WEB_SESSIONS).where(WEB_SESSIONS.c.user == name))
            return bool(conn.execute(delete(WEB_USERS).where(WEB_USERS.c.name == name)).rowcount)

    # -- sessions ----------------------------------------------------------------------

    def start_session(
        self, id_hash: str, user: str, role: str, csrf: str, expires_at: dt.datetime
    ) -> None:
        now = self.now()
        with self.engine.begin() as conn:
            # an expired session is of no use to anyone: clear them as we go
            conn.execute(delete(WEB_SESSIONS).where(WEB_SESSIONS.c.expires_at <= now))
            conn.execute(
                insert(WEB_SESSIONS).values(
                    id_hash=id_hash,
                    user=user,
                    role=role,
                    csrf=csrf,
                    created_at=now,
                    expires_at=expires_at,
                )
            )

    def session(self, id_hash: str) -> WebSession | None:
        with self.engine.connect() as conn:
            r = conn.execute(
                select(WEB_SESSIONS).where(
                    WEB_SESSIONS.c.id_hash == id_hash, WEB_SESSIONS.c.expires_at > self.now()
                )
            ).first()
        if r is None:
            return None
        return WebSession(r.id_hash, r.user, r.role, r.csrf, r.created_at, r.expires_at)

    def end_session(self, id_hash: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(WEB_SESSIONS).where(WEB_SESSIONS.c.id_hash == id_hash))

    def end_sessions_of(self, user: str) -> int:
        with self.engine.begin() as conn:
            return int(
                conn.execute(delete(WEB_SESSIONS).where(WEB_SESSIONS.c.user == user)).rowcount
            )

    # -- one-time sign-in links --------------------------------------------------------

    def add_link(
        self, token_hash: str, telegram_id: int, name: str, expires_at: dt.datetime
    ) -> None:
        now = self.now()
        with self.engine.begin() as conn:
            conn.execute(delete(WEB_LINKS).where(WEB_LINKS.c.expires_at <= now))
            conn.execute(
                insert(WEB_LINKS).values(
                    token_hash=token_hash,
                    telegram_id=telegram_id,
                    name=name[:200],
                    created_at=now,
                    expires_at=expires_at,
                    used_at=None,
                )
            )

    def _usable(self) -> Any:
        return (WEB_LINKS.c.used_at.is_(None)) & (WEB_LINKS.c.expires_at > self.now())

    def peek_link(self, token_hash: str) -> SignInLink | None:
        """The link's owner while it is usable, without using it."""
        with self.engine.connect() as conn:
            q = select(WEB_LINKS).where(WEB_LINKS.c.token_hash == token_hash, self._usable())
            r = conn.execute(q).first()
        return SignInLink(r.telegram_id, r.name, r.created_at, r.expires_at) if r else None

    def use_link(self, token_hash: str) -> SignInLink | None:
        """The link's owner, once: a second use, or a use after it expired, gets None."""
        with self.engine.begin() as conn:
            used = conn.execute(
                update(WEB_LINKS)
                .where(WEB_LINKS.c.token_hash == token_hash, self._usable())
                .values(used_at=self.now())
            ).rowcount
            if not used:
                return None
            r = conn.execute(select(WEB_LINKS).where(WEB_LINKS.c.token_hash == token_hash)).one()
        return SignInLink(r.telegram_id, r.name, r.created_at, r.expires_at)

    # -- failed sign-ins (throttling: one count for every console process) -------------

    def fail(self, key_hashes: Collection[str], keep: dt.timedelta) -> None:
        """A failed sign-in against each key, now; failures older than `keep` are dropped."""
        now = self.now()
        with self.engine.begin() as conn:
            conn.execute(delete(WEB_FAILURES).where(WEB_FAILURES.c.at <= now - keep))
            if key_hashes:
                conn.execute(insert(WEB_FAILURES), [{"key_hash": k, "at": now} for k in key_hashes])

    def failures(
        self, key_hashes: Collection[str], since: dt.datetime
    ) -> dict[str, list[dt.datetime]]:
        """The failures against each key after `since`, oldest first."""
        q = (
            select(WEB_FAILURES.c.key_hash, WEB_FAILURES.c.at)
            .where(WEB_FAILURES.c.key_hash.in_(list(key_hashes)), WEB_FAILURES.c.at > since)
            .order_by(WEB_FAILURES.c.at)
        )
        out: dict[str, list[dt.datetime]] = {k: [] for k in key_hashes}
        with self.engine.connect() as conn:
            for key, at in conn.execute(q):
                out[key].append(at)
        return out

    def forget_failures(self, key_hashes: Collection[str]) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(WEB_FAILURES).where(WEB_FAILURES.c.key_hash.in_(list(key_hashes))))

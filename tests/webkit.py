"""The web console served for real: uvicorn on 127.0.0.1 in a thread, over the real App.

`Site` builds the bundled campaign in a folder (its own SQLite store, a
hand-driven clock), three accounts (anna admin, olga organiser, vera
viewer), and serves `create_app(app)` on a socket bound first, so sign-in
links (web.base_url) name the real port. `Visitor` is a browser without a
browser: an httpx client with its own cookie jar that reads each form's
CSRF token from the page, as a browser would.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import socket
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from fakes import ManualClock
from servicekit import campaign

from outreach.app import App
from outreach.ledger import Delivery
from outreach.post import Post
from outreach.web.app import create_app
from outreach.web.auth import hash_password

PASSWORD = "correct horse battery"
ANNA_TG, BORIS_TG, STRANGER_TG = 111, 222, 999
USERS = {"anna": "admin", "olga": "organiser", "vera": "viewer"}
TOKEN_RE = re.compile(r'name="csrf" value="([^"]+)"')


@functools.cache
def password_hash() -> str:
    """PASSWORD's Argon2id hash, made once, at argon2's lowest cost: every sign-in verifies it,
    and verify runs at the cost written in the hash (the defaults, 64 MiB and 3 passes, take
    0.2 s a sign-in here, hundreds of sign-ins in the web tests). The product's own hashing,
    at its own cost, is what `outreach web add-user` tests (tests/test_cli_pause_web.py)."""
    from argon2 import PasswordHasher

    assert hash_password(PASSWORD)  # the product accepts it as a password
    return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)


class Site:
    def __init__(
        self, folder: Path, *, secure_cookies: bool = False, app: App | None = None, **sections: Any
    ) -> None:
        """`app`: serve this application (live channels, its own clock) instead of the bundled
        campaign on a hand-driven clock."""
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        sections.setdefault("web", {"base_url": self.url})
        sections.setdefault("admin", {"allowed_users": [ANNA_TG, BORIS_TG]})
        sections.setdefault("store", {"url": f"sqlite:///{folder / 'ledger.sqlite3'}"})
        if app is None:
            self.config = campaign(folder, **sections)
            self.clock = ManualClock()  # Sunday 1 March 2026, 09:00 UTC = 12:00 in Minsk
            app = App(config=self.config, clock=self.clock)  # type: ignore[arg-type]
        else:
            self.config, self.clock = app.config, app.clock  # type: ignore[assignment]
        self.app = app
        self.ledger = self.app.ledger
        for name, role in USERS.items():
            if self.ledger.accounts.user(name) is None:  # a second console on one store
                self.ledger.accounts.add_user(name, role, password_hash=password_hash())
        self.asgi = create_app(self.app, secure_cookies=secure_cookies)
        import uvicorn

        config = uvicorn.Config(
            self.asgi, log_level="warning", access_log=False, lifespan="off", log_config=None
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the console did not start")
            time.sleep(0.01)

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()
        self.app.close()

    def visitor(self) -> Visitor:
        return Visitor(self.url)

    def signed_in(self, name: str) -> Visitor:
        v = self.visitor()
        v.signin(name)
        return v

    def queue(self, n: int = 1, channel: str = "telegram-be", state: str = "pending") -> int:
        """A delivery in the queue, as the service would have queued it; its id."""
        network = "mastodon" if channel.startswith("mastodon") else "telegram"
        text = f"Post {n} about Ales" if network == "mastodon" else f"<b>Post {n}</b> about Ales"
        post = Post(channel, network, text, "be", about=f"news:item-{n}")  # type: ignore[arg-type]
        ident = self.ledger.enqueue(post, dedupe_key=f"news:item-{n}").id
        if state != "pending":
            self.force(ident, state)
        return ident

    def force(self, ident: int, state: str) -> None:
        """Move a row as the delivery loop would have (claim, then finish)."""
        claim = self.ledger.claim(ident, dt.timedelta(seconds=30))
        assert claim is not None
        if state == "sent":
            self.ledger.finish_sent(claim, "42", "https://mastodon.example.org/@ales/42")
        elif state == "failed":
            self.ledger.finish_failed(claim, "403 Forbidden: the token lacks write:statuses")
        elif state == "unknown":
            self.ledger.finish_unknown(claim, "the connection broke while sending")
        assert self.ledger.get(ident).state == state, self.ledger.get(ident).state

    def get(self, ident: int) -> Delivery:
        return self.ledger.get(ident)


class Visitor:
    def __init__(self, url: str) -> None:
        self.url = url
        self.http = httpx.Client(base_url=url, follow_redirects=False, timeout=10)
        self.token: str | None = None

    def get(self, path: str, **kw: Any) -> httpx.Response:
        r = self.http.get(path, **kw)
        m = TOKEN_RE.search(r.text)
        if m:
            self.token = m.group(1)
        return r

    def post(
        self, path: str, data: dict[str, str] | None = None, *, csrf: bool = True, **kw: Any
    ) -> httpx.Response:
        fields = dict(data or {})
        if csrf and self.token is not None:
            fields.setdefault("csrf", self.token)
        return self.http.post(path, data=fields, **kw)

    def signin(self, name: str, password: str = PASSWORD, next_: str = "/queue") -> httpx.Response:
        self.get("/signin")
        r = self.post("/signin", {"name": name, "password": password, "next": next_})
        if r.status_code == 303:
            self.get(r.headers["location"])  # the session's own token from now on
        return r

    def close(self) -> None:
        self.http.close()

"""Several `outreach run` on one store: what this instance may do, kept alive by a beat.

PostgreSQL (`Shared`): any number of instances, on any machines. A keeper
thread beats every `renew` seconds (real seconds, measured by the database):
it renews this instance's membership and its leases (outreach/ledger/leases.py),
takes free channels up to its fair share (the channels divided among the live
instances, rounded up), hands one back when it holds more than its share, and
takes the `queueing` lease when no one holds it, so announcements and feeds
are planned and polled by one instance per turn. A dead instance stops
beating; its leases run out `ttl` seconds after its last beat and the others
take its channels at their next beat: a takeover in at most ttl + renew
seconds. The new holder recovers what the dead one left in `sending` at once,
by the network's rule (ledger.recover(orphaned=True)).

Sending stops before a lease can pass on. A beat that fails (the database
gone, the network cut) renews nothing; this instance then counts its leases
as lost `margin` seconds before they can expire, measured from the moment it
sent its last successful beat (which the database stamped later, so its own
expiry is later still). Each claim is also fenced in the database: it moves
a row to `sending` only while this instance holds the channel's lease now.
When the database returns, the keeper rejoins and takes a share again.

SQLite (`Solo`): one instance. `outreach run` takes an exclusive lock on a
file beside the store (`<store>.run.lock`, with its pid); a second is refused
naming that pid. The lock goes with the process, even after SIGKILL.
"""

from __future__ import annotations

import fcntl
import logging
import math
import os
import random
import socket
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import IO, Protocol

from . import __version__
from .errors import StoreError
from .ledger import CHANNEL, QUEUEING, Holder, Ledger, Member

log = logging.getLogger("outreach.instances")

TTL = 10.0
"""Seconds a lease lasts without a beat: a dead instance's channels wait this long."""
RENEW = 2.0
"""Seconds between beats: well inside TTL, so one or two slow beats lose nothing."""
MARGIN = 0.2
"""The part of a lease (2 s of 10) before its expiry at which an instance that could not
renew stops using it."""


class Membership(Protocol):
    """What the delivery loop and the service ask before they act."""

    def holds(self, name: str) -> bool: ...
    def fence(self, name: str) -> tuple[str, str] | None: ...
    def busy(self, name: str) -> threading.Lock: ...
    def start(self) -> None: ...
    def stop(self) -> None: ...


class Solo:
    """The only instance on its store: it holds everything (SQLite, `run --once`, tests).

    `lock`: `outreach run` on an SQLite file takes it on start (a second is refused).
    """

    def __init__(self, lock: SqliteLock | None = None) -> None:
        self.lock = lock
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def holds(self, name: str) -> bool:
        return True

    def fence(self, name: str) -> tuple[str, str] | None:
        return None

    def busy(self, name: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(name, threading.Lock())

    def start(self) -> None:
        if self.lock is not None:
            self.lock.acquire()

    def stop(self) -> None:
        if self.lock is not None:
            self.lock.release()


class SqliteLock:
    """`outreach run` on an SQLite store: refused while another holds `<store>.run.lock`."""

    def __init__(self, database: str) -> None:
        self.path = Path(database + ".run.lock")
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        f = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            f.seek(0)
            pid = f.read().strip() or "unknown"
            f.close()
            raise StoreError(
                f"another `outreach run` (pid {pid}) is using the SQLite store beside "
                f"{self.path}; SQLite takes one instance: stop that one first, or put the "
                "store on PostgreSQL (store.url) to run several"
            ) from None
        f.seek(0)
        f.truncate()
        f.write(f"{os.getpid()}\n")
        f.flush()
        self._file = f

    def holder(self) -> int | None:
        """The pid of the `outreach run` holding the store now, or None."""
        try:
            f = self.path.open("r", encoding="utf-8")
        except FileNotFoundError:
            return None
        with f:
            try:
                fcntl.flock(f, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except OSError:
                text = f.read().strip()
                return int(text) if text.isdigit() else -1
            return None  # no one holds it (closing drops our shared lock)

    def release(self) -> None:
        if self._file is not None:
            self._file.close()  # closing drops the lock
            self._file = None


class Shared:
    """One of several instances on a PostgreSQL store (see the module's docstring)."""

    def __init__(
        self,
        ledger: Ledger,
        channels: list[str],
        *,
        real_monotonic: Callable[[], float],
        ttl: float = TTL,
        renew: float = RENEW,
        margin: float | None = None,
        on_acquired: Callable[[str], None] | None = None,
        on_lost: Callable[[str], None] | None = None,
        on_held: Callable[[str], None] | None = None,
        rng: random.Random | None = None,
        visiting: bool = False,
    ) -> None:
        """`visiting`: `run --once`, `deliver`, `retry` or a takedown beside the instances
        (Visitor): it takes only channels no live instance holds, all of them, and
        holds them until it stops; it is no instance (no share, no queueing)."""
        margin = MARGIN * ttl if margin is None else margin
        if not 3 * renew < ttl - margin:
            raise ValueError(
                "a lease must be renewed well inside its expiry (3 x renew < ttl - margin)"
            )
        self.leases = ledger.leases
        self.who = Holder(uuid.uuid4().hex[:12], socket.gethostname(), os.getpid(), __version__)
        self.channels = [CHANNEL + ch for ch in channels]
        self.ttl, self.renew, self.margin = ttl, renew, margin
        self.mono = real_monotonic
        self.on_acquired = on_acquired
        self.on_lost = on_lost
        self.on_held = on_held
        self.rng = rng or random.Random()
        self.visiting = visiting
        self._held: set[str] = set()
        self._valid_until = -math.inf
        self._lock = threading.Lock()
        self._busy: dict[str, threading.Lock] = {n: threading.Lock() for n in self.channels}
        self._busy[QUEUEING] = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._connected = True

    @property
    def owner(self) -> str:
        return self.who.owner

    @property
    def process(self) -> str:
        """This instance's heartbeat (health.py), which its beats keep as its membership."""
        return self.who.process

    # -- what the delivery loop and the service ask --------------------------------

    def holds(self, name: str) -> bool:
        with self._lock:
            return name in self._held and self.mono() < self._valid_until

    def fence(self, name: str) -> tuple[str, str] | None:
        return (name, self.who.owner)

    def busy(self, name: str) -> threading.Lock:
        """Held while acting under `name` (a claim and its send, or a run of them, `holds` asked
        between two): a release waits for it."""
        return self._busy[name]

    def held(self) -> set[str]:
        with self._lock:
            return set(self._held) if self.mono() < self._valid_until else set()

    # -- the keeper ------------------------------------------------------------------

    def start(self) -> None:
        self.tick()
        self._thread = threading.Thread(target=self._keep, name="instance-keeper", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Hand everything back at once, so the others need not wait for the leases to run out."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        with self._lock:
            self._held.clear()
        try:
            self.leases.leave(self.who)
        except Exception:
            log.warning("could not hand back the leases; they run out in %.0f s", self.ttl)

    def _keep(self) -> None:
        while not self._stop.wait(self.renew):
            self.tick()

    def tick(self) -> None:
        """One beat: renew, take a share, give back an excess."""
        started = self.mono()
        try:
            with self._lock:
                mine = set(self._held)
            kept, alive = self.leases.beat(
                self.who, mine, self.ttl, 3 * self.renew, member=not self.visiting
            )
        except Exception as exc:
            self._disconnected(exc)
            return
        if not self._connected:
            log.warning(
                "instance %s: the store is back; taking a share of the channels again", self.owner
            )
            self._connected = True
        with self._lock:
            lost = self._held - kept
            self._held = kept
            self._valid_until = started + self.ttl - self.margin
        for name in sorted(lost):
            log.warning("instance %s: lost %s (its lease ran out)", self.owner, name)
            if self.on_lost:
                self.on_lost(name)
        try:
            self._balance(kept, alive)
        except Exception as exc:
            self._disconnected(exc)

    def _disconnected(self, exc: Exception) -> None:
        if self._connected:
            left = max(0.0, self._valid_until - self.mono())
            log.error(
                "instance %s: the store cannot be reached (%s); sending stops within %.0f s "
                "and resumes when it is back",
                self.owner, type(exc).__name__, left,
            )  # fmt: skip
        self._connected = False

    def _balance(self, kept: set[str], alive: int) -> None:
        if self.visiting:  # what no one holds, and nothing more
            for name in self.leases.free([n for n in self.channels if n not in kept]):
                self._take(name)
            return
        share = math.ceil(len(self.channels) / max(1, alive))
        mine = [n for n in self.channels if n in kept]
        if len(mine) > share:
            self._give_back(self.rng.choice(mine))
        elif len(mine) < share:
            wanted = [n for n in self.leases.free(self.channels) if n not in kept]
            self.rng.shuffle(wanted)
            for name in wanted[: share - len(mine)]:
                self._take(name)
        if QUEUEING not in kept and self.leases.free([QUEUEING]):
            self._take(QUEUEING)

    def _take(self, name: str) -> None:
        started = self.mono()
        if not self.leases.acquire(self.who, name, self.ttl):
            return  # another instance was quicker
        log.info("instance %s: now holds %s", self.owner, name)
        if self.on_acquired:
            try:
                # e.g. recover what a dead holder left in `sending`, before the first claim
                self.on_acquired(name)
            except Exception:
                log.exception(
                    "instance %s: taking over %s failed; handing it back", self.owner, name
                )
                self.leases.release(self.who, [name])
                return
        with self._lock:
            if not self._held:  # else the earlier beat's bound stands, the tighter one
                self._valid_until = max(self._valid_until, started + self.ttl - self.margin)
            self._held.add(name)
        if self.on_held:
            # e.g. wake the channel's delivery thread: woken by on_acquired, before the name
            # was held, it found `holds` false and slept until its next poll (5 s)
            try:
                self.on_held(name)
            except Exception:
                log.exception("instance %s: after taking %s", self.owner, name)

    def _give_back(self, name: str) -> None:
        """More than our share (a newcomer joined): stop using `name`, then release it.

        `holds` says no before the wait for `busy`: the delivery loop keeps the lock across
        a run of posts, asking `holds` between two, so it stops at its next post; waiting
        for the lock first would hold this beat (every other lease's renewal) until the
        channel's queue ran dry or the leases ran out."""
        with self._lock:
            self._held.discard(name)
        with self.busy(name):  # the post in flight on it, if any, is finished first
            self.leases.release(self.who, [name])
        log.info("instance %s: handed %s to the others", self.owner, name)


def describe(
    members: list[Member], sqlite_holder: int | None = None, shared: bool = True
) -> list[str]:
    """Lines for `outreach instances` and the admin bot's /status."""
    if not shared:
        if sqlite_holder is None:
            return ["  no `outreach run` holds this SQLite store"]
        pid = "" if sqlite_holder < 0 else f" (pid {sqlite_holder})"
        return [f"  one `outreach run`{pid} holds this SQLite store (SQLite takes one)"]
    if not members:
        return ["  no live instance: is `outreach run` running?"]
    out = []
    for m in members:
        holds = ", ".join(m.holds) or "nothing (standing by)"
        out.append(
            f"  {m.owner} on {m.host} (pid {m.pid}): {holds}; last beat {m.beat_age:.1f} s ago"
        )
    return out


def sqlite_holder(url: str) -> int | None:
    """The pid of the `outreach run` holding an SQLite store file, or None."""
    from sqlalchemy.engine import make_url

    database = make_url(url).database if url.startswith("sqlite") else None
    if not database or database == ":memory:":
        return None
    return SqliteLock(database).holder()

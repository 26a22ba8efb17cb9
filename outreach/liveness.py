"""Is the service alive, and is anything late? What `outreach status`, the admin bot's /status
and the /health endpoint all say, read from the store (ledger.health).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .admin.views import OVERDUE  # one threshold for the bot's /status and `outreach status`
from .service import ALIVE_WITHIN, HEARTBEAT

if TYPE_CHECKING:
    from .config import Config
    from .ledger import Ledger


@dataclass(frozen=True)
class Report:
    now: dt.datetime
    alive: bool
    """An `outreach run` beat within ALIVE_WITHIN."""
    service: Any | None
    """The newest beat of `outreach run` (ledger Beat), if any."""
    last_once: Any | None
    """The newest beat of `outreach run --once`, if any."""
    overdue: int
    oldest_overdue: dt.datetime | None
    feeds: list[tuple[str, dt.datetime | None, int, str | None]]
    """(feed id, last poll, failures in a row, last error) per configured feed."""
    channels: list[tuple[str, dt.datetime | None, dt.datetime | None]]
    """(channel id, last real post, last dry run) per configured channel: a dry run printed the
    post and posted it nowhere, so it is never called "sent"."""

    @property
    def ok(self) -> bool:
        return self.alive and self.overdue == 0

    def to_json(self) -> dict[str, Any]:
        def iso(moment: dt.datetime | None) -> str | None:
            return moment.isoformat() if moment is not None else None

        def beat(b: Any | None) -> dict[str, Any] | None:
            if b is None:
                return None
            return {"host": b.host, "pid": b.pid, "version": b.version,
                    "started_at": iso(b.started_at), "beat_at": iso(b.beat_at)}  # fmt: skip

        return {
            "now": iso(self.now),
            "ok": self.ok,
            "alive": self.alive,
            "service": beat(self.service),
            "last_run_once": beat(self.last_once),
            "overdue": {"count": self.overdue, "oldest_due": iso(self.oldest_overdue)},
            "feeds": [
                {"id": f, "last_poll": iso(p), "failures": n, "last_error": e}
                for f, p, n, e in self.feeds
            ],
            "channels": [
                {"id": c, "last_sent": iso(s), "last_dry_run": iso(d)} for c, s, d in self.channels
            ],
        }


def report(config: Config, ledger: Ledger, now: dt.datetime) -> Report:
    beats = ledger.health.beats()
    service = next((b for b in beats if b.kind == "run"), None)
    once = next((b for b in beats if b.kind != "run"), None)
    late, oldest = ledger.overdue(now - OVERDUE)
    sent = ledger.health.last_sent_by_channel()
    dry = ledger.health.last_sent_by_channel(dry_run=True)
    feeds = []
    for f in config.feeds:
        st = ledger.feed_state(f.id)
        feeds.append((f.id, st.last_poll if st else None, st.failures if st else 0,
                      st.last_error if st else None))  # fmt: skip
    return Report(
        now=now,
        alive=service is not None and now - service.beat_at <= ALIVE_WITHIN,
        service=service,
        last_once=once,
        overdue=late,
        oldest_overdue=oldest,
        feeds=feeds,
        channels=[(c.id, sent.get(c.id), dry.get(c.id)) for c in config.channels],
    )


def _ago(now: dt.datetime, moment: dt.datetime) -> str:
    seconds = max(0, int((now - moment).total_seconds()))
    if seconds < 120:
        return f"{seconds} s ago"
    if seconds < 7200:
        return f"{seconds // 60} min ago"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} days ago"


def last_out(sent: dt.datetime | None, dry: dt.datetime | None, when: Any) -> str:
    """The last real post and, when newer, the last dry run, in words: a dry run is never
    called "sent" (it was printed, not posted), and a channel without a real post is
    "nothing posted yet", dry runs or not, as the console says it (status.channel_none).
    An older dry run is left out, as news of before the channel had its token."""
    said = f"last post sent {when(sent)}" if sent else "nothing posted yet"
    if dry is not None and (sent is None or dry > sent):
        said += f"; last dry run {when(dry)} (printed, not posted)"
    return said


def service_lines(r: Report, when: Any) -> list[str]:
    """The service's health in words; `when` formats a moment for the reader."""
    s = r.service
    if s is not None and r.alive:
        line = (f"alive: outreach run on {s.host} (pid {s.pid}, {s.version}), last sign of life "
                f"{_ago(r.now, s.beat_at)}, running since {when(s.started_at)}")  # fmt: skip
    elif s is not None:
        line = (f"NOT RUNNING: the last sign of life of outreach run was {when(s.beat_at)} "
                f"({_ago(r.now, s.beat_at)}; it beats every {int(HEARTBEAT.total_seconds())} s), "
                f"on {s.host}")  # fmt: skip
    else:
        line = "NOT RUNNING: outreach run has never run against this store"
    out = [line]
    if r.last_once is not None:
        out.append(
            f"last run --once: {when(r.last_once.beat_at)} ({_ago(r.now, r.last_once.beat_at)})"
        )
    if r.overdue:
        out.append(f"OVERDUE: {r.overdue} post(s), the oldest due {when(r.oldest_overdue)}")
    else:
        out.append("nothing overdue")
    return out


def lines(r: Report, when: Any) -> list[str]:
    out = ["Service:", *(f"  {x}" for x in service_lines(r, when)), "Feeds:"]
    for feed, poll, failures, error in r.feeds:
        if poll is None:
            out.append(f"  {feed}: not polled yet")
        elif failures:
            out.append(f"  {feed}: last poll {when(poll)}, FAILING ({failures} in a row): {error}")
        else:
            out.append(f"  {feed}: last poll {when(poll)}")
    out.append("Channels:")
    for channel, sent, dry in r.channels:
        out.append(f"  {channel}: {last_out(sent, dry, when)}")
    return out

"""The service's turns with a hand-driven clock: announcements, misfires, restarts, quiet hours.

Real ledger (SQLite file), real templates, the real delivery loop with the
dry-run publishers (no channel has a token): every "post" is a ledger row in
`sent` with dry_run set, and the printed text is captured.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fakes import ManualClock
from servicekit import write_campaign

from outreach import announcements
from outreach.config import load_config
from outreach.delivery import DeliveryLoop
from outreach.ledger import open_ledger
from outreach.publishers import publishers_for
from outreach.service import Service

MINSK = ZoneInfo("Europe/Minsk")
CHANNELS = {"mastodon-en", "telegram-ru", "telegram-be"}


class Rig:
    def __init__(self, folder: Path, start: dt.datetime, **sections) -> None:
        sections.setdefault("announcements", [])
        sections.setdefault("feeds", [])
        self.path = write_campaign(folder, **sections)
        self.db = f"sqlite:///{folder / 'ledger.sqlite3'}"
        self.clock = ManualClock(start)
        self.printed = io.StringIO()
        self.restart()

    def restart(self, **sections) -> None:
        """A new process on the same database (optionally with an edited campaign file)."""
        if sections:
            self.path = write_campaign(self.path.parent, **sections)
        self.config = load_config(self.path, {})
        self.ledger = open_ledger(self.db, self.clock)
        pubs = publishers_for(self.config, out=self.printed)
        loop = DeliveryLoop(self.ledger, pubs, self.config.delivery, clock=self.clock)
        self.service = Service(self.config, self.ledger, loop, clock=self.clock)

    def at(self, *parts: int) -> None:
        moment = dt.datetime(*parts, tzinfo=MINSK)
        assert moment >= self.clock.now(), "the clock only moves forward"
        self.clock.advance((moment - self.clock.now()).total_seconds())

    def once(self):
        return self.service.run_once(max_wait=5)

    def rows(self, **kw):
        return self.ledger.deliveries(**kw)

    def sent(self, about: str) -> list[str]:
        return sorted(d.channel_id for d in self.rows(about=about, states=("sent",)))


ONE_OFF = {
    "id": "verdict-day",
    "template": "reminder",
    "page": "ales",
    "at": "2026-03-03T10:00:00",  # no zone: the campaign's (Europe/Minsk)
}
WEEKLY = {"id": "weekly", "template": "reminder", "page": "ales", "cron": "0 10 * * mon"}


def test_a_one_off_goes_out_at_its_time_once_on_every_channel(tmp_path: Path):
    rig = Rig(tmp_path, dt.datetime(2026, 3, 3, 9, 0, tzinfo=MINSK), announcements=[ONE_OFF])
    rig.once()
    assert rig.rows() == []
    rig.at(2026, 3, 3, 10, 0, 20)
    turn = rig.once()
    assert rig.sent("announcement:verdict-day") == sorted(CHANNELS)
    assert turn.delivered is not None and turn.delivered.count("sent") == 3
    [row] = rig.rows(channel_id="telegram-be")
    assert row.occurrence == dt.datetime(2026, 3, 3, 7, 0, tzinfo=dt.UTC)
    assert row.dedupe_key == "announcement:verdict-day@2026-03-03T07:00:00Z"
    assert "dry-run: telegram channel telegram-be" in rig.printed.getvalue()
    rig.at(2026, 3, 3, 10, 30)
    rig.once()
    assert len(rig.rows()) == 3


def test_a_restart_never_sends_an_occurrence_twice(tmp_path: Path):
    rig = Rig(tmp_path, dt.datetime(2026, 3, 2, 10, 0, 5, tzinfo=MINSK), announcements=[WEEKLY])
    # created at 10:00:05 on a Monday: this Monday's 10:00 is before it existed
    rig.once()
    assert rig.rows() == []
    rig.at(2026, 3, 9, 10, 0, 30)
    rig.once()
    rig.restart()
    rig.once()
    rig.restart()
    rig.at(2026, 3, 9, 10, 20)
    rig.once()
    assert rig.sent("announcement:weekly") == sorted(CHANNELS)
    assert len(rig.rows()) == 3


def test_late_within_grace_is_sent_beyond_grace_is_missed_and_reported(tmp_path: Path):
    rig = Rig(tmp_path, dt.datetime(2026, 3, 1, 12, 0, tzinfo=MINSK), announcements=[WEEKLY])
    rig.once()  # the service knows the announcement from Sunday noon, then stops
    rig.at(2026, 3, 2, 10, 45)  # back 45 minutes after Monday 10:00: within the hour
    rig.restart()
    rig.once()
    assert rig.sent("announcement:weekly") == sorted(CHANNELS)
    rig.at(2026, 3, 9, 13, 0)  # back three hours after the next Monday: too late
    rig.restart()
    turn = rig.once()
    missed = [d for d in rig.rows(states=("missed",))]
    assert {d.channel_id for d in missed} == CHANNELS
    assert all(d.occurrence == dt.datetime(2026, 3, 9, 7, 0, tzinfo=dt.UTC) for d in missed)
    assert "missed at 2026-03-09T07:00:00Z" in missed[0].reason
    assert "grace window is 60 min" in missed[0].reason
    assert [m.announcement_id for m, _ in turn.missed] == ["weekly"]
    assert len(rig.rows(states=("sent",))) == 3
    rig.restart()
    rig.once()
    assert len(rig.rows()) == 6  # reported once, not at every start


def test_several_misses_in_grace_go_out_once(tmp_path: Path):
    every_quarter = {**WEEKLY, "id": "pulse", "cron": "*/15 * * * *", "channels": ["telegram-be"]}
    rig = Rig(tmp_path, dt.datetime(2026, 3, 2, 8, 1, tzinfo=MINSK), announcements=[every_quarter])
    rig.once()
    rig.at(2026, 3, 2, 8, 50)  # 08:15, 08:30 and 08:45 passed while it was down
    rig.restart()
    turn = rig.once()
    [row] = rig.rows()
    assert row.state == "sent"
    assert row.occurrence == dt.datetime(2026, 3, 2, 8, 45, tzinfo=MINSK)
    assert [q.channel_id for q in turn.queued] == ["telegram-be"]


def test_quiet_hours_hold_a_post_until_the_window_ends(tmp_path: Path):
    folder = tmp_path
    write_campaign(folder)
    channels = load_config(folder / "outreach.yaml", {}).model_dump(mode="json")["channels"]
    for ch in channels:
        ch.pop("api_base_url", None)
        if ch["id"] == "telegram-be":
            ch["quiet_hours"] = {"start": "22:00", "end": "08:00"}
    late = {**ONE_OFF, "at": "2026-03-03T23:00:00"}
    rig = Rig(
        folder,
        dt.datetime(2026, 3, 3, 22, 59, tzinfo=MINSK),
        announcements=[late],
        channels=channels,
    )
    rig.at(2026, 3, 3, 23, 0, 10)
    rig.once()
    assert rig.sent("announcement:verdict-day") == ["mastodon-en", "telegram-ru"]
    [waiting] = rig.rows(channel_id="telegram-be")
    assert waiting.state == "pending"
    assert waiting.due_at == dt.datetime(2026, 3, 4, 8, 0, tzinfo=MINSK)
    rig.at(2026, 3, 4, 8, 0, 30)
    rig.once()
    assert rig.sent("announcement:verdict-day") == sorted(CHANNELS)


def test_cancel_stops_the_announcement_and_its_queued_posts(tmp_path: Path):
    rig = Rig(tmp_path, dt.datetime(2026, 3, 1, 12, 0, tzinfo=MINSK), announcements=[WEEKLY])
    rig.once()
    # queue a post and keep it from going out, as quiet hours or a backoff would
    rig.at(2026, 3, 2, 10, 0, 30)
    rig.service.plan()
    queued = rig.rows(states=("pending",))
    assert len(queued) == 3
    assert announcements.cancel(rig.ledger, "weekly") == 3
    assert {d.state for d in rig.rows()} == {"cancelled"}
    rig.at(2026, 3, 9, 10, 0, 30)
    rig.once()
    assert {d.state for d in rig.rows()} == {"cancelled"}
    assert rig.ledger.announcement("weekly").state == "cancelled"


def test_the_campaign_file_is_upserted_and_a_cancel_survives_it(tmp_path: Path):
    rig = Rig(
        tmp_path, dt.datetime(2026, 3, 1, 12, 0, tzinfo=MINSK), announcements=[WEEKLY, ONE_OFF]
    )
    rig.once()
    stored = {a.id: a for a in rig.ledger.announcements()}
    assert set(stored) == {"weekly", "verdict-day"}
    assert stored["verdict-day"].at == dt.datetime(2026, 3, 3, 7, 0, tzinfo=dt.UTC)
    assert stored["weekly"].source == "yaml" and stored["weekly"].timezone == "Europe/Minsk"
    announcements.cancel(rig.ledger, "verdict-day")
    rig.restart(announcements=[WEEKLY, ONE_OFF])
    rig.once()
    assert rig.ledger.announcement("verdict-day").state == "cancelled"
    rig.restart(announcements=[ONE_OFF])  # weekly removed from the file
    rig.once()
    assert rig.ledger.announcement("weekly").state == "cancelled"


def test_a_one_off_in_a_dst_gap_in_the_campaign_file_is_a_config_error(tmp_path: Path):
    from outreach.errors import ConfigError

    gap = {**ONE_OFF, "at": "2026-03-29T02:30:00", "timezone": "Europe/Paris"}
    with pytest.raises(  # when the file is loaded, as every other check of it (issue 12)
        ConfigError, match=r"announcements\[0\]\.at: .*does not exist in Europe/Paris"
    ):
        Rig(tmp_path, dt.datetime(2026, 3, 1, 12, 0, tzinfo=MINSK), announcements=[gap]).once()


def test_the_news_feed_and_announcements_share_one_run(tmp_path: Path):
    feeds = [{"id": "news", "path": "news.xml", "backlog": 1}]
    rig = Rig(
        tmp_path,
        dt.datetime(2026, 3, 3, 10, 0, 5, tzinfo=MINSK),
        announcements=[ONE_OFF],
        feeds=feeds,
    )
    turn = rig.once()
    abouts = {d.about for d in rig.rows(states=("sent",))}
    assert abouts == {"announcement:verdict-day", "news:freeales-2012-01-pressure"}
    assert turn.polls[0].skipped_backlog == 3
    rig.restart()
    rig.clock.advance(3600)
    rig.once()
    assert len(rig.rows()) == 6


def test_the_after_turn_hook_sees_each_turn_and_cannot_break_it(tmp_path: Path, caplog):
    rig = Rig(tmp_path, dt.datetime(2026, 3, 3, 10, 0, 5, tzinfo=MINSK), announcements=[ONE_OFF])
    seen = []
    rig.service.on_turn = seen.append
    turn = rig.once()
    assert seen == [turn] and len(turn.queued) == 3

    def broken(_turn):
        raise RuntimeError("alerts chat unreachable")

    rig.service.on_turn = broken
    rig.once()
    assert "the after-turn hook failed" in caplog.text


def test_while_paused_nothing_goes_out_and_resume_sends_it(tmp_path: Path):
    feeds = [{"id": "news", "path": "news.xml", "backlog": 1}]
    rig = Rig(
        tmp_path, dt.datetime(2026, 3, 3, 9, 0, tzinfo=MINSK), announcements=[ONE_OFF], feeds=feeds
    )
    rig.ledger.pause(by="@anna")
    rig.at(2026, 3, 3, 10, 0, 20)
    rig.once()
    assert {d.state for d in rig.rows()} == {"held"} and len(rig.rows()) == 6
    assert rig.printed.getvalue() == ""
    rig.ledger.resume(by="@anna")
    rig.clock.advance(60)
    rig.once()
    assert {d.state for d in rig.rows()} == {"sent"}


def test_an_announcement_moved_between_turns_fires_at_its_new_time(tmp_path: Path):
    """A turn does not look again at an announcement before its next occurrence, unless
    it changed or something was done of it (Service.plan): moved earlier in the same
    process, it still fires at its new time, and a weekly one on each of its days."""
    from dataclasses import replace

    from outreach.ledger import StoredAnnouncement

    rig = Rig(tmp_path, dt.datetime(2026, 3, 2, 9, 0, tzinfo=MINSK), announcements=[WEEKLY])
    chans = tuple(sorted(CHANNELS))
    moved = StoredAnnouncement(
        "moved", "reminder", chans, "Europe/Minsk", page="ales", source="cli",
        at=dt.datetime(2026, 3, 4, 10, 0, tzinfo=MINSK),
    )  # fmt: skip
    rig.ledger.save_announcement(moved)
    rig.once()  # nothing due: both are known to fire nothing before their next times
    assert rig.rows() == []
    rig.ledger.save_announcement(replace(moved, at=dt.datetime(2026, 3, 2, 9, 30, tzinfo=MINSK)))
    rig.at(2026, 3, 2, 9, 30, 20)
    rig.once()
    assert rig.sent("announcement:moved") == sorted(CHANNELS)
    rig.at(2026, 3, 2, 10, 0, 20)
    rig.once()
    rig.at(2026, 3, 9, 10, 0, 20)
    rig.once()
    weekly = rig.rows(about="announcement:weekly", states=("sent",))
    assert (
        sorted(d.occurrence for d in weekly)
        == [dt.datetime(2026, 3, 2, 7, 0, tzinfo=dt.UTC)] * 3
        + [dt.datetime(2026, 3, 9, 7, 0, tzinfo=dt.UTC)] * 3
    )
    assert len(rig.rows()) == 9

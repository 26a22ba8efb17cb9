"""An announcement with its own one-off text (typed in the web console's composer): stored
with the announcement, checked like a template file, and rendered by the service on the day.

Real ledger files, real templates and the real delivery loop: the dry-run publishers for
Telegram, and the real Mastodon.py client against the fake Mastodon on 127.0.0.1.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from fakes import ManualClock
from fakes.mastodon_server import FakeMastodon
from servicekit import write_campaign

from outreach import announcements
from outreach.config import BUNDLED_CONFIG, load_config
from outreach.delivery import DeliveryLoop
from outreach.errors import OutreachError
from outreach.ledger import open_ledger
from outreach.messages import ONE_OFF
from outreach.publishers import publishers_for
from outreach.service import Service

MINSK = ZoneInfo("Europe/Minsk")
TEXT = (
    "Day {{ clock.day_number('arrest')|number }} of {{ campaign.name }}: {{ item.title }}\n"
    "Write to Ales"
    " & sign: {{ item.url }}"
)


class Rig:
    """A campaign whose Mastodon channel posts to the fake; Telegram channels print."""

    def __init__(self, folder: Path, masto: FakeMastodon, start: dt.datetime) -> None:
        data = yaml.safe_load(BUNDLED_CONFIG.read_text(encoding="utf-8"))
        channels = data["channels"]
        for ch in channels:
            if ch["kind"] == "mastodon":
                ch["instance"] = masto.url
                ch["token_env"] = "MA_TOKEN"
        for page in data["pages"]:
            page.pop("image", None)  # nothing to fetch from the internet
        self.pages = data["pages"]
        self.path = write_campaign(
            folder, channels=channels, pages=self.pages, announcements=[], feeds=[]
        )
        self.db = f"sqlite:///{folder / 'ledger.sqlite3'}"
        self.clock = ManualClock(start)
        self.printed = io.StringIO()
        self.restart()

    def restart(self) -> None:
        """A new process on the same store: what it knows of the text, it read from there."""
        self.config = load_config(self.path, {"MA_TOKEN": "token-for-the-fake"})
        self.ledger = open_ledger(self.db, self.clock)
        pubs = publishers_for(self.config, out=self.printed)
        loop = DeliveryLoop(self.ledger, pubs, self.config.delivery, clock=self.clock)
        self.service = Service(self.config, self.ledger, loop, clock=self.clock)


@pytest.fixture
def masto():
    with FakeMastodon() as m:
        yield m


def test_a_one_off_text_is_stored_and_sent_on_the_day_rendered_as_of_that_day(tmp_path, masto):
    rig = Rig(tmp_path, masto, dt.datetime(2026, 3, 1, 12, 0, tzinfo=MINSK))
    up = announcements.add(
        rig.config, rig.ledger, ident="day-count", template=ONE_OFF, page="ales",
        now=rig.clock.now(), at="2026-03-03 10:00", text=TEXT,
    )  # fmt: skip
    assert up.next_at == dt.datetime(2026, 3, 3, 7, 0, tzinfo=dt.UTC)
    rig.ledger.engine.dispose()

    rig.restart()
    stored = rig.ledger.announcement("day-count")
    assert stored is not None and stored.text == TEXT and stored.template == ONE_OFF
    rig.service.run_once(max_wait=5)
    assert masto.texts() == []  # not due yet
    rig.clock.advance(2 * 24 * 3600 - 2 * 3600 + 30)  # Tue 3 March, 10:00:30 in Minsk
    rig.service.run_once(max_wait=5)

    # 4 Aug 2011 is day 1: 3 March 2026 is day 5,326, counted on the day it went out
    [status] = masto.texts()
    assert status.startswith("Day 5,326 of Free Ales Bialiatski: About Ales Bialiatski\n")
    assert "Write to Ales & sign: https://freeales.fidh.net/about-ales-bialiatski/" in status
    printed = rig.printed.getvalue()
    assert "5\u00a0326" in printed  # telegram-ru counts in Russian
    assert "Write to Ales &amp; sign:" in printed  # Telegram: HTML, the typed & escaped
    sent = rig.ledger.deliveries(about="announcement:day-count", states=("sent",))
    assert {d.channel_id for d in sent} == {c.id for c in rig.config.channels}


def test_the_campaign_file_may_give_an_announcement_its_own_text(tmp_path, masto):
    rig = Rig(tmp_path, masto, dt.datetime(2026, 3, 1, 12, 0, tzinfo=MINSK))
    ann = {"id": "vigil", "template": ONE_OFF, "at": "2026-03-01T12:30:00",
           "channels": ["mastodon-en"], "text": "Vigil tonight: {{ campaign.url }}"}  # fmt: skip
    channels = yaml.safe_load(rig.path.read_text(encoding="utf-8"))["channels"]
    rig.path = write_campaign(
        tmp_path, channels=channels, pages=rig.pages, announcements=[ann], feeds=[]
    )
    rig.restart()
    rig.clock.advance(31 * 60)
    rig.service.run_once(max_wait=5)
    assert masto.texts() == ["Vigil tonight: https://freeales.fidh.net/"]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Hello\n{{ item.titel }}", "one-off/mastodon.j2:2: item has no attribute 'titel' (it has: kind, id, title, summary, url,"),
        ("{{ clock.day_numbr('arrest') }}", "one-off/mastodon.j2:1: CampaignClock has no attribute 'day_numbr' (it has: date, day_number,"),
        ("Hello\n\n{% if %}", "one-off/mastodon.j2:3: template syntax error"),
        ("{{ 'x' * 600 }}", "mastodon-en: your text is 600 characters long"),
        ("{% autoescape false %}{{ item.title }}{% endautoescape %}",
         "one-off/telegram.j2:1: template syntax error: '{% autoescape' is not allowed"),
    ],
)  # fmt: skip
def test_a_broken_text_is_refused_naming_its_line_and_nothing_is_stored(
    tmp_path, masto, text, found
):
    rig = Rig(tmp_path, masto, dt.datetime(2026, 3, 1, 12, 0, tzinfo=MINSK))
    with pytest.raises(OutreachError) as info:
        announcements.add(
            rig.config, rig.ledger, ident="broken", template=ONE_OFF, now=rig.clock.now(),
            cron="0 10 * * mon", text=text,
        )  # fmt: skip
    assert found in str(info.value) and info.value.field == "text"
    assert rig.ledger.announcement("broken") is None


def test_a_draft_finds_every_problem_at_once_and_stores_nothing(tmp_path, masto):
    rig = Rig(tmp_path, masto, dt.datetime(2026, 3, 1, 12, 0, tzinfo=MINSK))
    d = announcements.draft(
        rig.config, rig.ledger, ident="Bad Id", template=ONE_OFF, now=rig.clock.now(),
        at="2026-02-01 10:00", page="nowhere", channels=("telegram-xx",), text="{{ nope }}",
        render_at=dt.datetime(2026, 2, 1, 7, tzinfo=dt.UTC),
    )  # fmt: skip
    assert [p.field for p in d.problems] == ["id", "channel", "page", "at"]
    assert d.stored is None and d.posts == ()  # nothing to render for an unknown page
    d = announcements.draft(
        rig.config, rig.ledger, ident="ok", template=ONE_OFF, now=rig.clock.now(),
        at="2026-02-01 10:00", text="{{ nope }}", render_at=dt.datetime(2026, 2, 1, 7, tzinfo=dt.UTC),
    )  # fmt: skip
    assert [p.field for p in d.problems] == ["at", "text", "text", "text"]
    assert [cp.channel.id for cp in d.posts] == [c.id for c in rig.config.channels]
    assert rig.ledger.announcements() == []

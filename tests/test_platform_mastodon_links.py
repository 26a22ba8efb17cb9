"""A link counts what the instance reserves for it (configuration.statuses.
characters_reserved_per_url, docs.joinmastodon.org: Instance entity), not always 23.

The fake instance reports 40 and counts every link as 40 against its
max_characters, as Mastodon's StatusLengthValidator does, so a post fitted
with links counted as 23 is refused (422) or, if it slips under, is shown here
to be counted short.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fakes import ManualClock
from fakes.mastodon_server import FakeMastodon
from servicekit import write_campaign

from outreach.channel_posts import learned_limits
from outreach.config import load_config
from outreach.delivery import DeliveryLoop
from outreach.ledger import open_ledger
from outreach.networks import network
from outreach.networks.base import Learned
from outreach.networks.mastodon import MastodonChannel
from outreach.publishers import publishers_for
from outreach.service import Service

NOW = dt.datetime(2026, 3, 3, 12, 0, tzinfo=dt.UTC)
LINK = "https://e.org/n/1"
SUMMARY = " ".join(f"Report {n} from the colony: letters are withheld again." for n in range(60))
FEED = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>News</title><link>https://e.org/</link>
<item><title>A long report</title><link>{LINK}</link><guid>long-1</guid>
<pubDate>Tue, 03 Mar 2026 10:00:00 +0000</pubDate><description>{SUMMARY}</description></item>
</channel></rss>
"""


def campaign(folder: Path, instance: str, **channel) -> Path:
    (folder / "long.xml").write_text(FEED, encoding="utf-8")
    ma = {"id": "ma", "kind": "mastodon", "instance": instance, "token_env": "MA_TOKEN",
          "language": "en", **channel}  # fmt: skip
    feeds = [{"id": "news", "path": "long.xml", "backlog": 1}]
    return write_campaign(folder, channels=[ma], feeds=feeds, announcements=[])


def test_a_post_is_fitted_with_links_counted_as_the_instance_reserves(tmp_path: Path):
    with FakeMastodon(max_characters=300, url_chars=40) as fake:
        config = load_config(campaign(tmp_path, fake.url), {"MA_TOKEN": "mastodon-SECRET"})
        clock = ManualClock(NOW)
        ledger = open_ledger(f"sqlite:///{tmp_path / 'l.sqlite3'}", clock)
        loop = DeliveryLoop(ledger, publishers_for(config), config.delivery, clock=clock)
        turn = Service(config, ledger, loop, clock=clock).run_once(max_wait=5)
        assert turn.delivered is not None
        [d] = ledger.deliveries()
        assert d.state == "sent", d.reason  # not refused: HTTP 422, over the limit
        [text] = fake.texts()
        assert LINK in text and "…" in text  # shortened, the link kept
        # Within the instance's limit as it counts, and using the room: fitted to 40 a link.
        assert 300 - 40 < fake.length(text) <= 300
        learned = learned_limits(config, ledger)
        assert learned.reported["ma"]["characters_reserved_per_url"] == 40
        [ch] = config.channels
        assert network("mastodon").length(ch, text, learned) == fake.length(text)
        ledger.close()


def test_a_channels_own_max_characters_still_counts_links_as_its_instance_does(tmp_path: Path):
    with FakeMastodon(max_characters=500, url_chars=40) as fake:
        config = load_config(
            campaign(tmp_path, fake.url, max_characters=300), {"MA_TOKEN": "mastodon-SECRET"}
        )
        clock = ManualClock(NOW)
        ledger = open_ledger(f"sqlite:///{tmp_path / 'l.sqlite3'}", clock)
        loop = DeliveryLoop(ledger, publishers_for(config), config.delivery, clock=clock)
        Service(config, ledger, loop, clock=clock).run_once(max_wait=5)
        [text] = fake.texts()
        assert 300 - 40 < fake.length(text) <= 300  # the config's limit, the instance's links
        ledger.close()


def test_the_count_and_its_cheap_bound_follow_the_learned_weight():
    net = network("mastodon")
    ch = MastodonChannel(id="ma", kind="mastodon", instance="https://m.example")
    text = f"Day 5000: {LINK} and https://e.org/sign"
    plain = len("Day 5000:  and ")
    assert net.length(ch, text) == plain + 2 * 23  # nothing learned: Mastodon's 23
    learned = Learned({"ma": {"max_characters": 500, "characters_reserved_per_url": 30}})
    assert dict(learned) == {"ma": 500}  # what limit() reads, as before
    assert net.length(ch, text, learned) == plain + 2 * 30
    assert net.length_bound(ch, text, learned) >= net.length(ch, text, learned)
    assert net.length(ch, text, {"ma": 500}) == plain + 2 * 23  # a plain dict: max_characters


def test_an_organiser_told_how_mastodon_counts_is_not_told_a_link_is_always_23():
    from outreach.fit_words import own_text_over

    said = own_text_over("ma", "mastodon", 599, "the limit of 500", 99, with_item=False)
    assert "every link as 23 (or as many as the instance reserves for one)" in said

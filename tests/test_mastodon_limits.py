"""Mastodon posts fit the instance's own limit: read by `doctor` and by `run`, kept in the ledger.

The fake Mastodon reports a max_characters (and, like a real server, refuses a
longer status with 422), so a post fitted to the wrong limit either fails or
stops short of what the instance allows.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from fakes import ManualClock
from fakes.mastodon_server import FakeMastodon
from servicekit import write_campaign

from outreach.channel_posts import learned_limits
from outreach.cli import cli
from outreach.config import load_config
from outreach.delivery import DeliveryLoop
from outreach.ledger import open_ledger
from outreach.messages import Messages
from outreach.networks.mastodon import MastodonChannel
from outreach.publishers import publishers_for
from outreach.service import Service
from outreach.textlimits import mastodon_length

NOW = dt.datetime(2026, 3, 3, 12, 0, tzinfo=dt.UTC)
LINK = "https://e.org/n/1"  # shorter than the 23 Mastodon counts: the fake counts raw length
SUMMARY = " ".join(f"Report {n} from the colony: letters are withheld again." for n in range(60))
FEED = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>News</title><link>https://e.org/</link>
<item><title>A long report</title><link>{LINK}</link><guid>long-1</guid>
<pubDate>Tue, 03 Mar 2026 10:00:00 +0000</pubDate><description>{SUMMARY}</description></item>
</channel></rss>
"""


def channel(cid: str, instance: str, **kw) -> dict:
    return {"id": cid, "kind": "mastodon", "instance": instance, "token_env": "MA_TOKEN",
            "language": "en", **kw}  # fmt: skip


def campaign(folder: Path, channels: list[dict]) -> Path:
    (folder / "long.xml").write_text(FEED, encoding="utf-8")
    feeds = [{"id": "news", "path": "long.xml", "backlog": 1}]
    return write_campaign(folder, channels=channels, feeds=feeds, announcements=[])


@pytest.fixture
def fakes():
    with FakeMastodon(max_characters=1000) as big, FakeMastodon(max_characters=300) as small:
        yield big, small


def instance_calls(fake: FakeMastodon) -> int:
    return sum(1 for _, path in fake.log if path.rstrip("/").endswith("/instance"))


def test_run_fits_a_long_summary_to_each_instances_reported_limit(tmp_path: Path, fakes):
    big, small = fakes
    config = load_config(
        campaign(tmp_path, [channel("big", big.url), channel("small", small.url)]),
        {"MA_TOKEN": "mastodon-SECRET"},
    )
    clock = ManualClock(NOW)
    ledger = open_ledger(f"sqlite:///{tmp_path / 'l.sqlite3'}", clock)
    pubs = publishers_for(config)
    loop = DeliveryLoop(ledger, pubs, config.delivery, clock=clock)
    turn = Service(config, ledger, loop, clock=clock).run_once(max_wait=5)

    assert turn.delivered is not None and turn.delivered.count("sent") == 2
    [long_post], [short_post] = big.texts(), small.texts()
    assert 900 < mastodon_length(long_post) <= 1000  # not cut at the default 500
    assert mastodon_length(short_post) <= 300
    for text in (long_post, short_post):
        assert LINK in text and "…" in text  # the summary was shortened, the link kept
    limits = ledger.channel_limits("max_characters")
    assert {c: (v.value, v.source) for c, v in limits.items()} == {
        "big": (1000, big.url),
        "small": (300, small.url),
    }
    # learned once per process: another start of the same publishers asks nothing
    calls = instance_calls(big)
    loop.start()
    assert instance_calls(big) == calls == 1
    ledger.close()


def test_the_channels_own_max_characters_comes_first(tmp_path: Path, fakes):
    big, _ = fakes
    config = load_config(campaign(tmp_path, [channel("big", big.url, max_characters=400)]), {})
    messages = Messages(config)
    item_subject = messages.subject("news:long-1")
    [ch] = config.channels
    assert isinstance(ch, MastodonChannel)
    own = messages.render_post(ch, item_subject, now=NOW, limits={"big": 1000})
    assert own.limit == 400 and own.length <= 400 and own.shortened
    bare = load_config(campaign(tmp_path, [channel("big", big.url)]), {})
    learned = Messages(bare).render_post(
        bare.channels[0], item_subject, now=NOW, limits={"big": 1000}
    )
    assert learned.limit == 1000 and 900 < learned.length <= 1000
    default = Messages(bare).render_post(bare.channels[0], item_subject, now=NOW)
    assert default.limit == 500 and default.length <= 500


def test_stored_limits_on_each_store_and_only_for_the_instance_they_came_from(
    tmp_path: Path,
    store_url: str,
):
    ledger = open_ledger(store_url, ManualClock(NOW))
    ledger.save_channel_limits(
        "a", {"max_characters": 1000, "image_size_limit": 9}, source="https://m.one/"
    )
    ledger.save_channel_limits("b", {"max_characters": 300}, source="https://m.two")
    ledger.save_channel_limits("a", {"max_characters": 800}, source="https://m.one/")  # replaced
    assert {c: v.value for c, v in ledger.channel_limits("max_characters").items()} == {
        "a": 800,
        "b": 300,
    }
    assert ledger.channel_limits("image_size_limit") == {}  # the later save replaced them all
    assert ledger.limits_learned() == {"a": ("https://m.one/", NOW), "b": ("https://m.two", NOW)}
    config = load_config(
        campaign(tmp_path, [channel("a", "https://m.one"), channel("b", "https://elsewhere.org")]),
        {},
    )
    # b moved to another instance: m.two's limit no longer applies to it
    assert learned_limits(config, ledger) == {"a": 800}
    ledger.close()


def test_doctor_keeps_what_it_read_and_preview_fits_to_it(tmp_path: Path, fakes):
    big, _ = fakes
    env = {
        "OUTREACH_CONFIG": str(campaign(tmp_path, [channel("big", big.url)])),
        "OUTREACH_DB_URL": f"sqlite:///{tmp_path / 'l.sqlite3'}",
        "MA_TOKEN": "mastodon-SECRET",
    }

    def preview() -> dict:
        result = CliRunner().invoke(cli, ["preview", "news:long-1", "--json"], env=env)
        assert result.exit_code == 0, result.output
        [post] = json.loads(result.stdout)["posts"]
        return post

    before = preview()
    assert before["limit"] == 500 and before["length"] <= 500
    assert not (tmp_path / "l.sqlite3").exists(), "a preview does not create the store"
    doctor = CliRunner().invoke(cli, ["doctor"], env=env)
    assert doctor.exit_code == 0, doctor.output
    assert "posts may have up to 1000 characters" in doctor.output
    after = preview()
    assert after["limit"] == 1000 and 900 < after["length"] <= 1000


def test_an_instance_that_does_not_answer_leaves_the_last_known_limit(
    tmp_path: Path, fakes, caplog
):
    big, _ = fakes
    config = load_config(
        campaign(tmp_path, [channel("big", big.url)]), {"MA_TOKEN": "mastodon-SECRET"}
    )
    clock = ManualClock(NOW - dt.timedelta(days=2))
    ledger = open_ledger(f"sqlite:///{tmp_path / 'l.sqlite3'}", clock)
    ledger.save_channel_limits("big", {"max_characters": 700}, source=big.url)
    clock.advance(dt.timedelta(days=2).total_seconds())  # read two days ago: asked again
    big.fail_next(1, "reply", reply=big.error(503), path="/instance")
    pubs = publishers_for(config)
    loop = DeliveryLoop(ledger, pubs, config.delivery, clock=clock)
    loop.start()  # no exception: the posts can still go out
    assert "answered HTTP 503 while reading the instance's limits" in caplog.text
    assert learned_limits(config, ledger) == {"big": 700}
    loop.start()  # a failure is not remembered: the next start asks again
    assert learned_limits(config, ledger) == {"big": 1000}
    ledger.close()


def test_run_reuses_limits_read_within_a_day_and_asks_again_after(tmp_path: Path, fakes):
    big, _ = fakes
    store = f"sqlite:///{tmp_path / 'l.sqlite3'}"
    env = {
        "OUTREACH_CONFIG": str(campaign(tmp_path, [channel("big", big.url)])),
        "OUTREACH_DB_URL": store,
        "MA_TOKEN": "mastodon-SECRET",
    }

    def run_once() -> None:
        result = CliRunner().invoke(cli, ["run", "--once", "--wait", "5"], env=env)
        assert result.exit_code == 0, result.output

    run_once()  # the first run asks the instance, and fits the post to what it said
    [post] = big.texts()
    assert 900 < mastodon_length(post) <= 1000
    assert instance_calls(big) == 1
    run_once()  # a cron run minutes later: the limits read then still serve
    assert instance_calls(big) == 1

    # the same limits, read from the instance 25 hours ago: stale, asked again
    then = ManualClock(dt.datetime.now(dt.UTC) - dt.timedelta(hours=25))
    ledger = open_ledger(store, then)
    ledger.save_channel_limits("big", {"max_characters": 1000}, source=big.url)
    ledger.close()
    run_once()
    assert instance_calls(big) == 2
    ledger = open_ledger(store)
    [(source, learned)] = ledger.limits_learned().values()
    assert source == big.url and learned > dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    ledger.close()


def test_limits_read_from_another_instance_are_not_reused(tmp_path: Path, fakes):
    big, small = fakes
    config = load_config(
        campaign(tmp_path, [channel("big", big.url)]), {"MA_TOKEN": "mastodon-SECRET"}
    )
    clock = ManualClock(NOW)
    ledger = open_ledger(f"sqlite:///{tmp_path / 'l.sqlite3'}", clock)
    # read from the channel's former instance an hour ago: not this instance's limit
    ledger.save_channel_limits("big", {"max_characters": 300}, source=small.url)
    clock.advance(3600)
    DeliveryLoop(ledger, publishers_for(config), config.delivery, clock=clock).start()
    assert instance_calls(big) == 1 and instance_calls(small) == 0
    assert learned_limits(config, ledger) == {"big": 1000}
    ledger.close()

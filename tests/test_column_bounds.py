"""A server's answer longer than the ledger's columns is recorded, never loses the write.

On PostgreSQL a value over its VARCHAR fails the whole transaction; SQLite keeps it
whole. Each test runs on both (PostgreSQL where one is reachable: CI has it).
"""

from __future__ import annotations

import itertools
import json
import random
from typing import Any

import pytest
from fakes import ManualClock
from fakes._server import Reply, Request
from fakes.mastodon_server import FakeMastodon
from mastodonkit import publisher
from servicekit import FeedServer, campaign

from outreach.config import DeliverySettings, load_config
from outreach.config.fields import STORED_CHARS
from outreach.delivery import DeliveryLoop
from outreach.errors import ConfigError, StoreError
from outreach.feeds import FeedWatcher, Fetcher
from outreach.ledger import ActionRequest, Ledger, StoredAnnouncement, open_ledger
from outreach.ledger.bounds import MARK, cut, limit_of
from outreach.ledger.schema import ANNOUNCEMENTS, CHANNEL_LIMITS, DELIVERIES, SEEN_ITEMS
from outreach.outbox import Outbox
from outreach.post import Post
from outreach.said import Said

SETTINGS = DeliverySettings(timeout_seconds=2.0)


class LongAnswers(FakeMastodon):
    """A Mastodon whose status ids are 300 characters and whose URLs are 1,500."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._ids = (f"{n:0300d}" for n in itertools.count(1))

    def _post_status(self, req: Request, token: str | None) -> Reply:
        reply = super()._post_status(req, token)
        if reply.status == 200:
            reply.body["url"] = f"{self.url}/@campaign/{'p' * 1500}"
        return reply


def post(n: int) -> Post:
    return Post("masto", "mastodon", f"post {n}", "en", about=f"news:item-{n}")


def run(ledger: Ledger, clock: ManualClock, fake: FakeMastodon) -> Any:
    loop = DeliveryLoop(ledger, {"masto": publisher(fake)}, SETTINGS, clock=clock,
                        rng=random.Random(1))  # fmt: skip
    return loop.run_once(max_wait=5)


def test_a_status_with_a_long_id_and_url_is_recorded_sent_once(ledger, clock):
    with LongAnswers() as fake:
        queued = ledger.enqueue(post(1)).id
        report = run(ledger, clock, fake)
        assert report.count("sent") == 1
        assert len(fake.statuses) == 1
        d = ledger.get(queued)
        assert d.state == "sent"
        # the organiser's link: its start, cut with a mark, in the column
        assert d.remote_url is not None and d.remote_url.startswith(f"{fake.url}/@campaign/ppp")
        assert d.remote_url.endswith(MARK) and len(d.remote_url) == 1000
        # an id that cannot be kept whole is not kept: corrections say to act by hand
        # rather than ask the server about an id it never gave
        assert d.remote_id is None
        assert [x.id for x in ledger.deliveries(states=["sent"])] == [queued]
        assert ledger.deliveries(states=["sending", "pending", "unknown"]) == []

        # a second run, and the same post queued again: nothing goes out twice
        assert not ledger.enqueue(post(1)).created
        clock.advance(3600)
        report = run(ledger, clock, fake)
        assert report.count("sent") == 0 and len(fake.statuses) == 1
        assert ledger.recover() == []


def test_a_huge_error_text_is_recorded_cut(ledger, clock):
    words = "Validation failed: " + "Текст слишком длинный. " * 3000

    class Refusing(FakeMastodon):
        def _post_status(self, req: Request, token: str | None) -> Reply:
            return self.error(422, words)

    with Refusing() as fake:
        queued = ledger.enqueue(post(2)).id
        report = run(ledger, clock, fake)
        assert report.count("failed") == 1
        d = ledger.get(queued)
        assert d.state == "failed" and d.reason is not None
        assert "Validation failed: Текст слишком длинный." in d.reason
        # the server's words are cut, ours (what to do next) are whole
        assert MARK in d.reason and 900 < len(d.reason) <= 1000
        assert d.reason.endswith("then `outreach retry`")
        # and it is still the sentence the console words in the reader's language
        [shown] = ledger.worded([d])
        assert isinstance(shown.reason, Said) and shown.reason == d.reason
        assert shown.reason.key == "mastodon.invalid"


def test_a_huge_error_text_is_logged_and_reported_cut_as_stored(ledger, clock, caplog):
    """The log and the run's report say what the ledger keeps, not the server's page whole
    (a 5xx's body is not quoted at all: only a refusal's words are)."""
    words = "Server says: " + "Ошибка сервера. " * 4000

    class Failing(FakeMastodon):
        def _post_status(self, req: Request, token: str | None) -> Reply:
            return self.error(422, words)

    with Failing() as fake, caplog.at_level("INFO", logger="outreach"):
        queued = ledger.enqueue(post(3)).id
        report = run(ledger, clock, fake)
    [outcome] = [o for o in report.outcomes if o.delivery_id == queued]
    assert outcome.state == "failed"
    assert "Server says: Ошибка сервера." in outcome.detail and MARK in outcome.detail
    assert len(outcome.detail) <= 1000 and outcome.detail == ledger.get(queued).reason
    lines = [r.getMessage() for r in caplog.records if f"delivery {queued} " in r.getMessage()]
    assert lines and all("Server says: Ошибка сервера." in m for m in lines)
    assert max(len(m) for m in lines) < 1100, [len(m) for m in lines]


def test_a_takedown_refused_with_a_huge_error_text_is_recorded_cut(ledger, clock):
    words = "Validation failed: " + "Удаление невозможно. " * 3000

    class Keeping(FakeMastodon):
        def _one_status(self, req: Request, status_id: str) -> Reply:
            if req.method == "DELETE":
                return self.error(422, words)
            return super()._one_status(req, status_id)

    with Keeping() as fake:
        sent = ledger.enqueue(post(5)).id
        assert run(ledger, clock, fake).count("sent") == 1
        request, _ = ledger.request_actions(
            [ActionRequest(ledger.get(sent), "delete", "web:anna", "asked")]
        )
        run(ledger, clock, fake)
        [action] = ledger.actions(request=request)
        assert action.state == "refused" and action.detail is not None
        assert "Validation failed: Удаление невозможно." in action.detail
        assert MARK in action.detail and 900 < len(action.detail) <= 1000


@pytest.mark.parametrize(
    "text, limit, expected",
    [
        ("short", 10, "short"),
        ("abcdefghij", 10, "abcdefghij"),
        ("abcdefghijk", 10, "abcdefghi…"),
        ("abcdefghe\u0301x", 10, "abcdefgh…"),  # é as e + U+0301 stays whole
        ("abcdefgh👍🏽x", 10, "abcdefgh…"),  # a thumbs-up and its skin tone stay together
        ("abcdefg👩\u200d💻xyz", 10, "abcdefg…"),  # a ZWJ sequence is not split after the joiner
    ],
)
def test_cut_at_a_character_boundary(text, limit, expected):
    assert cut(text, limit) == expected
    assert len(cut(text, limit)) <= limit


# -- what else comes from outside: a feed server's validators, organisers' words --------

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>News</title><link>https://n.example.org/</link>
<item><title>First</title><link>https://n.example.org/1</link><guid>n-1</guid></item>
</channel></rss>"""


def test_a_feed_whose_etag_is_longer_than_the_store_keeps_is_still_read(tmp_path, store_url):
    with FeedServer() as server:
        server.put("feed.xml", RSS.encode(), etag='"' + "e" * 600 + '"')
        config = campaign(tmp_path, feeds=[{"id": "news", "url": server.url("feed.xml"),
                                            "backlog": 5}], announcements=[])  # fmt: skip
        clock = ManualClock()
        ledger = open_ledger(store_url, clock)
        watcher = FeedWatcher(config, ledger, Outbox(config, ledger), clock, Fetcher(timeout=5))
        first = watcher.poll(config.feeds[0])
        assert first.ok, first.error
        assert [i.title_in("en") for i in first.announced] == ["First"]
        state = ledger.feed_state("news")
        # kept only whole: a cut ETag would never match; Last-Modified still asks
        assert state is not None and state.etag is None and state.last_modified
        clock.advance(3600)
        again = watcher.poll(config.feeds[0])
        assert again.ok and again.announced == []
        assert server.requests[-1]["if_none_match"] is None
        assert server.requests[-1]["if_modified_since"] == state.last_modified
        ledger.close()


def test_a_takedown_asked_by_a_long_name_is_recorded_with_it_cut(ledger):
    sent = ledger.enqueue(post(3)).id
    who = "the command line (" + "Анна из штаба кампании, " * 20 + ")"
    request, _ = ledger.request_actions([ActionRequest(ledger.get(sent), "delete", who, "asked")])
    [action] = ledger.actions(request=request)
    assert action.requested_by.startswith("the command line (Анна из штаба")
    assert action.requested_by.endswith(MARK) and len(action.requested_by) == 200


def test_a_cron_longer_than_the_store_keeps_is_refused_whole(ledger, clock):
    every_minute = ",".join(str(m) for m in range(60)) + " * * * *"  # valid, 177 characters
    ann = StoredAnnouncement(id="often", template="news", page=None, channels=("*",),
                             timezone="UTC", at=None, cron=every_minute, source="cli")  # fmt: skip
    with pytest.raises(StoreError, match="its cron is 177 characters, over the 100"):
        ledger.save_announcement(ann)
    assert ledger.announcements() == []


def test_a_link_an_organiser_gives_longer_than_the_store_keeps_is_refused(ledger):
    ident = ledger.enqueue(post(4)).id
    ledger.give_up(ident, "unknown", "lost")
    with pytest.raises(StoreError, match="link is 1520 characters, over the 1000"):
        ledger.resolve(ident, "sent", "found it", "https://t.me/" + "x" * 1507)
    assert ledger.get(ident).state == "unknown"
    assert ledger.resolve(ident, "sent", "found it", "https://t.me/c/118").state == "sent"


# -- the campaign file: refused when it is loaded, with the line and the limit ---------


def write(tmp_path, text: str):
    p = tmp_path / "outreach.yaml"
    p.write_text(text, encoding="utf-8")
    return p


HEAD = "campaign:\n  name: x\n  base_url: https://e.org/\n"


def test_an_announcements_cron_too_long_to_keep_is_refused_at_load(tmp_path):
    every_minute = ",".join(str(m) for m in range(60)) + " * * * *"
    p = write(tmp_path, HEAD + f"announcements:\n  - id: often\n    template: news\n"
                               f"    cron: '{every_minute}'\n")  # fmt: skip
    with pytest.raises(ConfigError) as exc:
        load_config(p, {})
    assert f"{p}:7: announcements[0].cron" in str(exc.value)
    assert "177 characters, over the 100 outreach can keep" in str(exc.value)


def test_a_channels_id_or_instance_too_long_to_keep_is_refused_at_load(tmp_path):
    instance = "https://m.example.org/" + "i" * 1000
    p = write(tmp_path, HEAD + "channels:\n  - id: " + "m" * 70 + "\n    kind: mastodon\n"
                               f"    instance: {instance}\n    token_env: T\n")  # fmt: skip
    with pytest.raises(ConfigError) as exc:
        load_config(p, {"T": "x"})
    said = str(exc.value)
    assert f"{p}:5: channels[0].id" in said and "70 characters, over the 64" in said
    assert f"{p}:7: channels[0].instance" in said and "1022 characters, over the 1000" in said


def test_the_files_limits_are_the_stores():
    assert {
        "id": limit_of(ANNOUNCEMENTS.c.id),
        "template": limit_of(ANNOUNCEMENTS.c.template),
        "cron": limit_of(ANNOUNCEMENTS.c.cron),
        "server": limit_of(CHANNEL_LIMITS.c.source),
    } == STORED_CHARS
    assert limit_of(DELIVERIES.c.channel_id) == limit_of(SEEN_ITEMS.c.feed_id) == 64


def test_the_organiser_sees_the_long_answered_post_as_sent_and_told_to_act_by_hand(
    tmp_path, store_url
):
    from click.testing import CliRunner
    from correctionkit import campaign_file, env
    from fakes.telegram_server import FakeTelegram

    from outreach.cli import cli

    with LongAnswers() as ma, FakeTelegram() as tg:
        channels = [{"id": "mastodon-en", "language": "en", "kind": "mastodon",
                     "instance": ma.url, "token_env": "MA_TOKEN"}]  # fmt: skip
        path = campaign_file(tmp_path, ma, tg, channels=channels, store={"url": store_url})
        environ = {**env(), "OUTREACH_CONFIG": str(path), "COLUMNS": "250"}

        def run(*args: str, code: int = 0) -> str:
            result = CliRunner().invoke(cli, list(args), env=environ)
            assert result.exit_code == code, (result.output, result.exception)
            return result.stdout

        [sent] = json.loads(run("deliver", "home", "--json"))
        assert sent["state"] == "sent" and sent["remote_id"] is None
        assert sent["url"].startswith(f"{ma.url}/@campaign/ppp") and sent["url"].endswith(MARK)
        [shown] = json.loads(run("history", "--json"))
        assert shown["state"] == "sent" and shown["url"] == sent["url"]
        run("run", "--once")
        assert len(ma.statuses) == 1
        plan = run("takedown", "home", "--dry-run")
        assert "the platform gave no id to act on: do it by hand" in plan

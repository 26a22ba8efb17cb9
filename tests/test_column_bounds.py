"""A server's answer longer than the ledger's columns is recorded, never loses the write.

On PostgreSQL a value over its VARCHAR fails the whole transaction; SQLite keeps it
whole. Each test runs on both (PostgreSQL where one is reachable: CI has it).
"""

from __future__ import annotations

import itertools
import random
from typing import Any

import pytest
from fakes import ManualClock
from fakes._server import Reply, Request
from fakes.mastodon_server import FakeMastodon
from mastodonkit import publisher

from outreach.config import DeliverySettings
from outreach.delivery import DeliveryLoop
from outreach.ledger import Ledger
from outreach.ledger.bounds import MARK, cut
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

"""Failures before a request leaves, reasons that say one thing, and URLs in logs (issue 12)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from click.testing import CliRunner
from servicekit import FeedServer, feed_bytes, write_campaign
from test_delivery import MA_TOKEN, TG_TOKEN, World
from test_delivery import fakes as fakes  # the fixture

from outreach.cli import cli
from outreach.config import DeliverySettings
from outreach.networks.mastodon import MastodonChannel
from outreach.networks.telegram import TelegramChannel
from outreach.redact import MASK


@pytest.fixture
def world(tmp_path, fakes):
    w = World(tmp_path, *fakes)
    yield w
    w.close()  # its publishers too, as test_delivery's fixture does


@pytest.mark.parametrize("address", ["not a url", "ftp://x", "javascript:alert(1)"])
def test_an_unusable_api_address_fails_with_its_cause_never_unknown(world, address):
    # The config refuses these at load; a channel built past it must still not become
    # "may or may not be there": the HTTP client refused before anything was sent.
    world.channels["ru"] = TelegramChannel.model_construct(
        id="ru", kind="telegram", chat="@c", api_base_url=address, silent=False,
        link_preview=True, buttons=[], language="ru", token=None, token_env=None,
        token_file=None, quiet_hours=None,
    )  # fmt: skip
    i = world.enqueue("ru", 0)
    world.loop().run_once(max_wait=60)
    d = world.ledger.get(i)
    assert d.state == "failed", d.reason
    assert f"the Telegram API address {address!r} cannot be used" in d.reason
    assert "nothing was sent" in d.reason and "channels.ru.api_base_url" in d.reason
    assert TG_TOKEN not in d.reason and TG_TOKEN.split(":")[1] not in d.reason
    assert d.attempts == 1  # permanent: not retried


@pytest.mark.parametrize("address", ["not a url", "javascript:alert(1)"])
def test_an_unusable_mastodon_address_fails_with_its_cause(world, address):
    world.channels["ma"] = MastodonChannel.model_construct(
        id="ma", kind="mastodon", instance=address, visibility="public", content_warning=None,
        max_characters=None, language="en", token=None, token_env=None, token_file=None,
        quiet_hours=None,
    )  # fmt: skip
    i = world.enqueue("ma", 0)
    world.loop().run_once(max_wait=60)
    d = world.ledger.get(i)
    assert d.state == "failed" and d.attempts == 1, d.reason
    assert f"the Mastodon address {address!r} cannot be used" in d.reason
    assert "nothing was sent" in d.reason and "channels.ma.instance" in d.reason
    assert MA_TOKEN not in d.reason


def test_every_reason_says_one_thing(world):
    world.settings = DeliverySettings(retry_budget=2, backoff_base_seconds=1, timeout_seconds=0.8)
    world.masto.fail_next(9, reply=world.masto.error(503), path="/statuses")
    i = world.enqueue("ma", 0)
    world.loop().run_once(max_wait=600)
    reasons = [o.detail for _, o in world.outcomes]
    *retries, last = reasons
    assert len(retries) == 2
    for reason in retries:
        assert "next try at" in reason and "gave up" not in reason
        assert "try again" not in reason.split("; next try at")[0]
    assert last == world.ledger.get(i).reason
    assert last.startswith(
        f"gave up after 3 attempts; the last: {world.masto.url} answered HTTP 503"
    )
    assert "try again" not in last and "next try" not in last


def run_once_verbose(tmp_path: Path, feeds: list[dict], caplog) -> str:
    cfg = write_campaign(tmp_path, feeds=feeds, announcements=[])
    env = {
        "OUTREACH_CONFIG": str(cfg),
        "OUTREACH_DB_URL": f"sqlite:///{tmp_path / 'l.sqlite3'}",
        "OUTREACH_MASTODON_EN_TOKEN": None,
        "OUTREACH_TELEGRAM_TOKEN": None,
    }
    with caplog.at_level(logging.INFO):
        result = CliRunner().invoke(cli, ["run", "--once", "-v"], env=env)
    assert result.exit_code == 0, result.output
    return caplog.text + result.output


def test_a_private_feeds_key_is_masked_in_logs_and_a_public_feed_is_whole(tmp_path, caplog):
    with FeedServer() as server:
        server.documents["/private.xml?key=FEEDKEY-0123456"] = feed_bytes("rss2.xml")
        server.documents["/public.xml?lang=en"] = feed_bytes("atom.xml")
        private = server.url("/private.xml?key=FEEDKEY-0123456")
        public = server.url("/public.xml?lang=en")
        logged = run_once_verbose(
            tmp_path,
            [{"id": "private", "url": private}, {"id": "public", "url": public, "public": True}],
            caplog,
        )
    assert len(server.requests) == 2  # both were read, and httpx logged both requests
    assert "FEEDKEY-0123456" not in logged
    assert f"/private.xml?key={MASK}" in logged
    assert public in logged

"""A refused token or right (401, 403) tells the organiser what the server said, redacted.

Mastodon answers an error with JSON {"error": "..."} (docs.joinmastodon.org, Error
entity), e.g. "The access token was revoked" or "Your login is currently disabled";
Telegram with {"ok": false, "description": "..."}. Those words say which of several
causes it is, so they are quoted after ours, through the publisher's redaction: a
server (or a proxy before it) that echoes the token must not get it into a reason
the ledger keeps, a log line or the console.
"""

from __future__ import annotations

import json

import pytest
from fakes.mastodon_server import FakeMastodon
from fakes.telegram_server import FakeTelegram

from outreach.errors import PermanentError
from outreach.networks.mastodon import MastodonChannel
from outreach.networks.telegram import TelegramChannel
from outreach.post import Post
from outreach.publishers.mastodon import MastodonPublisher
from outreach.publishers.telegram import TelegramPublisher
from outreach.redact import MASK
from outreach.said import said_of

MA_TOKEN = "mastodon-SECRET-token-4242"
TG_TOKEN = "123456:SECRET-TOKEN-xyz"


def mastodon(fake: FakeMastodon) -> MastodonPublisher:
    channel = MastodonChannel(id="ma", kind="mastodon", instance=fake.url)
    return MastodonPublisher(channel, MA_TOKEN, token_name="$MA_TOKEN", timeout=20)


def telegram(fake: FakeTelegram) -> TelegramPublisher:
    channel = TelegramChannel(id="tg", kind="telegram", chat="@freeales_ru", api_base_url=fake.url)
    return TelegramPublisher(channel, TG_TOKEN, token_name="$TG_TOKEN", timeout=20)


def no_token(text: str, token: str) -> bool:
    return token not in text and all(part not in text for part in token.split(":") if len(part) > 5)


@pytest.mark.parametrize(
    ("status", "error", "ours"),
    [
        (401, "The access token was revoked", "rejected the access token"),
        (403, "Your login is currently disabled", "refused channel 'ma'"),
    ],
)
def test_mastodons_own_words_follow_ours_when_it_refuses_the_token(status, error, ours):
    with FakeMastodon() as fake:
        fake.fail_next(1, reply=fake.error(status, error), path="/statuses")
        with pytest.raises(PermanentError) as exc:
            mastodon(fake).publish(Post("ma", "mastodon", "Day 5000", "en"), "k")
    said = str(exc.value)
    assert f"(HTTP {status}: {error})" in said and ours in said
    assert "$MA_TOKEN" in said  # and where to put a new one


def test_doctor_quotes_mastodons_words_for_a_revoked_token():
    with FakeMastodon() as fake:
        fake.fail_next(1, reply=fake.error(401, "The access token was revoked"))
        check = mastodon(fake).check()
    assert not check.ok
    assert "(HTTP 401: The access token was revoked)" in check.problems[0]


def test_telegrams_own_words_follow_ours_when_it_refuses_the_token():
    with FakeTelegram() as fake:
        fake.fail_next(1, reply=fake.error(401, "Unauthorized"))
        with pytest.raises(PermanentError) as exc:
            telegram(fake).publish(Post("tg", "telegram", "<b>Day 5000</b>", "ru"), "k")
    said = str(exc.value)
    assert "Telegram rejected the bot token in $TG_TOKEN" in said
    assert "Telegram: Unauthorized" in said and "@BotFather" in said


def test_a_server_that_echoes_the_token_gets_it_masked_in_what_the_organiser_reads():
    with FakeMastodon() as ma, FakeTelegram() as tg:
        ma.fail_next(1, reply=ma.error(401, f"The access token {MA_TOKEN} was revoked"))
        tg.fail_next(1, reply=tg.error(401, f"Unauthorized: bot{TG_TOKEN} is not valid"))
        with pytest.raises(PermanentError) as ma_exc:
            mastodon(ma).publish(Post("ma", "mastodon", "Day 5000", "en"), "k")
        with pytest.raises(PermanentError) as tg_exc:
            telegram(tg).publish(Post("tg", "telegram", "<b>Day 5000</b>", "ru"), "k")
    ma_said, tg_said = str(ma_exc.value), str(tg_exc.value)
    assert f"The access token {MASK} was revoked" in ma_said and no_token(ma_said, MA_TOKEN)
    assert f"Unauthorized: bot{MASK} is not valid" in tg_said and no_token(tg_said, TG_TOKEN)
    # ... nor in the key and values the ledger keeps for the console to word it (said.py).
    for exc, token in ((ma_exc, MA_TOKEN), (tg_exc, TG_TOKEN)):
        kept = json.dumps(said_of(exc.value).to_json(), ensure_ascii=False)
        assert MASK in kept and no_token(kept, token)

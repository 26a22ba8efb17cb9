"""`outreach doctor` and the organisers' delivery commands, in-process against the fakes."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from fakes.mastodon_server import FakeMastodon
from fakes.telegram_server import Chat, FakeTelegram
from servicekit import write_campaign

from outreach.cli import COMMANDS, cli
from outreach.config import BUNDLED_CONFIG
from outreach.ledger import open_ledger
from outreach.post import Post

TG_TOKEN = "123456:SECRET-TOKEN-xyz"
MA_TOKEN = "mastodon-SECRET-abcdef"


class Setup:
    def __init__(self, folder: Path, masto: FakeMastodon, tg: FakeTelegram) -> None:
        tg.add_chat(Chat(-1003, "member_only", "M", bot_status="member"))
        channels = [
            {"id": "ma", "kind": "mastodon", "instance": masto.url, "token_env": "MA_TOKEN",
             "language": "en"},
            {"id": "ru", "kind": "telegram", "chat": "@freeales_ru", "api_base_url": tg.url,
             "token_env": "TG_TOKEN", "language": "ru",
             "buttons": [{"label": "Sign", "url": "https://e.org/sign"}]},
            {"id": "be", "kind": "telegram", "chat": "@member_only", "api_base_url": tg.url,
             "token_env": "TG_TOKEN", "language": "be"},
            {"id": "dry", "kind": "telegram", "chat": "@nobody", "token_env": "UNSET_TOKEN",
             "language": "ru"},
        ]  # fmt: skip
        self.store = f"sqlite:///{folder / 'ledger.sqlite3'}"
        pages = yaml.safe_load(BUNDLED_CONFIG.read_text(encoding="utf-8"))["pages"]
        for page in pages:
            if page.get("image"):  # served by the fake: tests never reach the internet
                page["image"]["url"] = f"{masto.url}/static/{page['id']}.png"
        self.env = {
            "OUTREACH_CONFIG": str(
                write_campaign(folder, channels=channels, pages=pages, announcements=[])
            ),
            "OUTREACH_DB_URL": self.store,
            "MA_TOKEN": MA_TOKEN,
            "TG_TOKEN": TG_TOKEN,
            "UNSET_TOKEN": None,
        }
        self.masto, self.tg = masto, tg

    def __call__(self, *args: str, code: int = 0):
        result = CliRunner().invoke(cli, list(args), env=self.env)
        assert result.exit_code == code, (result.output, result.exception)
        return result


@pytest.fixture
def setup(tmp_path):
    with FakeMastodon() as masto, FakeTelegram() as tg:
        yield Setup(tmp_path, masto, tg)


def test_doctor_checks_every_channel_for_real_and_says_what_to_fix(setup):
    out = setup("doctor", code=1).output
    assert "ok  ma (mastodon)" in out and "logged in as @campaign" in out
    assert "posts may have up to 500 characters" in out
    assert "ok  ru (telegram)" in out and "administrator allowed to post" in out
    assert "FIX be (telegram)" in out
    assert "fix: the bot is member of @member_only, not an administrator" in out
    assert "allow 'Post messages'" in out
    assert "ok  dry (telegram)" in out and "to go live, set $UNSET_TOKEN" in out
    assert setup.masto.statuses == [] and setup.tg.messages == [], "doctor never posts"
    assert TG_TOKEN in setup.tg.tokens_seen, "the bot really asked Telegram"


def test_doctor_json_and_one_channel(setup):
    checks = json.loads(setup("doctor", "ma", "--json").stdout)
    assert [c["channel_id"] for c in checks] == ["ma"]
    assert checks[0]["ok"] and checks[0]["limits"]["max_characters"] == 500
    assert "unknown channel 'nope'" in setup("doctor", "nope", code=1).output


def test_doctor_names_the_variable_of_a_rejected_token(setup):
    setup.masto.tokens = {"another"}
    out = setup("doctor", "ma", code=1).output
    assert "HTTP 401" in out and "$MA_TOKEN" in out and MA_TOKEN not in out


def test_deliver_posts_once_and_organisers_resolve_and_retry(setup):
    out = setup("deliver", "ales", "--channel", "ma", "--channel", "ru", "--wait", "5").output
    assert "sent http://127.0.0.1" in out and "sent https://t.me/freeales_ru/1" in out
    [message] = setup.tg.messages
    assert message["reply_markup"]["inline_keyboard"] == [
        [{"text": "Sign", "url": "https://e.org/sign"}]
    ]
    assert "Ales" in setup.masto.statuses[0]["status"]
    # Once: a second deliver queues nothing new.
    again = setup("deliver", "ales", "--channel", "ru", "--wait", "0")
    assert "already queued as #" in again.stderr and len(setup.tg.messages) == 1

    rows = json.loads(setup("deliveries", "--json").stdout)  # newest first
    assert [(r["channel"], r["state"]) for r in rows] == [("ru", "sent"), ("ma", "sent")]
    assert rows[0]["remote_url"] == "https://t.me/freeales_ru/1"
    assert setup.tg.messages[0]["photo"] == f"{setup.masto.url}/static/ales.png"
    [media] = setup.masto.media.values()
    assert media["description"] == "Portrait of Ales Bialiatski"


def test_unknown_deliveries_are_listed_resolved_and_retried(setup):
    ledger = open_ledger(setup.store)
    i = ledger.enqueue(Post("ru", "telegram", "<b>hi</b>", "ru", about="news:x")).id
    claim = ledger.claim(i, dt.timedelta(seconds=60))
    ledger.finish_unknown(claim, "Telegram did not answer in time")
    listed = setup("deliveries", "--state", "unknown").output
    assert f"#{i} ru [news:x]: unknown" in listed and "did not answer in time" in listed
    setup("retry", str(i))
    assert ledger.get(i).state == "sent" and setup.tg.texts() == ["<b>hi</b>"]
    assert "is sent; only a delivery that is" in setup("retry", str(i), code=1).output
    j = ledger.enqueue(Post("ru", "telegram", "<b>two</b>", "ru", about="news:y")).id
    claim = ledger.claim(j, dt.timedelta(seconds=60))
    ledger.finish_unknown(claim, "timed out")
    out = setup("resolve", str(j), "sent", "--url", "https://t.me/freeales_ru/9").output
    assert "sent https://t.me/freeales_ru/9" in out
    assert ledger.get(j).reason == "marked sent by an organiser"
    assert "states are pending" in setup("deliveries", "--state", "nope", code=2).output
    ledger.close()


def test_commands_are_registered_and_documented_with_an_example():
    for name in ("doctor", "deliver", "deliveries", "resolve", "retry"):
        assert name in COMMANDS
        cmd = cli.get_command(None, name)  # type: ignore[arg-type]
        assert "Example" in (cmd.help or ""), name
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for name in ("doctor", "deliver", "deliveries", "resolve", "retry"):
        assert f"outreach {name}" in readme, name


def test_deliveries_shows_the_newest_first_and_pages_back(setup):
    """1,200 rows: `--limit 3` is the newest 3 (it once showed #998-1000 of the first 1,000)."""
    ledger = open_ledger(setup.store)
    with ledger.batch() as batch:
        ids = [
            batch.enqueue(Post("ru", "telegram", f"<b>{n}</b>", "ru", about=f"news:{n}")).id
            for n in range(1200)
        ]
    ledger.close()

    def listed(*args: str) -> list[str]:
        return [line.split()[0] for line in setup("deliveries", *args).output.splitlines()]

    assert listed("--limit", "3") == [f"#{i}" for i in ids[-1:-4:-1]]
    assert listed("--limit", "3", "--before", str(ids[-3])) == [f"#{i}" for i in ids[-4:-7:-1]]
    rows = json.loads(setup("deliveries", "--json", "--channel", "ru").stdout)
    assert [r["id"] for r in rows] == ids[-1:-101:-1]  # the default page: the newest 100
    assert listed("--limit", "2", "--before", str(ids[1])) == [f"#{ids[0]}"]


def test_deliver_keeps_a_news_item_delivered_before_its_id_was_shown_once(setup):
    # a store written before news abouts lost their doubled prefix (news:news:<slug>)
    ledger = open_ledger(setup.store)
    old = "news:news:freeales-2012-01-pressure"
    ledger.enqueue(Post("ru", "telegram", "<b>x</b>", "ru", about=old), dedupe_key=old)
    ledger.close()
    again = setup("deliver", "news:freeales-2012-01-pressure", "--channel", "ru", "--wait", "0")
    assert "already queued as #1" in again.stderr
    assert [m["text"] for m in setup.tg.messages] == ["<b>x</b>"]  # the old row, no new one
    assert len(json.loads(setup("deliveries", "--json").stdout)) == 1

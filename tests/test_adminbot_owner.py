"""Whose announcement is it: only the organiser who scheduled one in the bot cancels it there.

Through the real bot against the fake Bot API; the campaign's own announcements
(the campaign file's, the CLI's) stay cancellable by any organiser.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from adminkit import ANNA, BORIS, Harness, buttons
from click.testing import CliRunner
from servicekit import write_campaign

from outreach import announcements
from outreach.announcement_sync import sync_yaml
from outreach.cli import cli
from outreach.ledger import StoredAnnouncement, open_ledger
from outreach.post import Post

NOTHING = "Nothing was changed."
ANNA_SHOWN = "U111 (@u111), Telegram id 111"
"""How adminkit's Anna (first name U111, username u111) is named to others."""


def snapshot(bot: Harness) -> tuple[list, list]:
    return bot.ledger.deliveries(), bot.ledger.announcements()


def schedule_as_anna(bot: Harness) -> tuple[str, int]:
    """Anna's announcement for tomorrow 10:00, with one of its posts already queued."""
    question = bot.say(ANNA, "/schedule tomorrow 10:00 reminder ales")[0]
    bot.press(ANNA, question, buttons(question)[0]["callback_data"])
    [ann] = bot.ledger.announcements()
    about = f"announcement:{ann.id}"
    post = Post("telegram-ru", "telegram", "<b>reminder</b>", "ru", about=about)
    return ann.id, bot.ledger.enqueue(post, due_at=ann.at).id


def test_the_bot_records_who_scheduled(bot):
    ident, _ = schedule_as_anna(bot)
    stored = bot.ledger.announcement(ident)
    assert (stored.created_by_id, stored.created_by_name) == (ANNA, "U111 (@u111)")
    assert stored.creator == ANNA_SHOWN


def test_boris_cannot_cancel_annas_announcement_anna_can(bot):
    ident, delivery = schedule_as_anna(bot)
    before = snapshot(bot)
    text = bot.texts(BORIS, f"/cancel {ident}")
    assert text == (
        f"Announcement {ident} was scheduled by {ANNA_SHOWN}: only they can cancel it here. "
        f"Ask them, or cancel it from the command line with `outreach schedule cancel {ident}`. "
        f"{NOTHING}"
    )
    assert snapshot(bot) == before

    text = bot.texts(ANNA, f"/cancel {ident}")
    assert text.startswith(f"Cancelled announcement {ident} (reminder, at Mon 2 Mar 2026 10:00")
    assert "1 queued post(s) cancelled with it" in text
    assert bot.ledger.announcement(ident).state == "cancelled"
    assert bot.ledger.get(delivery).state == "cancelled"


def test_boris_cannot_cancel_a_queued_post_of_annas_announcement(bot):
    ident, delivery = schedule_as_anna(bot)
    before = snapshot(bot)
    text = bot.texts(BORIS, f"/cancel {delivery}")
    assert f"Delivery {delivery} to telegram-ru is a post of announcement {ident}" in text
    assert f"scheduled by {ANNA_SHOWN}: only they can cancel it here" in text
    assert f"`outreach schedule cancel {ident}`" in text and text.endswith(NOTHING)
    assert snapshot(bot) == before

    assert bot.texts(ANNA, f"/cancel {delivery}").startswith(f"Cancelled delivery {delivery}")
    assert bot.ledger.get(delivery).state == "cancelled"
    assert bot.ledger.announcement(ident).state == "active"


def test_the_campaign_files_announcement_and_its_posts_are_anyones(bot):
    sync_yaml(bot.config, bot.ledger)
    assert bot.ledger.announcement("weekly-day-count").created_by_id is None
    post = Post(
        "telegram-ru", "telegram", "<b>day</b>", "ru", about="announcement:weekly-day-count"
    )
    delivery = bot.ledger.enqueue(post).id
    assert bot.texts(BORIS, f"/cancel {delivery}").startswith(f"Cancelled delivery {delivery}")
    text = bot.texts(BORIS, "/cancel weekly-day-count")
    assert text.startswith("Cancelled announcement weekly-day-count") and "stays cancelled" in text
    assert bot.ledger.announcement("weekly-day-count").state == "cancelled"


def test_a_cli_announcement_is_anyones(bot):
    announcements.add(
        bot.config, bot.ledger, ident="verdict", template="reminder", page="ales",
        at="2026-03-04 10:00", now=bot.clock(),
    )  # fmt: skip
    assert bot.texts(BORIS, "/cancel verdict").startswith("Cancelled announcement verdict")
    assert bot.ledger.announcement("verdict").state == "cancelled"


def test_queue_names_who_scheduled(bot):
    ident, _ = schedule_as_anna(bot)
    sync_yaml(bot.config, bot.ledger)
    lines = bot.texts(BORIS, "/queue").splitlines()
    annas = [line for line in lines if line.startswith(f"  next: {ident} ")]
    assert annas and all(line.endswith(f", scheduled by {ANNA_SHOWN}") for line in annas)
    weekly = [line for line in lines if line.startswith("  next: weekly-day-count ")]
    assert weekly and not any("scheduled by" in line for line in weekly)


def test_schedule_list_names_who_scheduled(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    env = {"OUTREACH_CONFIG": str(write_campaign(tmp_path)), "OUTREACH_DB_URL": url}
    env |= {"COLUMNS": "250", "OUTREACH_FAKE_NOW": "2026-03-01T12:00:00+03:00"}
    ledger = open_ledger(url)
    at = dt.datetime(2026, 3, 2, 7, tzinfo=dt.UTC)
    for ident, by in (("annas", ANNA), ("clis", None)):
        ledger.save_announcement(StoredAnnouncement(
            id=ident, template="reminder", channels=("*",), timezone="Europe/Minsk", at=at,
            source="cli", created_by_id=by, created_by_name="Anna K (@anna)" if by else None,
        ))  # fmt: skip
    ledger.close()
    runner = CliRunner()
    result = runner.invoke(cli, ["schedule", "list", "--json"], env=env)
    assert result.exit_code == 0, result.output
    listed = {a["id"]: a for a in json.loads(result.stdout)}
    assert listed["annas"]["created_by"] == {"telegram_id": ANNA, "name": "Anna K (@anna)"}
    assert listed["clis"]["created_by"] is None
    table = runner.invoke(cli, ["schedule", "list"], env=env).stdout
    [annas] = [line for line in table.splitlines() if "annas" in line]
    [clis] = [line for line in table.splitlines() if "clis" in line]
    assert "Anna K (@anna), Telegram id 111" in annas and "the campaign" in clis


def test_a_ledger_from_before_the_creator_columns_is_refused_in_words(tmp_path: Path):
    import sqlite3

    from outreach.errors import StoreError

    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:  # the announcements table as earlier releases made it
        db.execute(
            "CREATE TABLE announcements (id VARCHAR(64) PRIMARY KEY, template VARCHAR(200), "
            "page VARCHAR(64), channels JSON, at DATETIME, cron VARCHAR(100), "
            "timezone VARCHAR(64), source VARCHAR(8), state VARCHAR(16), created_at DATETIME)"
        )
        db.execute(
            "INSERT INTO announcements VALUES ('old', 'reminder', 'ales', '[\"*\"]', NULL, "
            "'0 10 * * mon', 'Europe/Minsk', 'yaml', 'active', '2025-01-01 10:00:00')"
        )
    with pytest.raises(StoreError) as err:
        open_ledger(f"sqlite:///{path}")
    assert "made by an older outreach" in str(err.value)
    assert "`outreach db upgrade`" in str(err.value)
    result = CliRunner().invoke(
        cli, ["db", "upgrade"], env={"OUTREACH_DB_URL": f"sqlite:///{path}"}
    )
    assert result.exit_code == 0, result.output
    ledger = open_ledger(f"sqlite:///{path}")  # as the message says, and it opens
    old = ledger.announcement("old")
    assert old is not None and old.cron == "0 10 * * mon" and old.created_by_id is None
    ledger.close()

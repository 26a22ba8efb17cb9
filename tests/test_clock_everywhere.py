"""OUTREACH_FAKE_NOW is honoured by every command that reads the time.

Each test runs a command on a simulated clock set years ahead of the machine's
and looks for that date where an organiser or a subscriber would see it: in
a post's text (an organiser's template prints `clock.today`), in a share
link, in the ledger's times, in the admin bot's answers, in what `check`
finds. The note that the clock is simulated is printed once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

from adminkit import ANNA
from click.testing import CliRunner
from fakes.telegram_server import FakeTelegram
from servicekit import write_campaign

from outreach.app import App
from outreach.cli import cli

FAKE_NOW = "2031-05-06T12:00:00+00:00"
FAKE_DAY = "2031-05-06"
NOTE = "note: simulated clock from 2031-05-06T12:00:00+00:00"


def channel(ident: str, kind: str = "telegram") -> dict[str, Any]:
    where = {"chat": f"@{ident}"} if kind == "telegram" else {"instance": "https://m.example"}
    return {"id": ident, "kind": kind, "language": "en", **where}  # no token: dry-run


def campaign(folder: Path, templates: dict[str, str], **sections: Any) -> dict[str, str]:
    """A campaign with the organiser's own templates; the CLI environment to run it."""
    for name, text in templates.items():
        path = folder / "mine" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    sections.setdefault("channels", [channel("tg-en")])
    path = write_campaign(folder, messages_dir="mine", announcements=[], **sections)
    return {
        "OUTREACH_CONFIG": str(path),
        "OUTREACH_DB_URL": f"sqlite:///{folder / 'ledger.sqlite3'}",
        "OUTREACH_FAKE_NOW": FAKE_NOW,
        "OUTREACH_CLOCK_SPEED": "",
    }


DATED = {
    "page/telegram.en.j2": "{{ item.title }} on {{ clock.today }}",
    "page/share.en.j2": "{{ item.title }} on {{ clock.today }}",
}


def invoke(env: dict[str, str], *args: str):
    result = CliRunner().invoke(cli, list(args), env=env)
    assert result.stderr.count("note: simulated clock") <= 1, result.stderr
    return result


def test_preview_renders_as_of_the_simulated_clock_by_default(tmp_path: Path):
    env = campaign(tmp_path, DATED)
    result = invoke(env, "preview", "ales", "--json")
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert shown["at"].startswith(FAKE_DAY)
    [post] = shown["posts"]
    assert post["post"]["text"].endswith(f"on {FAKE_DAY}")
    assert NOTE in result.stderr


def test_share_links_carry_text_made_on_the_simulated_clock(tmp_path: Path):
    env = campaign(tmp_path, DATED)
    result = invoke(env, "share", "ales", "--lang", "en", "--json")
    assert result.exit_code == 0, result.output
    links = json.loads(result.stdout)["links"]
    texts = [v for link in links for v in link["params"].values()]
    assert any(t.endswith(f"on {FAKE_DAY}") for t in texts), texts
    assert any(f"on {FAKE_DAY}" in unquote_plus(link["href"]) for link in links)
    assert NOTE in result.stderr


def test_check_renders_every_post_as_of_the_simulated_clock(tmp_path: Path):
    # A template that breaks only from 2031 on: check finds it today when today is 2031.
    breaks_2031 = "{{ item.title }}{% if clock.today.year >= 2031 %}{{ no_such_thing }}{% endif %}"
    env = campaign(tmp_path, {"page/telegram.en.j2": breaks_2031})
    found = invoke(env, "check", "--json")
    assert found.exit_code == 1
    assert "no_such_thing" in found.stdout and "telegram.en.j2" in found.stdout
    env["OUTREACH_FAKE_NOW"] = "2030-05-06T12:00:00+00:00"
    assert invoke(env, "check").exit_code == 0


def test_deliver_queues_renders_and_records_on_the_simulated_clock(tmp_path: Path):
    env = campaign(tmp_path, DATED)
    result = invoke(env, "deliver", "ales", "--json", "--wait", "5")
    assert result.exit_code == 0, result.output
    assert f"on {FAKE_DAY}" in result.stdout  # the dry-run publisher printed the post
    rows = json.loads(result.stdout[result.stdout.index("[\n") :])
    [row] = rows
    assert row["state"] == "sent" and row["dry_run"]
    assert row["due_at"].startswith(FAKE_DAY) and row["sent_at"].startswith(FAKE_DAY)
    assert result.stderr.count(NOTE) == 1


def test_schedule_add_reads_tomorrow_from_the_simulated_clock(tmp_path: Path):
    env = campaign(tmp_path, DATED)
    added = invoke(
        env, "schedule", "add", "soon", "--template", "reminder", "--at", "tomorrow 10:00", "--json"
    )
    assert added.exit_code == 0, added.output
    assert json.loads(added.stdout)["next"].startswith("2031-05-07")


def test_the_admin_bots_views_use_the_simulated_clock(tmp_path: Path):
    with FakeTelegram() as tg:
        tg.add_user(ANNA)
        admin = {
            "token_env": "ADMIN_TOKEN",
            "allowed_users": [ANNA],
            "api_base_url": tg.url,
        }
        env = campaign(tmp_path, DATED, admin=admin)
        notes: list[str] = []
        app = App(None, {**env, "ADMIN_TOKEN": "777000:ADMIN-fake-now"}, notify=notes.append)
        bot = app.admin_bot(alerts=False, polling=False)
        loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(bot.initialize())
            for n, command in enumerate(("/status", "/queue"), start=1):
                say(loop, bot, n, command)
        finally:
            loop.run_until_complete(bot.shutdown())
            loop.close()
            app.close()
        status, queue = (m["text"] for m in tg.messages if m["chat"] == str(ANNA))
    assert status.startswith("Status at ") and "6 May 2031" in status.splitlines()[0], status
    assert queue.startswith("Queue at ") and "6 May 2031" in queue.splitlines()[0], queue
    assert len(notes) == 1


def say(loop: asyncio.AbstractEventLoop, bot: Any, n: int, text: str) -> None:
    from telegram import Update

    message = {
        "message_id": 100 + n,
        "date": int(time.time()),
        "chat": {"id": ANNA, "type": "private", "first_name": "Anna"},
        "from": {"id": ANNA, "is_bot": False, "first_name": "Anna"},
        "text": text,
        "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}],
    }
    update = Update.de_json({"update_id": n, "message": message}, bot.bot)
    loop.run_until_complete(bot.process_update(update))


def test_the_system_clock_without_the_variables():
    app = App(None, {})
    moment = app.clock.now()
    assert abs(moment - dt.datetime.now(dt.UTC)) < dt.timedelta(seconds=5)
    assert not app.clock.simulated


def test_nothing_but_the_clock_reads_the_time():
    import re

    package = Path(__file__).resolve().parents[1] / "outreach"
    reads = re.compile(
        r"\b(datetime\.(now|utcnow|today)|date\.today|time\.(time|monotonic|perf_counter))\b"
    )
    found = [
        f"{path.relative_to(package)}:{n}: {line.strip()}"
        for path in sorted(package.rglob("*.py"))
        if path.name != "clock.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if reads.search(line)
    ]
    assert found == []

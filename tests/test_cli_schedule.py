"""The organiser's commands in-process (click's CliRunner): run --once, schedule, history, feeds."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from servicekit import write_campaign

from outreach.cli import COMMANDS, cli

WEEKLY = {"id": "weekly", "template": "reminder", "page": "ales", "cron": "0 10 * * mon"}
MONDAY_10 = "2026-03-02T10:00:20+03:00"
NO_TOKENS = {"OUTREACH_MASTODON_EN_TOKEN": None, "OUTREACH_TELEGRAM_TOKEN": None}


class Cli:
    def __init__(self, folder: Path, **sections) -> None:
        sections.setdefault("feeds", [{"id": "news", "path": "news.xml", "backlog": 1}])
        sections.setdefault("announcements", [WEEKLY])
        self.env = {
            "OUTREACH_CONFIG": str(write_campaign(folder, **sections)),
            "OUTREACH_DB_URL": f"sqlite:///{folder / 'ledger.sqlite3'}",
            "COLUMNS": "200",  # rich tables wrap at 80 columns when not on a terminal
            **NO_TOKENS,
        }
        self.runner = CliRunner()

    def __call__(self, *args: str, now: str | None = None, code: int = 0):
        env = dict(self.env)
        if now:
            env["OUTREACH_FAKE_NOW"] = now
        result = self.runner.invoke(cli, list(args), env=env)
        assert result.exit_code == code, (result.output, result.exception)
        return result

    def json(self, *args: str, now: str | None = None, code: int = 0):
        return json.loads(self(*args, "--json", now=now, code=code).stdout)


@pytest.fixture
def run_cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path)


def test_run_once_shows_the_queue_and_the_dry_run_posts(run_cli: Cli):
    out = run_cli("run", "--once", now="2026-03-01T12:00:00+03:00").stdout
    assert "feed news: 1 new item(s) (first read: the newest 1 announced, 3 older left out)" in out
    assert "Queue: 3 post(s)" in out
    assert "--- dry-run: telegram channel telegram-be (@freeales_be) ---" in out
    assert "Under pressure even behind bars" in out
    assert (
        "Done: 3 dry-run (not posted)" in out and "sent" not in out.split("Done:")[1].split("\n")[0]
    )
    assert "set $OUTREACH_MASTODON_EN_TOKEN, $OUTREACH_TELEGRAM_TOKEN to go live" in out
    assert "next: weekly at 2026-03-02 10:00 Europe/Minsk" in out
    again = run_cli("run", "--once", now="2026-03-01T12:05:00+03:00").stdout
    assert "Queue: nothing due." in again and "dry-run:" not in again


def test_run_once_prints_a_long_queue_as_a_count_and_its_first_rows(tmp_path: Path):
    from outreach.cli.run_output import QUEUE_ROWS

    items = "".join(
        f"<item><title>Item {i}</title><link>https://example.org/n/{i}</link>"
        f"<guid>n-{i}</guid></item>"
        for i in range(10)
    )
    (tmp_path / "big.xml").write_text(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>',
        encoding="utf-8",
    )
    run_cli = Cli(tmp_path, feeds=[{"id": "big", "path": "big.xml", "backlog": 10}])
    out = run_cli("run", "--once", now="2026-03-01T12:00:00+03:00").stdout
    queue = out.split("Queue: 30 post(s)", 1)[1].split("--- dry-run", 1)[0]
    assert queue.count("big:") == QUEUE_ROWS < 30
    heading, first = queue.strip().splitlines()[:2]
    assert heading.split() == ["#", "channel", "about", "due"]
    assert first.split()[1:] == ["mastodon-en", "big:n-9", "now"]  # the oldest item first
    assert first.index("big:") == heading.index("about")  # aligned columns
    assert f"... and {30 - QUEUE_ROWS} more; `outreach deliveries --state pending`" in queue
    assert out.count("--- dry-run:") == 30  # every post still goes out


def test_run_once_shows_the_soonest_next_times_in_the_campaign_zone_and_how_many_more(
    tmp_path: Path,
):
    from outreach.cli.run_output import NEXT_ROWS

    # eight one-offs, declared latest first, and the weekly: nine next times, in UTC here
    later = [
        {"id": f"day-{d}", "template": "reminder", "page": "ales", "at": f"2026-03-{d:02d}T09:30:00+00:00"}
        for d in range(20, 12, -1)
    ]  # fmt: skip
    run_cli = Cli(tmp_path, announcements=[WEEKLY, *later])
    out = run_cli("run", "--once", now="2026-03-01T12:00:00+03:00").stdout
    shown = [line for line in out.splitlines() if line.startswith("next: ")]
    assert (
        shown
        == [
            "next: weekly at 2026-03-02 10:00 Europe/Minsk",
            "next: day-13 at 2026-03-13 12:30 Europe/Minsk",  # 09:30 UTC in the campaign's zone
            "next: day-14 at 2026-03-14 12:30 Europe/Minsk",
            "next: day-15 at 2026-03-15 12:30 Europe/Minsk",
            "next: day-16 at 2026-03-16 12:30 Europe/Minsk",
        ][:NEXT_ROWS]
    )
    assert f"... and {9 - NEXT_ROWS} more announcement(s); `outreach schedule list`" in out
    listed = run_cli("schedule", "list", now="2026-03-01T12:05:00+03:00").stdout
    assert all(f"day-{d}" in listed for d in range(13, 21))  # every one, there
    report = run_cli.json("run", "--once", now="2026-03-01T12:10:00+03:00")
    assert [n["announcement"] for n in report["next"]] == ["weekly"] + [
        f"day-{d}" for d in range(13, 21)
    ]


def test_run_once_json_is_clean_json_and_reports_outcomes(run_cli: Cli):
    run_cli("run", "--once", now="2026-03-01T12:00:00+03:00")
    report = run_cli.json("run", "--once", now=MONDAY_10)
    assert [o["state"] for o in report["outcomes"]] == ["sent"] * 3
    assert {o["channel"] for o in report["outcomes"]} == {
        "mastodon-en",
        "telegram-ru",
        "telegram-be",
    }
    assert report["feeds"][0]["unchanged"] is True
    assert report["next"] == [{"announcement": "weekly", "at": "2026-03-09T07:00:00+00:00"}]


def test_history_shows_what_went_out_and_what_was_missed_with_reasons(run_cli: Cli):
    run_cli("run", "--once", now="2026-03-01T12:00:00+03:00")
    run_cli("run", "--once", now="2026-03-02T15:00:00+03:00")  # five hours after Monday 10:00
    rows = run_cli.json("history")
    missed = [r for r in rows if r["state"] == "missed"]
    assert {r["channel"] for r in missed} == {"mastodon-en", "telegram-ru", "telegram-be"}
    assert all("grace window is 60 min" in r["reason"] for r in missed)
    sent = [r for r in rows if r["state"] == "sent"]
    assert len(sent) == 3 and all(r["dry_run"] for r in sent)
    table = run_cli("history").stdout
    assert "missed" in table and "sent (dry-run)" in table
    only = run_cli.json("history", "--state", "missed", "--channel", "telegram-be")
    assert [r["channel"] for r in only] == ["telegram-be"]


def test_schedule_add_list_cancel(run_cli: Cli):
    now = "2026-03-01T12:00:00+03:00"
    added = run_cli.json(
        "schedule", "add", "verdict", "--template", "reminder", "--page", "ales",
        "--at", "2026-03-04 10:00", "--channel", "telegram-be", now=now,
    )  # fmt: skip
    assert added["at"] == "2026-03-04T07:00:00+00:00" and added["source"] == "cli"
    assert added["next"] == "2026-03-04T07:00:00+00:00"
    listed = {a["id"]: a for a in run_cli.json("schedule", "list", now=now)}
    assert set(listed) == {"weekly", "verdict"}
    assert listed["weekly"]["source"] == "yaml"
    assert "verdict" in run_cli("schedule", "list", now=now).stdout
    assert run_cli.json("schedule", "cancel", "verdict")["state"] == "cancelled"
    assert [a["id"] for a in run_cli.json("schedule", "list", now=now)] == ["weekly"]
    assert {a["id"] for a in run_cli.json("schedule", "list", "--all", now=now)} == {
        "weekly",
        "verdict",
    }
    # a cancelled announcement never fires
    report = run_cli.json("run", "--once", now="2026-03-04T10:00:10+03:00")
    assert all("verdict" not in json.dumps(o) for o in report["outcomes"])


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["--at", "2026-02-01 10:00"],
            "--at: '2026-02-01 10:00' is Sun 1 Feb 2026 10:00 Europe/Minsk (07:00 UTC), which is not in the future",
        ),
        (
            ["--at", "2026-02-30 10:00"],
            "--at: I could not read '2026-02-30 10:00' as a date and time",
        ),
        (
            ["--at", "2026-03-29 02:30", "--timezone", "Europe/Paris"],
            "--at: 2026-03-29 02:30:00 does not exist in Europe/Paris",
        ),
        (["--cron", "0 10 * *"], "--cron: cron '0 10 * *' needs 5 fields"),
        (["--cron", "0 10 31 2 *"], "--cron: '0 10 31 2 *' never fires"),
        (["--at", "2026-04-01 10:00", "--cron", "0 10 * * *"], "exactly one of --at"),
        (["--at", "2026-04-01 10:00", "--channel", "nope"], "--channel: unknown channel 'nope'"),
        (["--at", "2026-04-01 10:00", "--timezone", "Mars/Base"], "unknown timezone 'Mars/Base'"),
        (["--at", "2026-04-01 10:00", "--page", "nope"], "--page: unknown page 'nope'"),
    ],
)
def test_schedule_add_refuses_bad_input_naming_the_option(run_cli: Cli, args, message):
    result = run_cli(
        "schedule",
        "add",
        "x",
        "--template",
        "reminder",
        *args,
        now="2026-03-01T12:00:00+03:00",
        code=1,
    )
    assert message in result.output


def test_schedule_add_refuses_a_template_that_does_not_render(run_cli: Cli):
    result = run_cli(
        "schedule", "add", "x", "--template", "nope", "--at", "2026-04-01 10:00",
        now="2026-03-01T12:00:00+03:00", code=1,
    )  # fmt: skip
    assert "--template: no mastodon template for 'nope'" in result.output


def test_schedule_cancel_of_an_unknown_id_is_an_error(run_cli: Cli):
    assert "no announcement 'ghost'" in run_cli("schedule", "cancel", "ghost", code=1).output


def test_feeds_status_poll_and_backfill(run_cli: Cli):
    [state] = run_cli.json("feeds", "status")
    assert state["last_poll"] is None and state["failures"] == 0
    [polled] = run_cli.json("feeds", "poll", now="2026-03-01T12:00:00+03:00")
    assert polled["ok"] and polled["deliveries"] == 3 and polled["left_out"] == 3
    [back] = run_cli.json("feeds", "backfill", "news", "--newest", "2")
    assert back["deliveries"] == 3  # the newest was queued already; the second is new
    assert "unknown feed 'nope'" in run_cli("feeds", "backfill", "nope", code=2).output
    table = run_cli("feeds", "status").stdout
    assert "news.xml" in table


def test_a_simulated_clock_is_announced(run_cli: Cli):
    result = run_cli("schedule", "list", now="2026-03-01T12:00:00+03:00")
    assert "simulated clock from 2026-03-01T12:00:00+03:00" in result.stderr


def test_commands_are_registered_and_documented_with_an_example():
    for name in ("run", "schedule", "history", "feeds"):
        assert name in COMMANDS
        cmd = cli.get_command(None, name)  # type: ignore[arg-type]
        assert "Example" in (cmd.help or ""), name
        for sub in getattr(cmd, "commands", {}).values():
            assert "Example" in (sub.help or ""), f"{name} {sub.name}"


def test_help_does_not_import_the_scheduler_or_rich():
    code = (
        "import sys; from outreach.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('apscheduler', 'rich', 'feedparser', 'sqlalchemy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_a_miss_is_sent_to_the_organisers_alert_chat(tmp_path: Path):
    from fakes.telegram_server import Chat, FakeTelegram

    with FakeTelegram() as tg:
        tg.add_chat(Chat(-1009, "freeales_admins", "Organisers", type="supergroup"))
        admin = {
            "token_env": "E2E_ADMIN_TOKEN",
            "alert_chat": "@freeales_admins",
            "api_base_url": tg.url,
        }
        run_cli = Cli(tmp_path, admin=admin)
        run_cli.env["E2E_ADMIN_TOKEN"] = "123456:admin-secret-token"
        run_cli("run", "--once", now="2026-03-01T12:00:00+03:00")
        run_cli("run", "--once", now="2026-03-02T15:00:00+03:00")  # Monday 10:00 missed
        [alert] = tg.texts("@freeales_admins")
        assert "missed" in alert and "weekly" in alert
        run_cli("run", "--once", now="2026-03-02T15:05:00+03:00")
        assert len(tg.texts("@freeales_admins")) == 1  # once per problem


def test_alerts_are_left_to_the_bot_when_this_process_has_no_admin_token(tmp_path: Path, caplog):
    run_cli = Cli(
        tmp_path, admin={"token_env": "E2E_ADMIN_TOKEN", "alert_chat": "@freeales_admins"}
    )
    run_cli.env["E2E_ADMIN_TOKEN"] = None  # type: ignore[assignment]
    run_cli("run", "--once", now="2026-03-01T12:00:00+03:00")
    run_cli("run", "--once", now="2026-03-02T15:00:00+03:00")
    assert "ALERT" not in caplog.text


def test_a_news_item_shows_by_the_id_organisers_type_everywhere(run_cli: Cli):
    # the bundled feed is called "news": its items are news:<slug>, never news:news:<slug>
    ident = "news:freeales-2012-01-pressure"
    shown = {
        "queue": run_cli("run", "--once", now="2026-03-01T12:00:00+03:00").stdout,
        "history": run_cli("history", now="2026-03-01T12:05:00+03:00").stdout,
        "deliveries": run_cli("deliveries", now="2026-03-01T12:05:00+03:00").stdout,
        "preview": run_cli("preview", ident, "--at", "2026-03-01").stdout,
    }
    for where, out in shown.items():
        assert ident in out and "news:news:" not in out, (where, out)
    assert f"{ident} as news" in shown["preview"]
    assert [o["about"] for o in run_cli.json("deliveries")] == [ident] * 3

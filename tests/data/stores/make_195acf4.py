"""Make the migration fixtures: stores written by outreach as of commit 195acf4.

Not a test. Run once, with that commit's code first on the path, e.g.:

    git worktree add --detach /tmp/outreach-195acf4 195acf4
    PYTHONPATH=/tmp/outreach-195acf4 .venv/bin/python tests/data/stores/make_195acf4.py

It fills one SQLite file and one PostgreSQL schema through that code's own
commands and APIs (a `run --once` of the bundled campaign on a simulated clock,
an announcement scheduled in the admin bot, a cancelled one, a pause, a learned
channel limit, an alert), then writes `195acf4.sqlite3` and `195acf4.pg.sql`
(pg_dump --inserts of the schema `fixture_195acf4`) beside this file.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import psycopg

import outreach

HERE = Path(__file__).resolve().parent
PG = "postgresql://postgres@127.0.0.1:5432/test"
SCHEMA = "fixture_195acf4"
NOW = "2026-08-04T09:59:00+03:00"


def fill(url: str) -> None:
    env = {**os.environ, "OUTREACH_DB_URL": url, "OUTREACH_FAKE_NOW": NOW}
    env.pop("OUTREACH_CONFIG", None)

    def cli(*args: str, at: str = NOW) -> None:
        env["OUTREACH_FAKE_NOW"] = at
        subprocess.run([sys.executable, "-c", "from outreach.cli import main; main()", *args], env=env, check=True,
                       cwd=HERE, capture_output=True)  # fmt: skip

    cli("run", "--once", "--wait", "0")
    cli("schedule", "add", "verdict", "--template", "reminder", "--page", "ales",
        "--at", "2026-08-05 10:00")  # fmt: skip
    cli("schedule", "add", "weekly", "--template", "reminder", "--page", "ales",
        "--cron", "0 10 * * mon", "--channel", "telegram-be")  # fmt: skip
    cli("schedule", "cancel", "weekly")
    cli("run", "--once", "--wait", "0", at="2026-08-04T10:01:00+03:00")  # the anniversary
    cli("deliver", "home", at="2026-08-04T11:00:00+03:00")

    # the modules of commit 195acf4 (outreach.pause is outreach.ledger now): keep them as written
    from outreach.alerts import AlertStore, Problem  # noqa: I001
    from outreach.ledger import StoredAnnouncement, open_ledger
    from outreach.pause import set_flag

    now = dt.datetime.fromisoformat(NOW)
    ledger = open_ledger(url, lambda: now)
    ledger.save_announcement(
        StoredAnnouncement(
            id="bot-reminder", template="reminder", channels=("*",), timezone="Europe/Minsk",
            page="ales", at=now + dt.timedelta(days=2), source="cli",
            created_by_id=2**40 + 7, created_by_name="Наталля",
        )
    )  # fmt: skip
    ledger.save_channel_limits(
        "mastodon-en", {"max_characters": 11000}, source="https://example.social/api/v2/instance"
    )
    with ledger.engine.begin() as conn:
        set_flag(conn, now, "organiser 123456789")
    ledger.close()
    cli("run", "--once", "--wait", "0", at="2026-08-05T10:00:30+03:00")  # verdict: held
    ledger = open_ledger(url, lambda: now)
    AlertStore(ledger.engine).record(
        Problem("feed:news", "feed:news:open", "feed", "news: 3 polls failed"), now
    )
    ledger.close()


def main() -> None:
    assert "ship-old" in outreach.__file__ or "195acf4" in outreach.__file__, outreach.__file__
    sqlite_path = HERE / "195acf4.sqlite3"
    sqlite_path.unlink(missing_ok=True)
    fill(f"sqlite:///{sqlite_path}")

    with psycopg.connect(PG, autocommit=True) as admin:
        admin.execute(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE')
        admin.execute(f'CREATE SCHEMA "{SCHEMA}"')
    try:
        fill(f"{PG}?options=-csearch_path%3D{SCHEMA}")
        dump = subprocess.run(
            ["pg_dump", "--inserts", "--no-owner", "--no-privileges", "--schema", SCHEMA, PG],
            check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
    finally:
        with psycopg.connect(PG, autocommit=True) as admin:
            admin.execute(f'DROP SCHEMA "{SCHEMA}" CASCADE')
    (HERE / "195acf4.pg.sql").write_text(dump, encoding="utf-8")


if __name__ == "__main__":
    main()

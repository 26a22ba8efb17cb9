"""`outreach run --once` imports only what the campaign uses (issue 15: start-up and memory).

The CLI runs as users run it, a fresh process against the fake servers; at exit it
writes the names of the modules it loaded. Each network's client library is
imported only when a channel of that network is live; the ORM, the admin bot's
Telegram library, the web console and the scheduler never are; rich only on a
terminal (the progress bar); Jinja2 only when something is rendered.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fakes.mastodon_server import FakeMastodon
from fakes.telegram_server import FakeTelegram
from servicekit import write_campaign

from outreach.ledger import open_ledger

# Loaded by no `run --once` on a SQLite store: the ORM (the ledger is SQLAlchemy Core),
# PostgreSQL's dialect, the service's scheduler, the web console's libraries.
NEVER = (
    "sqlalchemy.orm",
    "sqlalchemy.dialects.postgresql",
    "psycopg",
    "apscheduler",
    "starlette",
    "uvicorn",
    "argon2",
)

RUN = (
    "import atexit, json, sys\n"
    "out = sys.argv.pop(1)\n"
    "atexit.register(lambda: open(out, 'w').write(json.dumps(sorted(k for k, m in sys.modules.items() if m))))\n"
    "from outreach.cli import main\n"
    "main()\n"
)


def run_once(folder: Path, config: Path, tokens: dict[str, str]) -> tuple[set[str], str]:
    """The modules `outreach run --once` loaded, and what it printed.

    The store exists (a first run creates it, with Alembic, which loads PostgreSQL's
    dialect too): what is measured is every run after it.
    """
    loaded = folder / "modules.json"
    store = f"sqlite:///{folder / 'l.db'}"
    open_ledger(store).close()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OUTREACH_", "IMP_"))}
    env |= {"OUTREACH_CONFIG": str(config), "OUTREACH_DB_URL": store}
    env |= tokens
    proc = subprocess.run(
        [sys.executable, "-c", RUN, str(loaded), "run", "--once", "--wait", "5"],
        env=env,
        capture_output=True,  # not a terminal: no progress bar
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return set(json.loads(loaded.read_text(encoding="utf-8"))), proc.stdout


def roots(modules: set[str]) -> set[str]:
    return {m.split(".")[0] for m in modules}


def mastodon_channel(url: str) -> dict[str, Any]:
    return {"id": "masto", "kind": "mastodon", "instance": url, "token_env": "IMP_MASTODON"}


def telegram_channel(url: str) -> dict[str, Any]:
    return {
        "id": "tg",
        "kind": "telegram",
        "chat": "@freeales_ru",
        "api_base_url": url,
        "token_env": "IMP_TELEGRAM",
        "language": "ru",
    }


FEED = [{"id": "news", "path": "news.xml", "backlog": 2, "channels": ["masto", "tg"]}]
TOKENS = {"IMP_MASTODON": "masto-token", "IMP_TELEGRAM": "123456:tg-token"}


@pytest.mark.parametrize(
    ("kinds", "absent"),
    [(("mastodon",), {"telegram", "httpx"}), (("telegram",), {"mastodon", "requests"})],
)
def test_run_once_imports_the_client_of_live_networks_only(tmp_path: Path, kinds, absent):
    with FakeMastodon() as masto, FakeTelegram() as tg:
        channels = []
        if "mastodon" in kinds:
            channels.append(mastodon_channel(masto.url))
        if "telegram" in kinds:
            channels.append(telegram_channel(tg.url))
        feeds = [{**FEED[0], "channels": [c["id"] for c in channels]}]
        config = write_campaign(tmp_path, feeds=feeds, channels=channels, announcements=[])
        modules, out = run_once(tmp_path, config, TOKENS)
        posted = len(masto.statuses) + len(tg.messages)

    assert posted == 2, out  # the feed's two newest items went out, live
    assert kinds[0] in roots(modules)  # the live network's client did the posting
    assert not absent & roots(modules)  # nor its HTTP library
    assert not [m for m in NEVER if m in modules or m in roots(modules)]
    assert "rich" not in roots(modules)  # off a terminal; the queue is plain columns


def test_run_once_with_nothing_due_loads_neither_rich_nor_the_admin_bot(tmp_path: Path):
    with FakeMastodon() as masto:
        feeds = [{**FEED[0], "channels": ["masto"]}]
        channels = [mastodon_channel(masto.url)]
        config = write_campaign(tmp_path, feeds=feeds, channels=channels, announcements=[])
        run_once(tmp_path, config, TOKENS)
        modules, out = run_once(tmp_path, config, TOKENS)  # the same feed again
        assert len(masto.statuses) == 2

    assert "Queue: nothing due." in out
    assert "rich" not in roots(modules)
    assert "outreach.admin.bot" not in modules


def test_a_run_with_nothing_to_send_loads_no_client_when_the_limits_are_known(tmp_path: Path):
    with FakeMastodon() as masto:
        feeds = [{**FEED[0], "channels": ["masto"]}]
        channels = [mastodon_channel(masto.url)]
        config = write_campaign(tmp_path, feeds=feeds, channels=channels, announcements=[])
        first, _ = run_once(tmp_path, config, TOKENS)  # posts, and reads the instance's limits
        modules, out = run_once(tmp_path, config, TOKENS)  # a cron run minutes later
        assert len(masto.statuses) == 2

    assert "mastodon" in roots(first)
    assert "Queue: nothing due." in out
    # nothing to post and the limits read minutes ago: no client, nor its HTTP library
    assert not {"mastodon", "requests", "urllib3"} & roots(modules)
    # nothing to render: the outbox's Messages made no Jinja2 sandbox, and no text was
    # counted or fitted (grapheme)
    assert {"jinja2", "grapheme"} <= roots(first)
    assert not {"jinja2", "grapheme"} & roots(modules)
    assert "outreach.message_env" not in modules

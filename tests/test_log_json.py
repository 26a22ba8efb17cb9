"""--log-format json: one JSON object per log line, tokens masked as in text logs.

Runs the real command in a process of its own (its logging set up from
scratch, as under systemd), with tokens set, against fake Mastodon and Telegram
servers that refuse or fail every post.
"""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import yaml
from fakes.mastodon_server import FakeMastodon
from fakes.telegram_server import FakeTelegram
from servicekit import write_campaign

from outreach.config import BUNDLED_CONFIG
from outreach.logsetup import JsonFormatter
from outreach.redact import MASK, Redactor, install_log_redaction

TG_TOKEN = "123456:JSON-SECRET-tg-token"
MA_TOKEN = "mastodon-JSON-SECRET-zzz"
NEEDLES = (TG_TOKEN, "JSON-SECRET-tg-token", MA_TOKEN)
TEXT_LOG = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ [A-Z]+ ")


def _campaign(folder: Path, masto: FakeMastodon, tg: FakeTelegram) -> Path:
    pages = yaml.safe_load(BUNDLED_CONFIG.read_text(encoding="utf-8"))["pages"]
    for page in pages:
        page.pop("image", None)
    channels = [
        {"id": "ma", "kind": "mastodon", "instance": masto.url, "token_env": "MA_TOKEN"},
        {"id": "ru", "kind": "telegram", "chat": "@freeales_ru", "api_base_url": tg.url,
         "token_env": "TG_TOKEN", "language": "ru"},
    ]  # fmt: skip
    return write_campaign(
        folder,
        channels=channels,
        pages=pages,
        announcements=[],
        delivery={"timeout_seconds": 2, "backoff_base_seconds": 0.05, "retry_budget": 1},
    )


def test_a_failing_run_logs_json_lines_without_a_token(tmp_path):
    with FakeMastodon(tokens={MA_TOKEN}) as masto, FakeTelegram() as tg:
        config = _campaign(tmp_path, masto, tg)
        tg.fail_next(10, reply=tg.error(401))  # a refused token: failed at once
        masto.fail_next(10, reply=masto.error(502), path="/statuses")  # retried, then failed
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("OUTREACH_")},
            "OUTREACH_CONFIG": str(config),
            "OUTREACH_DB_URL": f"sqlite:///{tmp_path / 'ledger.sqlite3'}",
            "MA_TOKEN": MA_TOKEN,
            "TG_TOKEN": TG_TOKEN,
        }
        args = ["--log-format", "json", "run", "--once", "--json", "--verbose", "--wait", "3"]
        done = subprocess.run(
            [sys.executable, "-c", "from outreach.cli import main; main()", *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    final = {o["channel"]: o["state"] for o in json.loads(done.stdout)["outcomes"]}
    assert final == {"ma": "failed", "ru": "failed"}
    lines = done.stderr.splitlines()
    assert not [line for line in lines if TEXT_LOG.match(line)], "a text log line slipped through"
    records = [json.loads(line) for line in lines if line.startswith("{")]
    assert records and all(set(r) >= {"time", "level", "logger", "message"} for r in records)
    assert any(r["level"] in ("WARNING", "ERROR") for r in records)
    # httpx logged the Bot API's URLs, which carry the token: masked in the JSON too.
    assert any(f"/bot{MASK}/sendMessage" in r["message"] for r in records)
    everything = done.stdout + done.stderr
    assert [n for n in NEEDLES if n in everything] == []


def test_a_masked_traceback_stays_masked_in_json():
    install_log_redaction(Redactor([TG_TOKEN]))
    logger = logging.getLogger("outreach.test.json")
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    keep = Keep()
    logger.addHandler(keep)
    try:
        try:
            raise RuntimeError(f"POST https://api.telegram.org/bot{TG_TOKEN}/sendMessage")
        except RuntimeError:
            logger.exception("sending failed\nsecond line")
    finally:
        logger.removeHandler(keep)
    line = JsonFormatter().format(records[0])
    assert "\n" not in line
    data = json.loads(line)
    assert data["message"] == "sending failed\nsecond line"
    assert "Traceback" in data["exception"] and MASK in data["exception"]
    assert [n for n in NEEDLES if n in line] == []

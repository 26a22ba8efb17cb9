"""`outreach adminbot`: refuses to start without a token or organisers; runs by long polling."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from adminkit import ANNA, ORGANISERS_GROUP, STRANGER, TOKEN
from click.testing import CliRunner
from fakes.telegram_server import Chat, FakeTelegram, _ok
from servicekit import write_campaign

from outreach.admin.bot import REFUSAL
from outreach.cli import COMMANDS, cli
from outreach.ledger import open_ledger
from outreach.post import Post

ROOT = Path(__file__).resolve().parents[1]


def admin(tg_url: str = "http://127.0.0.1:9", **kw: Any) -> dict[str, Any]:
    return {
        "token_env": "OUTREACH_ADMIN_TOKEN",
        "allowed_users": [ANNA],
        "alert_chat": ORGANISERS_GROUP,
        "api_base_url": tg_url,
        **kw,
    }


def run(folder: Path, env: dict[str, str | None], *args: str):
    path = write_campaign(folder, admin=env.pop("_admin", None) or admin())
    return CliRunner().invoke(cli, ["--config", str(path), "adminbot", *args], env=env)


def test_the_command_is_listed_documented_and_has_an_example():
    assert COMMANDS["adminbot"][0] == "admin_cmds"
    cmd = cli.get_command(None, "adminbot")  # type: ignore[arg-type]
    assert "Example" in (cmd.help or "")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "outreach adminbot" in readme and "## Running the campaign from Telegram" in readme


def test_without_a_token_it_says_where_to_put_one(tmp_path):
    result = run(tmp_path, {"OUTREACH_ADMIN_TOKEN": None})
    assert result.exit_code == 1
    assert "the bot has no token: set $OUTREACH_ADMIN_TOKEN" in result.output


def test_without_organisers_it_does_not_start(tmp_path):
    result = run(tmp_path, {"OUTREACH_ADMIN_TOKEN": TOKEN, "_admin": admin(allowed_users=[])})
    assert result.exit_code == 1
    assert "admin.allowed_users is empty" in result.output and TOKEN not in result.output


# -- end to end: the command, long polling against the fake Bot API ---------------------


class PollingTelegram(FakeTelegram):
    """The fake Bot API with getUpdates: updates pushed by the test, long polls cut short."""

    def __init__(self) -> None:
        super().__init__()
        self.updates: list[dict[str, Any]] = []

    def push(self, update: dict[str, Any]) -> None:
        with self.lock:
            self.updates.append({**update, "update_id": len(self.updates) + 1})

    def route(self, req):
        if not req.path.endswith("/getUpdates"):
            return super().route(req)
        params = {**req.form, **(req.json or {})}
        offset = int(params.get("offset") or 0)
        deadline = time.monotonic() + min(float(params.get("timeout") or 0), 0.2)
        while True:
            with self.lock:
                ready = [u for u in self.updates if u["update_id"] >= offset]
            if ready or time.monotonic() >= deadline:
                return _ok(ready)
            threading.Event().wait(0.02)


def message(user_id: int, text: str) -> dict[str, Any]:
    entities = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {
        "message": {
            "message_id": 1,
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private", "first_name": "U"},
            "from": {"id": user_id, "is_bot": False, "first_name": "U"},
            "text": text,
            "entities": entities if text.startswith("/") else [],
        }
    }


def wait_for(what: str, check, timeout: float, proc: subprocess.Popen) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.kill()
    out = proc.communicate()[1]
    pytest.fail(f"timed out waiting for {what}; the bot said:\n{out[-3000:]}")


@pytest.mark.slow
def test_the_bot_answers_organisers_refuses_strangers_alerts_and_stops_on_sigint(tmp_path):
    with PollingTelegram() as tg:
        tg.add_chat(Chat(ORGANISERS_GROUP, None, "Organisers", type="supergroup"))
        for user in (ANNA, STRANGER):
            tg.add_user(user)
        path = write_campaign(
            tmp_path, admin=admin(tg.url), store={"url": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
        )
        ledger = open_ledger(f"sqlite:///{tmp_path / 'db.sqlite3'}")
        ident = ledger.enqueue(Post("telegram-ru", "telegram", "x", "ru", about="news:x")).id
        claim = ledger.claim(ident, dt.timedelta(seconds=30))
        assert claim is not None
        ledger.finish_failed(claim, "the bot may not post in @freeales_ru")
        ledger.close()
        env = {**os.environ, "OUTREACH_CONFIG": str(path), "OUTREACH_ADMIN_TOKEN": TOKEN}
        for name in ("OUTREACH_TELEGRAM_TOKEN", "OUTREACH_MASTODON_EN_TOKEN"):
            env.pop(name, None)
        proc = subprocess.Popen(
            [sys.executable, "-c", "from outreach.cli import main; main()", "adminbot"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
        )  # fmt: skip
        try:
            group = str(ORGANISERS_GROUP)
            wait_for("the alert", lambda: len(tg.texts(group)) == 1, 30, proc)
            tg.push(message(STRANGER, "/status"))
            tg.push(message(ANNA, "/status"))
            wait_for(
                "both answers", lambda: tg.texts(str(ANNA)) and tg.texts(str(STRANGER)), 30, proc
            )
            assert tg.texts(str(STRANGER)) == [REFUSAL]
            assert tg.texts(str(ANNA))[0].startswith("Status at ")
            assert f"Delivery {ident} to telegram-ru" in tg.texts(group)[0]
            assert {c["command"] for c in tg.commands[-1]["commands"]} >= {"queue", "schedule"}
        finally:
            proc.send_signal(signal.SIGINT)
            _out, err = proc.communicate(timeout=20)
        assert proc.returncode == 0, err[-2000:]
        assert TOKEN not in err and "ADMIN-BOT-SECRET" not in err
        assert "refused a message from user 999" in err

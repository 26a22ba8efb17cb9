"""A run with known tokens, everything collected and searched for them.

python-telegram-bot puts the token in every request URL and httpx logs those
URLs at INFO; PTB logs its base URL at DEBUG. The CLI installs redaction, so
the logs below must hold "[REDACTED]" where the token was, and the token
nowhere: not in logs (DEBUG), CLI output, errors and their tracebacks, ledger
rows, or the database file itself.
"""

from __future__ import annotations

import io
import json
import logging
import traceback
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from fakes.mastodon_server import FakeMastodon
from fakes.telegram_server import FakeTelegram
from servicekit import write_campaign
from sqlalchemy import create_engine, text

from outreach.cli import cli
from outreach.config import BUNDLED_CONFIG
from outreach.errors import PublishError
from outreach.networks.mastodon import MastodonChannel
from outreach.networks.telegram import TelegramChannel
from outreach.post import Post
from outreach.publishers.mastodon import MastodonPublisher
from outreach.publishers.telegram import TelegramPublisher
from outreach.redact import MASK, Redactor, install_log_redaction

TG_TOKEN = "123456:SECRET-TOKEN-xyz"
MA_TOKEN = "mastodon-SECRET-abcdef-999"
NEEDLES = (TG_TOKEN, "SECRET-TOKEN-xyz", MA_TOKEN)


def leaks(texts: list[str]) -> list[str]:
    return [t[max(0, t.find(n) - 80) : t.find(n) + 40] for t in texts for n in NEEDLES if n in t]


def test_redactor_masks_tokens_and_the_secret_half_of_a_bot_token():
    r = Redactor([TG_TOKEN, "short", None])  # type: ignore[list-item]
    assert r(f"GET /bot{TG_TOKEN}/getMe and SECRET-TOKEN-xyz") == f"GET /bot{MASK}/getMe and {MASK}"
    assert r("a short word") == "a short word", "too short to mask safely"


def test_log_records_are_masked_tracebacks_included(caplog):
    caplog.set_level(logging.INFO)
    install_log_redaction(Redactor([TG_TOKEN]))
    log = logging.getLogger("outreach.test")
    try:
        raise RuntimeError(f"POST https://api.telegram.org/bot{TG_TOKEN}/sendMessage failed")
    except RuntimeError:
        log.exception("calling %s", f"https://api.telegram.org/bot{TG_TOKEN}/getMe")
    log.info("nothing secret: %d%%", 5)
    assert leaks([caplog.text]) == []
    assert caplog.text.count(MASK) == 2 and "nothing secret: 5%" in caplog.text
    assert caplog.records[0].exc_info is not None, "handlers still get the exception"


def test_no_token_in_logs_output_errors_rows_or_database(tmp_path, caplog):
    # Every logger at DEBUG, including those a command quietens (caplog restores them).
    for name in (None, "httpx", "httpcore", "telegram", "mastodon", "urllib3", "outreach"):
        caplog.set_level(logging.DEBUG, logger=name)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    logging.getLogger().addHandler(handler)
    texts: list[str] = []
    try:
        with FakeMastodon(tokens={MA_TOKEN}) as masto, FakeTelegram() as tg:
            texts += run_the_cli(tmp_path, masto, tg)
            texts += publisher_errors(masto, tg)
            assert TG_TOKEN in tg.tokens_seen and MA_TOKEN in masto.tokens_seen
    finally:
        logging.getLogger().removeHandler(handler)
    logs = caplog.text + stream.getvalue()
    texts.append(logs)
    texts += ledger_contents(tmp_path)

    assert leaks(texts) == []
    # The checks above saw the places tokens would be: request URLs were logged, masked.
    assert f"/bot{MASK}/sendMessage" in logs and "HTTP Request: POST" in logs
    assert any("Traceback" in t for t in texts), "tracebacks were collected too"


def run_the_cli(folder: Path, masto: FakeMastodon, tg: FakeTelegram) -> list[str]:
    pages = yaml.safe_load(BUNDLED_CONFIG.read_text(encoding="utf-8"))["pages"]
    for page in pages:
        page.pop("image", None)
    channels = [
        {"id": "ma", "kind": "mastodon", "instance": masto.url, "token_env": "MA_TOKEN"},
        {"id": "ru", "kind": "telegram", "chat": "@freeales_ru", "api_base_url": tg.url,
         "token_env": "TG_TOKEN", "language": "ru"},
        {"id": "be", "kind": "telegram", "chat": "@freeales_be", "api_base_url": tg.url,
         "token_file": "tg.token", "language": "be"},
        {"id": "gone", "kind": "telegram", "chat": "@nowhere", "api_base_url": tg.url,
         "token_env": "TG_TOKEN", "language": "ru"},
    ]  # fmt: skip
    (folder / "tg.token").write_text(TG_TOKEN + "\n", encoding="utf-8")
    config = write_campaign(
        folder,
        channels=channels,
        pages=pages,
        announcements=[],
        delivery={"timeout_seconds": 0.8, "backoff_base_seconds": 0.05, "retry_budget": 2},
    )
    env = {
        "OUTREACH_CONFIG": str(config),
        "OUTREACH_DB_URL": f"sqlite:///{folder / 'ledger.sqlite3'}",
        "MA_TOKEN": MA_TOKEN,
        "TG_TOKEN": TG_TOKEN,
    }
    out: list[str] = []
    last_stdout = [""]

    def run(*args: str) -> None:
        result = CliRunner().invoke(cli, list(args), env=env)
        out.append(result.output)
        last_stdout[:] = [result.stdout]
        if result.exc_info and not isinstance(result.exception, SystemExit):
            out.append("".join(traceback.format_exception(*result.exc_info)))

    run("doctor")
    tg.fail_next(1, "slow", delay=1.6, path="sendMessage")  # -> unknown
    masto.fail_next(2, reply=masto.error(502), path="/statuses")  # retried, then sent
    run("deliver", "ales", "--wait", "5")
    tg.fail_next(1, reply=tg.error(401))
    run("deliver", "home", "--wait", "5")
    run("deliveries", "--json")
    rows = json.loads(last_stdout[0])
    unknown = [r["id"] for r in rows if r["state"] == "unknown"]
    assert unknown, "a timeout made an unknown delivery"
    run("retry", str(unknown[0]))
    run("resolve", str(unknown[0]), "failed", "--note", "checked")
    return out


def publisher_errors(masto: FakeMastodon, tg: FakeTelegram) -> list[str]:
    """Every failure path of both publishers: messages, reprs and full tracebacks."""
    tpub = TelegramPublisher(
        TelegramChannel(id="t", kind="telegram", chat="@freeales_ru", api_base_url=tg.url),
        TG_TOKEN,
        timeout=0.3,
    )
    mpub = MastodonPublisher(
        MastodonChannel(id="m", kind="mastodon", instance=masto.url), MA_TOKEN, timeout=0.3
    )
    faults = [
        {"kind": "slow", "delay": 0.8},
        {"kind": "drop"},
        {"kind": "drop_after"},
        {"reply": tg.flood(3)},
        {"reply": tg.error(401)},
        {"reply": tg.error(403)},
        {"reply": tg.error(502)},
    ]
    out = []
    for pub, fake, post in (
        (tpub, tg, Post("t", "telegram", "<b>x</b>", "ru")),
        (mpub, masto, Post("m", "mastodon", "x", "en")),
    ):
        for fault in faults:
            fake.fail_next(1, **fault)
            try:
                pub.publish(post, "key")
            except PublishError as exc:
                out += [str(exc), repr(exc), "".join(traceback.format_exception(exc, chain=True))]
                if exc.__context__ is not None:  # what `from None` hides is still reachable
                    out += [repr(exc.__context__), str(exc.__context__)]
        out.append(repr(pub.check()))
    with pytest.raises(PublishError) as bad:
        TelegramPublisher(
            TelegramChannel(id="t", kind="telegram", chat="@x", api_base_url="http://127.0.0.1:9"),
            TG_TOKEN,
            timeout=0.3,
        ).publish(Post("t", "telegram", "x", "ru"), "k")
    out.append("".join(traceback.format_exception(bad.value)))
    return out


def ledger_contents(folder: Path) -> list[str]:
    engine = create_engine(f"sqlite:///{folder / 'ledger.sqlite3'}")
    with engine.connect() as conn:
        tables = conn.execute(text("SELECT name FROM sqlite_master WHERE type='table'")).scalars()
        rows = [repr(r) for t in list(tables) for r in conn.execute(text(f'SELECT * FROM "{t}"'))]
    engine.dispose()
    assert any("deliveries" in r or "ales" in r for r in rows) or rows, "the ledger has rows"
    raw = [p.read_bytes().decode("latin-1") for p in folder.glob("ledger.sqlite3*")]
    return rows + raw

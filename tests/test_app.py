"""The application object: secrets resolved once, parts made once and on first use."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from servicekit import write_campaign

from outreach.app import App
from outreach.cli import cli
from outreach.config import load_config
from outreach.errors import ConfigError
from outreach.secret import Secret

TG_TOKEN = "123456:SECRET-app-token"


def telegram(ident: str, **extra: object) -> dict[str, object]:
    return {"id": ident, "kind": "telegram", "chat": f"@{ident}", "language": "ru", **extra}


def test_a_secret_prints_as_stars_and_gives_its_value_only_when_asked():
    s = Secret(TG_TOKEN)
    assert repr(s) == str(s) == f"{s}" == "Secret('**********')"
    assert s.get_secret_value() == TG_TOKEN


def test_tokens_are_resolved_once_when_the_config_is_loaded(tmp_path: Path):
    (tmp_path / "be.token").write_text(TG_TOKEN + "\n", encoding="utf-8")
    path = write_campaign(
        tmp_path,
        channels=[telegram("ru", token_env="TG"), telegram("be", token_file="be.token")],
        admin={"token_env": "ADMIN", "allowed_users": [1]},
    )
    cfg = load_config(path, {"TG": TG_TOKEN, "ADMIN": "654321:admin-secret"})
    (tmp_path / "be.token").unlink()  # read once: the file is not needed again
    ru, be = cfg.channels
    assert ru.token is not None and ru.token.get_secret_value() == TG_TOKEN
    assert be.token is not None and be.token.get_secret_value() == TG_TOKEN
    assert cfg.admin.token is not None
    assert cfg.admin.token.get_secret_value() == "654321:admin-secret"
    printed = repr(cfg) + str(cfg) + cfg.model_dump_json()
    assert "SECRET" not in printed and "admin-secret" not in printed
    assert "Secret('**********')" in repr(cfg)


def test_a_token_typed_into_the_campaign_file_is_refused_without_echoing_it(tmp_path: Path):
    path = write_campaign(tmp_path, channels=[telegram("ru", token=TG_TOKEN)])
    with pytest.raises(ConfigError) as err:
        load_config(path, {})
    text = str(err.value)
    assert "channels[0].token" in text and "token_env" in text
    assert "SECRET" not in text


def test_an_unreadable_token_file_stops_only_the_commands_that_need_the_token(tmp_path: Path):
    path = write_campaign(tmp_path, channels=[telegram("ru", token_file="missing.token")])
    env = {"OUTREACH_CONFIG": str(path), "OUTREACH_DB_URL": f"sqlite:///{tmp_path / 'l.db'}"}
    buttons = CliRunner().invoke(cli, ["buttons", "--out", str(tmp_path / "bars")], env=env)
    assert buttons.exit_code == 0, buttons.output
    # check reports it (issue 12: check passing means no other command refuses the file)
    checked = CliRunner().invoke(cli, ["check"], env=env)
    assert checked.exit_code == 1
    assert f"channels[0].token_file: token file {tmp_path / 'missing.token'} cannot be read" in (
        checked.output
    )
    doctor = CliRunner().invoke(cli, ["doctor"], env=env)
    assert doctor.exit_code == 1
    assert f"token file {tmp_path / 'missing.token'} cannot be read" in doctor.output


def test_the_app_makes_each_part_once_on_one_clock(tmp_path: Path):
    path = write_campaign(tmp_path, channels=[telegram("ru")])
    notes: list[str] = []
    app = App(
        str(path),
        {
            "OUTREACH_FAKE_NOW": "2026-08-04T09:59:00+03:00",
            "OUTREACH_DB_URL": f"sqlite:///{tmp_path / 'l.db'}",
        },
        notify=notes.append,
    )
    try:
        assert app.config is app.config and app.clock is app.clock
        assert app.ledger is app.ledger and app.publishers is app.publishers
        service = app.service()
        assert service.clock is app.clock and service.ledger is app.ledger
        assert service.delivery.clock is app.clock
        assert service.delivery.publishers == app.publishers
        fake = dt.datetime(2026, 8, 4, 6, 59, tzinfo=dt.UTC)
        assert abs(app.ledger.now() - fake) < dt.timedelta(seconds=30)
        assert len(notes) == 1 and "simulated clock" in notes[0]
    finally:
        app.close()


def test_help_and_a_new_app_import_no_database_or_network_client():
    code = (
        "import sys, os\n"
        "from outreach.app import App\n"
        "from outreach.cli import cli\n"
        "app = App(None, os.environ)\n"
        "app.clock\n"
        "heavy = {'sqlalchemy', 'telegram', 'mastodon', 'pydantic', 'jinja2'} & set(sys.modules)\n"
        "print(sorted(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_an_organisers_request_is_one_call_on_the_app_without_the_cli(tmp_path: Path):
    # What the web console will do: no click, no environment beyond what the App is given.
    path = write_campaign(tmp_path, channels=[telegram("ru"), telegram("be")], announcements=[])
    app = App(str(path), {"OUTREACH_DB_URL": f"sqlite:///{tmp_path / 'l.db'}"}, notify=print)
    app.dry_run_out = io.StringIO()
    try:
        first = app.deliver("ales", ("ru",), wait=5)
        assert first.ok and [d.channel_id for d in first.rows] == ["ru"]
        assert first.rows[0].state == "sent" and first.rows[0].dry_run
        assert "ales" in app.dry_run_out.getvalue()
        again = app.deliver("ales", ("ru",), wait=5)
        # the same row: a dry-run "sent" is armed again (a token may have come), never doubled
        assert [d.id for d in again.rows] == [first.rows[0].id] and again.ok
        doctor = app.doctor()
        assert [c.channel_id for c in doctor.checks] == ["ru", "be"] and doctor.warning is None
    finally:
        app.close()

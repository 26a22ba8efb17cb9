"""The organiser's commands, given what organisers type wrong: every error names the option it
is about, as `schedule add` does ('--at: ...'), and changes nothing."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from servicekit import write_campaign

from outreach.app import App
from outreach.cli import cli
from outreach.config import load_config


def env(tmp_path) -> dict[str, str]:
    return {
        "OUTREACH_CONFIG": str(write_campaign(tmp_path)),
        "OUTREACH_DB_URL": f"sqlite:///{tmp_path / 'ledger.sqlite3'}",
        "OUTREACH_FAKE_NOW": "2026-12-01T12:00:00+03:00",
    }


def test_pause_until_an_unreadable_time_names_the_option_and_pauses_nothing(tmp_path):
    e = env(tmp_path)
    for until in ("yesterday 10:00", "tomorrow 25:00", "someday"):
        r = CliRunner().invoke(cli, ["pause", "--until", until, "--why", "verdict"], env=e)
        assert r.exit_code == 1, r.output
        assert "Error: --until: " in r.output, r.output
    app = App(config=load_config(Path(e["OUTREACH_CONFIG"]), e))
    try:
        assert app.ledger.pauses() == []
    finally:
        app.close()


def test_check_names_a_hidden_direction_control_in_the_campaign_file(tmp_path):
    e = env(tmp_path)
    path = Path(e["OUTREACH_CONFIG"])
    text = path.read_text(encoding="utf-8")
    title = "About Ales Bialiatski"
    assert text.count(f"en: {title}\n") == 1
    text = text.replace(f"en: {title}\n", f'en: "\\u202e{title} <b>x</b> zero\\u200bwidth"\n')
    path.write_text(text, encoding="utf-8")
    line = next(n for n, t in enumerate(text.splitlines(), 1) if "\\u202e" in t)
    r = CliRunner().invoke(cli, ["check"], env=e)
    assert r.exit_code == 1, r.output
    assert (
        f"{path}:{line}: pages[1].title.en: U+202E RIGHT-TO-LEFT OVERRIDE, a hidden control "
        "of text direction (it can make a line read backwards); delete it"
    ) in r.output, r.output
    assert "U+200B" not in r.output  # a zero-width space is no such thing


def test_check_passes_the_bundled_campaign(tmp_path):
    r = CliRunner().invoke(cli, ["check"], env=env(tmp_path))
    assert r.exit_code == 0 and r.output.rstrip().endswith("OK"), r.output

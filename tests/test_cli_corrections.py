"""`outreach takedown`, `correct` and `lookup` in-process (CliRunner), against the fake servers."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from correctionkit import campaign_file, env
from fakes.mastodon_server import FakeMastodon
from fakes.telegram_server import FakeTelegram

from outreach.cli import cli


class Run:
    def __init__(self, path) -> None:
        self.env = {**env(), "OUTREACH_CONFIG": str(path), "COLUMNS": "250"}

    def __call__(self, *args: str, code: int = 0):
        result = CliRunner().invoke(cli, list(args), env=self.env)
        assert result.exit_code == code, (result.output, result.exception)
        return result.stdout


@pytest.fixture
def world(tmp_path):
    with FakeMastodon() as ma, FakeTelegram() as tg:
        yield Run(campaign_file(tmp_path, ma, tg)), ma, tg


def test_takedown_dry_run_changes_nothing_then_takedown_reports_per_channel(world):
    run, ma, tg = world
    sent = json.loads(run("deliver", "ales", "--json"))
    assert {d["state"] for d in sent} == {"sent"}

    plan = run("takedown", "ales", "--dry-run")
    assert "Dry run: nothing was changed. takedown of page:ales on 4 channel(s)" in plan
    assert "4 post(s) to remove" in plan
    for d in sent:
        assert f"#{d['id']} would remove {d['url']}" in plan
    assert len(ma.live()) == 2 and len(tg.live()) == 2

    out = run("takedown", "ales", "--why", "names a witness", "--by", "anna")
    assert "takedown of page:ales: 4 removed, 0 queued cancelled" in out
    for ch in ("mastodon-en:", "mastodon-ru:", "telegram-ru:", "telegram-en:"):
        assert ch in out
    assert out.count(" removed http") == 4
    assert ma.live() == [] and tg.live() == []

    history = run("history")
    assert history.count("removed") >= 4
    assert "asked by the command line (anna): names a witness" in history
    rows = json.loads(run("history", "--json"))
    assert all(any("removed" in c for c in r["changes"]) for r in rows)


def test_takedown_exits_1_and_names_the_link_when_a_post_stays(world):
    run, _ma, tg = world
    sent = json.loads(run("deliver", "home", "--json"))
    tg.chats["@freeales_ru"].bot_status = "left"
    out = run("takedown", "home", code=1)
    [d] = [d for d in sent if d["channel"] == "telegram-ru"]
    assert f"#{d['id']} NOT REMOVED {d['url']}" in out
    assert "administrator" in out
    assert "1 NOT done (see why)" in out
    assert len(tg.live("@freeales_ru")) == 1


def test_correct_dry_run_shows_old_and_new_text_then_edits(world):
    run, _ma, tg = world
    sent = json.loads(run("deliver", "home", "--json"))
    [d] = [d for d in sent if d["channel"] == "telegram-en"]
    plan = run("correct", str(d["id"]), "--text", "<b>New</b> text", "--dry-run")
    assert f"#{d['id']} would correct {d['url']}" in plan
    assert "+ <b>New</b> text" in plan and "      - " in plan
    assert not tg.edits
    out = run("correct", str(d["id"]), "--text", "<b>New</b> text", "--why", "typo")
    assert "1 corrected" in out
    assert [m["text"] for m in tg.live("@freeales_en")] == ["<b>New</b> text"]
    assert "corrected" in run("history") and "now reads: <b>New</b> text" in run("history")


def test_lookup_says_what_each_network_allows(world):
    run, _ma, _tg = world
    sent = json.loads(run("deliver", "home", "--json"))
    masto = next(d for d in sent if d["channel"] == "mastodon-en")
    tele = next(d for d in sent if d["channel"] == "telegram-en")
    assert f"is there: {masto['url']}" in run("lookup", str(masto["id"]))
    assert "Bot API" in run("lookup", str(tele["id"]), code=1)


def test_an_unknown_subject_is_an_error_naming_what_to_type(world):
    run, _, _ = world
    result = CliRunner().invoke(cli, ["takedown", "nothing-here"], env=run.env)
    assert result.exit_code == 1 and "outreach history" in result.output

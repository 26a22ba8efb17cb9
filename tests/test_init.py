"""`outreach init`: a campaign of one's own that checks clean, and nothing overwritten."""

from __future__ import annotations

from click.testing import CliRunner

from outreach.cli import cli


def test_init_writes_a_campaign_that_checks_clean_in_its_folder(tmp_path, monkeypatch):
    runner = CliRunner(env={"OUTREACH_CONFIG": None, "OUTREACH_DB_URL": None})
    made = runner.invoke(cli, ["init", str(tmp_path / "mine")])
    assert made.exit_code == 0, made.output
    assert sorted(p.name for p in (tmp_path / "mine").iterdir()) == ["news.xml", "outreach.yaml"]
    monkeypatch.chdir(tmp_path / "mine")  # the campaign is read from ./outreach.yaml
    check = runner.invoke(cli, ["check"])
    assert check.exit_code == 0, check.output
    assert str(tmp_path / "mine" / "outreach.yaml") in check.output
    feeds = runner.invoke(cli, ["feeds", "poll"])
    assert feeds.exit_code == 0, feeds.output
    assert (tmp_path / "mine" / "outreach.sqlite3").is_file()


def test_init_overwrites_nothing(tmp_path):
    (tmp_path / "news.xml").write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(cli, ["init", str(tmp_path)])
    assert result.exit_code == 1 and "exists already" in result.output
    assert (tmp_path / "news.xml").read_text(encoding="utf-8") == "mine"
    assert not (tmp_path / "outreach.yaml").exists()

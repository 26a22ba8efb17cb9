"""Where the store goes when nobody chose: the checkout's ./outreach.sqlite3, else the user data dir."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from outreach.cli import cli
from outreach.config import BUNDLED_CONFIG, load_config
from outreach.resources import bundled_messages, bundled_share_targets, checkout_root
from outreach.userdirs import choose_store

ROOT = Path(__file__).resolve().parents[1]


def test_a_checkout_reads_the_top_level_files_people_edit():
    assert checkout_root() == ROOT
    assert bundled_messages() == ROOT / "messages"
    assert bundled_share_targets() == ROOT / "share_targets.yaml"


def test_in_the_checkout_the_store_stays_where_the_readme_says():
    choice = choose_store(load_config(BUNDLED_CONFIG, {}), {}, ROOT)
    assert choice.config.store.url == "sqlite:///outreach.sqlite3"
    assert choice.created is None


def test_elsewhere_the_bundled_campaign_keeps_its_store_in_the_user_data_dir(tmp_path):
    elsewhere = tmp_path / "somewhere"
    elsewhere.mkdir()
    data = tmp_path / "data" / "outreach"
    choice = choose_store(load_config(BUNDLED_CONFIG, {}), {}, elsewhere, data)
    store = data / "outreach.sqlite3"
    assert choice.config.store.url == f"sqlite:///{store}"
    assert choice.created == store and store.parent.is_dir()
    assert list(elsewhere.iterdir()) == []


def test_a_chosen_store_or_an_own_campaign_is_left_as_it_says(tmp_path):
    env = {"OUTREACH_DB_URL": "postgresql://u@db/x"}
    data = tmp_path / "data"
    chosen = choose_store(load_config(BUNDLED_CONFIG, env), env, tmp_path, data)
    assert chosen.config.store.url == "postgresql://u@db/x"
    own = tmp_path / "outreach.yaml"
    own.write_text(BUNDLED_CONFIG.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "news.xml").write_bytes((BUNDLED_CONFIG.parent / "news.xml").read_bytes())
    choice = choose_store(load_config(own, {}), {}, tmp_path, data)
    assert choice.config.store.url == "sqlite:///outreach.sqlite3"


def test_the_command_names_the_new_store_once(tmp_path, monkeypatch):
    runner = CliRunner(env={"XDG_DATA_HOME": str(tmp_path / "data"), "OUTREACH_DB_URL": None})
    store = tmp_path / "data" / "outreach" / "outreach.sqlite3"
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)  # where the user types the command
    first = runner.invoke(cli, ["schedule", "list", "--json"])
    assert first.exit_code == 0, first.output
    assert str(store) in first.stderr and store.is_file()
    second = runner.invoke(cli, ["schedule", "list", "--json"])
    assert second.exit_code == 0 and str(store) not in second.stderr
    assert list(work.iterdir()) == []

"""`outreach check` reads the campaign file once: the document the config was loaded from
gives every later problem its line (unreadable tokens, hidden characters, share settings)
instead of each check parsing the file again. What an organiser reads is unchanged."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from servicekit import write_campaign

from outreach import yamlfile
from outreach.app import App
from outreach.cli import cli
from outreach.config import BUNDLED_CONFIG


def with_problems(folder: Path) -> Path:
    """The bundled campaign with one problem of each kind `check` finds after loading."""
    data = yaml.safe_load(BUNDLED_CONFIG.read_text(encoding="utf-8"))
    share = data["share"]
    share["networks"] = ["telegram", "whatsap", "google_plus", "fediverse"]
    share["bar"]["first"]["be"] = ["native", "threma"]
    share["fediverse_servers"].append({"host": "misskey.io", "software": "miskey"})
    channel = data["channels"][0]
    del channel["token_env"]
    channel["token_file"] = "missing-token.txt"
    data["pages"][1]["title"]["en"] = "\u202eAbout Ales"
    return write_campaign(folder, **{k: data[k] for k in ("share", "channels", "pages")})


def line_of(path: Path, needle: str) -> int:
    """The first line holding `needle`, or (a list item such as '- x') being it."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if needle.startswith("- "):
        return next(n for n, text in enumerate(lines, 1) if text.strip() == needle)
    return next(n for n, text in enumerate(lines, 1) if needle in text)


def check(tmp_path: Path, path: Path, *args: str):
    env = {
        "OUTREACH_CONFIG": None,
        "OUTREACH_DB_URL": f"sqlite:///{tmp_path / 'ledger.sqlite3'}",
        "OUTREACH_FAKE_NOW": "2026-12-01T12:00:00+03:00",
    }
    return CliRunner().invoke(cli, ["--config", str(path), "check", *args], env=env)


def test_every_problem_is_named_with_file_line_and_field(tmp_path):
    path = with_problems(tmp_path)
    r = check(tmp_path, path)
    assert r.exit_code == 1, r.output
    errors = [line for line in r.output.splitlines() if line.startswith("error: ")]
    assert errors == [
        f"error: {path}:{line_of(path, 'missing-token.txt')}: channels[0].token_file: "
        f"token file {tmp_path / 'missing-token.txt'} cannot be read: No such file or directory",
        f"error: {path}:{line_of(path, chr(0x202E))}: pages[1].title.en: U+202E RIGHT-TO-LEFT "
        "OVERRIDE, a hidden control of text direction (it can make a line read backwards); "
        "delete it",
        f"error: {path}:{line_of(path, '- whatsap')}: share.networks[1]: unknown network "
        "'whatsap'; did you mean 'whatsapp'?",
        f"error: {path}:{line_of(path, '- threma')}: share.bar.first.be[1]: unknown network "
        "'threma'; did you mean 'threema'?",
        f"error: {path}:{line_of(path, 'miskey')}: share.fediverse_servers[3].software: "
        "unknown software 'miskey'; did you mean 'misskey'?",
    ], r.output
    note = f"note:          {path}:{line_of(path, '- google_plus')}: share.networks[2]: "
    assert note + "'google_plus' is retired and gets no button" in r.output


@pytest.fixture
def parses(monkeypatch):
    """The paths parsed, each time one is (every reader goes through parse_yaml)."""
    seen: list[Path] = []
    real = yamlfile.parse_yaml

    def counting(text: str, path: Path | str) -> yamlfile.YamlDoc:
        seen.append(Path(path))
        return real(text, path)

    monkeypatch.setattr(yamlfile, "parse_yaml", counting)
    return seen


def test_check_parses_a_campaign_file_with_problems_once(tmp_path, parses):
    path = with_problems(tmp_path)
    assert check(tmp_path, path).exit_code == 1
    assert parses.count(path) == 1, parses


def test_check_parses_a_good_campaign_file_once(tmp_path, parses):
    path = write_campaign(tmp_path)
    r = check(tmp_path, path, "--json")
    assert r.exit_code == 0, r.output
    assert parses.count(path) == 1, parses


def test_only_check_keeps_the_parsed_file(tmp_path, monkeypatch):
    """A large campaign's parsed file weighs as much as its config (31 MB for 10,000 pages):
    an application that only loads its config (`run`) lets it go."""
    docs: list[weakref.ref] = []
    real = yamlfile.parse_yaml

    def keeping(text: str, path: Path | str) -> yamlfile.YamlDoc:
        doc = real(text, path)
        docs.append(weakref.ref(doc))
        return doc

    monkeypatch.setattr(yamlfile, "parse_yaml", keeping)
    env = {"OUTREACH_DB_URL": f"sqlite:///{tmp_path / 'ledger.sqlite3'}"}
    app = App(str(write_campaign(tmp_path)), env)
    assert app.config.pages
    gc.collect()
    assert len(docs) == 1 and docs[0]() is None
    assert app.config_doc is not None  # asked for after loading: read again
    assert len(docs) == 2

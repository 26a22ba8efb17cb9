"""`outreach check`, `share` and `buttons`, driven in-process with click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner

from outreach.cli import cli
from outreach.config import BUNDLED_CONFIG
from outreach.share import BUNDLED_TARGETS


def run(*args: str):
    return CliRunner().invoke(cli, ["--config", str(BUNDLED_CONFIG), *args])


def run_with(config: Path, *args: str):
    return CliRunner().invoke(cli, ["--config", str(config), *args])


def edit(campaign_dir: Path, old: str, new: str) -> Path:
    p = campaign_dir / "campaign.yaml"
    text = p.read_text(encoding="utf-8")
    assert old in text
    p.write_text(text.replace(old, new, 1), encoding="utf-8")
    return p


def test_check_bundled_campaign_reports_retired_networks():
    result = run("check")
    assert result.exit_code == 0, result.output
    assert "retired:       google_plus (2019-04-02)" in result.output
    assert "mailru_myworld" in result.output and "yandex" in result.output
    assert result.output.rstrip().endswith("OK")


def test_check_json():
    result = run("check", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert [r["id"] for r in report["retired"]] == ["google_plus", "mailru_myworld", "yandex"]
    assert report["offered"][:2] == ["native", "copy"]
    assert report["problems"] == [] and report["utm"] is False


def test_check_yaml_syntax_error(campaign_dir):
    p = edit(campaign_dir, "  base_url: https://freeales.fidh.net/", "  base_url: [oops")
    result = run_with(p, "check")
    assert result.exit_code == 1
    assert f"{p}:" in result.output and "YAML syntax error" in result.output


def test_check_page_without_url(campaign_dir):
    p = edit(campaign_dir, "    url: https://freeales.fidh.net/about-ales-bialiatski/\n", "")
    result = run_with(p, "check")
    assert result.exit_code == 1
    assert f"{p}:" in result.output and "pages[1].url: Field required" in result.output


def test_check_unknown_network_id(campaign_dir):
    p = edit(campaign_dir, "share:\n", "share:\n  networks: [myspace, telegram]\n")
    result = run_with(p, "check")
    assert result.exit_code == 1
    assert f"{p}:" in result.output
    assert "share.networks[0]: unknown network 'myspace'" in result.output


def test_check_undeclared_placeholder_in_targets(campaign_dir):
    targets = campaign_dir / "targets.yaml"
    text = BUNDLED_TARGETS.read_text(encoding="utf-8")
    old = 'url: "https://t.me/share/url?url={url}&text={text}"'
    assert old in text
    targets.write_text(text.replace(old, old[:-1] + '&via={via}"'), encoding="utf-8")
    p = edit(campaign_dir, "share:\n", "share:\n  targets_file: targets.yaml\n")
    result = run_with(p, "check")
    assert result.exit_code == 1
    line = next(i for i, s in enumerate(text.splitlines(), 1) if old in s)
    assert (
        f"{targets}:{line}: networks[5].url: placeholder {{via}} is not a declared "
        "parameter of 'telegram'"
    ) in result.output


def test_share_page_in_belarusian():
    result = run("share", "ales", "--lang", "be")
    assert result.exit_code == 0, result.output
    line = next(s for s in result.output.splitlines() if s.startswith("Telegram"))
    url = line.split()[-1]
    assert parse_qs(urlsplit(url).query) == {
        "url": ["https://freeales.fidh.net/about-ales-bialiatski/"],
        # messages/page/share.be.j2: the page's title, then the campaign's name
        "text": ["Пра Алеся Бяляцкага — Волю Алесю Бяляцкаму"],
    }
    assert "Google" not in result.output
    assert "https://freeales.fidh.net/share/fediverse.be.html#text=" in result.output


def test_share_any_url_as_json():
    result = run(
        "share", "https://example.org/appeal?x=1&y=2", "--title", "Sign & share #now", "--json"
    )
    assert result.exit_code == 0, result.output
    links = {x["network"]: x for x in json.loads(result.output)["links"]}
    # Bluesky's rule is hashtags in_text (share_targets.yaml), as for X.
    assert (
        links["bluesky"]["params"]["text"]
        == "Sign & share #now https://example.org/appeal?x=1&y=2 #FreeAles #Belarus"
    )
    assert parse_qs(urlsplit(links["x"]["href"]).query)["text"] == [
        "Sign & share #now #FreeAles #Belarus"
    ]


def test_share_news_item():
    result = run("share", "news:freeales-2011-11-sentence", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["item"] == "news:freeales-2011-11-sentence"


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("share", "nope"), 1, "no page or news item with id 'nope'"),
        (("share", "ales", "--lang", "de"), 2, "'de' is not one of"),
        (("share", "ales", "--mirror"), 2, "campaign.mirror_url is not set"),
    ],
)
def test_share_bad_input(args, code, message):
    result = run(*args)
    assert result.exit_code == code
    assert message in result.output


def test_buttons_exports_and_says_where(tmp_path):
    out = tmp_path / "share-bars"
    result = run("buttons", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert f"to {out}/" in result.output
    assert (out / "index.html").is_file() and (out / "bars" / "ales.be.html").is_file()


def test_buttons_writes_nothing_on_bad_input(campaign_dir, tmp_path):
    p = edit(campaign_dir, "share:\n", "share:\n  networks: [telegram, google_plus, orkut]\n")
    out = tmp_path / "share-bars"
    before = sorted(tmp_path.iterdir())
    result = run_with(p, "buttons", "--out", str(out))
    assert result.exit_code == 1
    assert "share.networks[2]: unknown network 'orkut'" in result.output
    assert not out.exists()
    assert sorted(tmp_path.iterdir()) == before  # no temporary folder left either


@pytest.mark.parametrize("command", ["check", "share", "buttons"])
def test_help_has_an_example(command):
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output and f"outreach {command}" in result.output


def test_organisers_own_share_template_reaches_every_share_link_and_bar(campaign_dir, tmp_path):
    own = campaign_dir / "my-messages" / "page"
    own.mkdir(parents=True)
    (own / "share.en.j2").write_text("Stand with {{ item.title }}!", encoding="utf-8")
    p = edit(campaign_dir, "share:\n", "messages_dir: my-messages\nshare:\n")
    result = run_with(p, "share", "ales", "--lang", "en", "--json")
    assert result.exit_code == 0, result.output
    links = {x["network"]: x for x in json.loads(result.output)["links"]}
    assert links["telegram"]["params"]["text"] == "Stand with About Ales Bialiatski!"
    assert links["x"]["params"]["text"].startswith("Stand with About Ales Bialiatski!")
    assert links["reddit"]["params"]["title"] == "About Ales Bialiatski"  # a title stays a title
    out = tmp_path / "bars"
    assert run_with(p, "buttons", "--out", str(out)).exit_code == 0
    manifest = json.loads((out / "bars" / "ales.en.json").read_text(encoding="utf-8"))
    tg = next(x for x in manifest["links"] if x["network"] == "telegram")
    assert tg["text"]["text"] == "Stand with About Ales Bialiatski!"


def test_a_broken_share_template_is_named_by_check(campaign_dir):
    own = campaign_dir / "my-messages" / "page"
    own.mkdir(parents=True)
    (own / "share.en.j2").write_text("{{ item.title }\n", encoding="utf-8")
    p = edit(campaign_dir, "share:\n", "messages_dir: my-messages\nshare:\n")
    result = run_with(p, "check")
    assert result.exit_code == 1
    assert "share.en.j2:1" in result.output


def test_check_renders_every_post_and_names_a_broken_message_template(campaign_dir):
    ok = run("check")
    assert ok.exit_code == 0 and "messages:      " in ok.output
    # 4 pages and 4 news items to 3 channels, 2 announcements to 3 channels
    assert "messages:      30 posts render and fit" in ok.output
    own = campaign_dir / "my-messages" / "reminder"
    own.mkdir(parents=True)
    (own / "telegram.be.j2").write_text("{{ item.title }}\n{{ no_such_thing }}\n", encoding="utf-8")
    p = edit(campaign_dir, "share:\n", "messages_dir: my-messages\nshare:\n")
    result = run_with(p, "check")
    assert result.exit_code == 1
    assert "announcement weekly-day-count -> telegram-be" in result.output
    assert "telegram.be.j2:2" in result.output and "no_such_thing" in result.output

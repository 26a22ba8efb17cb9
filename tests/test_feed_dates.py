"""A date a feed gives that the watcher does not believe (later than its clock: a pinned
page dated 9999) is shown nowhere: not in posts, not in share cards; the organiser is told.

Through the CLI on a copy of the bundled campaign: `run --once` (the dry-run printout is
what each channel would get), `feeds backfill`, `buttons --meta`.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from outreach.cli import cli

NOW = "2026-03-02T12:00:00+00:00"
FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>News</title><link>https://n.example.org/</link>
<language>en</language>
<item><title>Pinned: about us</title><link>https://n.example.org/about</link>
  <guid>about</guid><pubDate>Fri, 31 Dec 9999 23:59:59 GMT</pubDate></item>
<item><title>Verdict today</title><link>https://n.example.org/verdict</link>
  <guid>verdict</guid><pubDate>Mon, 02 Mar 2026 09:00:00 GMT</pubDate></item>
</channel></rss>
"""


def organiser(campaign_dir: Path):
    (campaign_dir / "news.xml").write_text(FEED, "utf-8")
    own = campaign_dir / "mine" / "news"
    own.mkdir(parents=True)
    (own / "mastodon.en.j2").write_text(
        "{{ item.title }}: {{ item.published|date if item.published else 'undated' }}", "utf-8"
    )
    cfg = campaign_dir / "campaign.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8") + "\nmessages_dir: mine\n", "utf-8")
    env = {
        "OUTREACH_CONFIG": str(cfg),
        "OUTREACH_DB_URL": f"sqlite:///{campaign_dir / 'l.sqlite3'}",
        "OUTREACH_FAKE_NOW": NOW,
        "OUTREACH_MASTODON_EN_TOKEN": None,
        "OUTREACH_TELEGRAM_TOKEN": None,
    }

    def run(*args: str) -> str:
        """What the organiser reads: stdout, and stderr after it (CliRunner keeps both)."""
        result = CliRunner().invoke(cli, list(args), env=env)
        assert result.exit_code == 0, (result.output, result.exception)
        return result.stdout if "--json" in args else result.output

    return run


def test_a_date_later_than_the_clock_reaches_no_post(campaign_dir: Path):
    run = organiser(campaign_dir)
    first = run("run", "--once")  # the first read: backlog 1, the newest only
    assert "Verdict today: March 2, 2026" in first
    assert "Pinned: about us:" not in first  # not posted yet (only the warning names it)
    said = [line for line in first.splitlines() if "'Pinned: about us'" in line]
    assert len(said) == 1 and "show no date" in said[0], first
    [back] = json.loads(run("feeds", "backfill", "news", "--json"))
    assert back["problems"] == []  # said when the poll first read it, not again
    sent = run("run", "--once")
    assert "Pinned: about us: undated" in sent
    assert "9999" not in sent


def test_a_date_later_than_the_clock_reaches_no_share_card(campaign_dir: Path):
    run = organiser(campaign_dir)
    about = run("buttons", "--meta", "news:about", "--lang", "en")
    assert "og:title" in about and "article:published_time" not in about
    verdict = run("buttons", "--meta", "news:verdict", "--lang", "en")
    assert 'article:published_time" content="2026-03-02T09:00:00+00:00"' in verdict

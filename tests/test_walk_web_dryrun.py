"""What an organiser sees in the console after a dry run: the bundled campaign's channels have
no token, so `outreach run` prints their posts and posts nothing. The CLI's history says
"sent (dry-run)" and the admin bot "dry run: printed ..., not posted"; the console must not
show those rows as plainly "sent", or an organiser trying it out believes the channel got
the post."""

from __future__ import annotations

import re

import pytest
from webkit import Site


@pytest.fixture
def site(tmp_path):
    s = Site(tmp_path)
    yield s
    s.close()


def badges(page: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", b).strip()
        for b in re.findall(r'class="badge">(.*?)</span>', page, re.S)
    ]


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", "not posted"),
        ("be", "не апублікавана"),
        ("ru", "не опубликовано"),
        ("fr", "pas publié"),
    ],
)
def test_a_dry_run_post_is_not_shown_as_sent(site, lang, words):
    done = site.app.deliver("ales", wait=5)
    assert done.rows and all(d.state == "sent" and d.dry_run for d in done.rows)
    page = site.signed_in("vera").get(f"/history?lang={lang}").text
    shown = badges(page)
    assert len(shown) == len(done.rows)
    assert all(words in b for b in shown), shown


def test_a_real_post_is_still_sent(site):
    ident = site.queue(1, channel="mastodon-en")
    site.force(ident, "sent")
    page = site.signed_in("vera").get("/history?lang=en").text
    assert badges(page) == ["sent"]


def test_the_calendar_says_so_too(site):
    site.app.deliver("ales", wait=5)
    page = site.signed_in("vera").get("/calendar?lang=en").text
    shown = badges(page)
    assert shown.count("dry run: printed, not posted") == 3, shown
    assert "sent" not in shown

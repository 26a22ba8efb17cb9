"""The calendar in real headless Chromium (tests/test_web_browser.py's harness): an organiser
moves a one-off announcement with JavaScript on and off, and screenshots in be and en.

Screenshots: OUTREACH_SCREENSHOTS=docs/screenshots pytest tests/test_web_calendar_browser.py -k screenshot
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from test_web_browser import Tab, browser, filled  # noqa: F401  (browser: the shared fixture)
from webkit import Site

from outreach import announcements

pytestmark = pytest.mark.browser


@pytest.fixture
def site(tmp_path):
    s = Site(tmp_path)
    yield s
    s.close()


def planned(site: Site) -> None:
    for ident, when in (
        ("weekly-count", {"cron": "0 10 * * mon"}),
        ("vigil", {"at": "2026-03-12 18:00"}),
    ):
        announcements.add(
            site.config, site.ledger, ident=ident, template="reminder", page="ales",
            now=site.clock.now(), **when,
        )  # fmt: skip


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_an_organiser_moves_a_one_off_announcement_on_the_calendar(browser, site, js):  # noqa: F811
    planned(site)
    t = Tab(browser, site, js=js)
    try:
        t.signin("olga")
        t.go("/calendar")
        t.page.get_by_role("link", name="Week view").click()
        t.page.get_by_role("link", name="Next week").click()  # 2-8 March
        t.page.get_by_role("link", name="Next week").click()  # 9-15 March
        t.page.wait_for_url("**/calendar?view=week&date=2026-03-09")
        field = t.page.get_by_label("Move vigil to")
        assert field.input_value() == "2026-03-12T18:00"
        field.fill("2026-03-13T19:30")
        t.page.get_by_role("button", name="Move", exact=True).click()
        t.page.wait_for_url("**/calendar?view=week&date=2026-03-09")
        assert "vigil moved to 2026-03-13 19:30" in t.page.inner_text("main")
        fri = t.page.locator("li.day", has=t.page.locator('time[datetime="2026-03-13"]'))
        assert "announcement:vigil" in fri.inner_text() and "19:30" in fri.inner_text()
    finally:
        t.close()
    assert site.ledger.announcement("vigil").at == dt.datetime(2026, 3, 13, 16, 30, tzinfo=dt.UTC)


def test_screenshots_of_the_calendar(browser, site, tmp_path):  # noqa: F811
    out = Path(os.environ.get("OUTREACH_SCREENSHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    filled(site)
    planned(site)
    for lang in ("en", "be"):
        for width, kind in ((1280, "desktop"), (390, "phone")):
            t = Tab(browser, site, width=width)
            try:
                t.signin("anna")
                t.go(f"/calendar?lang={lang}")
                path = out / f"calendar-{lang}-{kind}.png"
                t.page.screenshot(path=str(path), full_page=True)
                assert path.stat().st_size > 10_000
            finally:
                t.close()

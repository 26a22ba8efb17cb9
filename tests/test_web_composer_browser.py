"""The composer in real headless Chromium (tests/test_web_browser.py's harness, every request
outside 127.0.0.1 refused): an organiser composes a recurring announcement with a template
error, sees it, fixes it, saves it and finds it on the calendar, with JavaScript on and off;
axe-core on the composer at 1280 and 390 pixels; screenshots in be and en.

Screenshots: OUTREACH_SCREENSHOTS=docs/screenshots pytest tests/test_web_composer_browser.py -k screenshot
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from axe import axe_source, run_axe
from test_web_browser import Tab, browser  # noqa: F401  (browser: the shared fixture)
from webkit import Site

pytestmark = pytest.mark.browser

BROKEN = "Day {{ clock.day_number('arrest') }}: {{ campaign.name }}\n{{ item.titel }}"
FIXED = "Day {{ clock.day_number('arrest') }}: {{ campaign.name }}\n{{ item.title }}"


@pytest.fixture
def site(tmp_path):
    s = Site(tmp_path)
    yield s
    s.close()


def fill_recurring(page, text: str) -> None:
    """By the fields' ids, so that it works in every language (the test below uses labels)."""
    page.locator("#f-id").fill("monday-count")
    page.locator("#f-source-text").check()
    page.locator("#f-text").fill(text)
    page.locator("#f-page").select_option("ales")
    page.locator("#f-ch-telegram-ru").uncheck()
    page.locator("#f-when-recurring").check()
    page.locator("#f-cron").fill("0 10 * * mon")


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_compose_a_recurring_announcement_fix_its_error_save_it_see_it_on_the_calendar(
    browser,  # noqa: F811
    site,
    js,
):
    t = Tab(browser, site, js=js)
    try:
        t.signin("olga")
        page = t.page
        page.get_by_role("link", name="Compose").click()
        page.wait_for_url("**/compose")
        page.get_by_label("Id", exact=True).fill("monday-count")
        page.get_by_label("A one-off text, written here").check()
        page.get_by_label("One-off text", exact=True).fill(BROKEN)
        page.get_by_label("Page").select_option("ales")
        page.get_by_role("checkbox", name="telegram-ru").uncheck()
        page.get_by_label("Recurring").check()
        page.get_by_label("Cron expression").fill("0 10 * * mon")
        error = page.locator("#err-text")
        if js:  # the previews follow the typing; no button pressed
            error.get_by_text("has no attribute 'titel'").first.wait_for()
        else:
            page.get_by_role("button", name="Preview").click()
            page.wait_for_url("**/compose")
        assert error.inner_text().count("has no attribute 'titel'") == 1
        assert "mastodon and telegram, line 2:" in error.inner_text()
        assert "Line 2:" in error.inner_text() and "{{ item.titel }}" in error.inner_text()
        assert page.get_by_label("One-off text", exact=True).get_attribute("aria-invalid") == "true"
        # nothing typed was lost
        assert page.get_by_label("One-off text", exact=True).input_value() == BROKEN
        assert page.get_by_label("Cron expression").input_value() == "0 10 * * mon"
        assert page.get_by_label("Id", exact=True).input_value() == "monday-count"
        assert not page.get_by_role("checkbox", name="telegram-ru").is_checked()
        assert "has no attribute" in page.locator("#post-telegram-be").inner_text()

        page.get_by_label("One-off text", exact=True).fill(FIXED)
        if js:
            page.locator("#post-telegram-be .tg-text").wait_for()
            assert error.inner_text().strip() == ""
            bubble = page.locator("#post-telegram-be .tg-text").inner_text()
            assert "Волю Алесю Бяляцкаму" in bubble and "Пра Алеся Бяляцкага" in bubble
        page.get_by_role("button", name="Save").click()
        page.wait_for_url("**/calendar?view=week&date=2026-03-02")
        assert page.get_by_role("status").filter(has_text="monday-count is saved").is_visible()
        monday = page.locator("li.day", has=page.locator('time[datetime="2026-03-02"]'))
        assert monday.inner_text().count("announcement:monday-count") == 2
    finally:
        t.close()
    stored = site.ledger.announcement("monday-count")
    assert stored is not None and stored.text == FIXED
    assert stored.channels == ("mastodon-en", "telegram-be")


def test_with_javascript_a_repeated_time_asks_which_and_the_answer_is_kept(browser, tmp_path):  # noqa: F811
    import yaml

    from outreach.config import BUNDLED_CONFIG

    camp = yaml.safe_load(BUNDLED_CONFIG.read_text(encoding="utf-8"))["campaign"]
    site = Site(tmp_path, campaign={**camp, "timezone": "Europe/Paris"})
    t = Tab(browser, site, js=True)
    try:
        t.signin("olga")
        t.go("/compose")
        page = t.page
        page.get_by_label("Date and time").fill("2026-10-25T02:30")
        page.get_by_role("button", name="Save").click()  # no id yet: said above the form
        page.wait_for_url("**/compose")
        assert page.locator("#problems").is_visible()
        page.get_by_label("Id", exact=True).fill("clocks-back")
        page.get_by_label("The second, 02:30 +0100").check()
        page.locator("#problems").wait_for(state="detached")  # the list was the last submit's
        page.locator("#err-fold p").wait_for(state="detached")
        assert page.get_by_label("The second, 02:30 +0100").is_checked()
        page.get_by_role("button", name="Save").click()
        page.wait_for_url("**/calendar?view=week&date=2026-10-25")
        stored = site.ledger.announcement("clocks-back")
        assert stored is not None and stored.at == dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC)
    finally:
        t.close()
        site.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_axe_finds_nothing_serious_on_the_composer(browser, site, width):  # noqa: F811
    source = axe_source()
    problems = {}
    t = Tab(browser, site, width=width, bypass_csp=True)  # bypass: to inject axe only
    try:
        t.signin("olga")
        for lang in ("en", "be"):
            t.go(f"/compose?lang={lang}")
            problems[f"{lang} fresh"] = run_axe(t.page, source)
            fill_recurring(t.page, BROKEN)
            t.page.locator("button[value=preview]").click()
            t.page.locator("#err-text p").first.wait_for()
            problems[f"{lang} with errors"] = run_axe(t.page, source)
            overflow = t.page.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, (lang, width)
    finally:
        t.close()
    assert {k: v for k, v in problems.items() if v} == {}


def test_screenshots_of_the_composer(browser, site, tmp_path):  # noqa: F811
    out = Path(os.environ.get("OUTREACH_SCREENSHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    shots = [(lang, width, kind, FIXED) for lang in ("en", "be")
             for width, kind in ((1280, "desktop"), (390, "phone"))]  # fmt: skip
    shots.append(("en", 1280, "error-desktop", BROKEN))
    for lang, width, kind, text in shots:
        t = Tab(browser, site, width=width, js=False)
        try:
            t.signin("olga")
            t.go(f"/compose?lang={lang}")
            fill_recurring(t.page, text)
            t.page.locator("button[value=preview]").click()
            t.page.locator("#cards-h").wait_for()
            path = out / f"composer-{lang}-{kind}.png"
            t.page.screenshot(path=str(path), full_page=True)
            assert path.stat().st_size > 10_000
        finally:
            t.close()

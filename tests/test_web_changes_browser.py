"""Corrections and takedowns in real Chromium with JavaScript off (the console's pages need
none): an admin takes a page down from the history, an organiser corrects a post with a
text, each seeing the plan, confirming and reading the platforms' answers; axe-core finds
nothing serious on the form, the plans and the report, at 1280 and 390 pixels; screenshots.

Screenshots: OUTREACH_SCREENSHOTS=docs/screenshots pytest tests/test_web_changes_browser.py -k screenshot
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe import axe_source, run_axe
from correctionkit import campaign_file, env, make_app, send
from fakes.mastodon_server import FakeMastodon
from fakes.telegram_server import FakeTelegram
from test_web_browser import Tab, browser  # noqa: F401  (browser: the shared fixture)
from webkit import Site

from outreach.app import App

pytestmark = pytest.mark.browser


@pytest.fixture
def world(tmp_path):
    with FakeMastodon() as ma, FakeTelegram() as tg:
        site = Site(tmp_path, app=make_app(campaign_file(tmp_path, ma, tg)))
        try:
            yield site, ma, tg
        finally:
            site.close()


def test_an_admin_takes_a_page_down_from_the_history_without_javascript(browser, world):  # noqa: F811
    site, ma, tg = world
    sent = send(site.app, "ales")
    t = Tab(browser, site, js=False)
    try:
        t.signin("anna")
        page = t.page
        t.go("/history")
        page.locator(f"#d{sent[0]}").get_by_role("link", name=f"Take down… #{sent[0]}").click()
        page.wait_for_url(f"**/deliveries/{sent[0]}/takedown**")
        assert page.get_by_role("heading", name="Take down page:ales").is_visible()
        assert "4 post(s) to remove" in page.locator("#plan-counts").inner_text()
        assert len(ma.live()) + len(tg.live()) == 4
        page.get_by_label("Why (kept in the history)").fill("the photo identifies a witness")
        page.get_by_role("button", name="Take down 4 post(s)").click()
        page.wait_for_url("**/changes/**")
        assert page.get_by_role("heading", name="What the platforms said").is_visible()
        assert page.locator("ul.report li").count() == 4
        assert page.locator("ul.report").inner_text().count("removed") == 4
        assert ma.live() == [] and tg.live() == []
        page.get_by_role("link", name="Open the history").click()
        card = page.locator(f"#d{sent[0]}")
        assert "Removal, confirmed" in card.inner_text()
        assert "the photo identifies a witness" in card.inner_text()
    finally:
        t.close()


def test_an_organiser_corrects_a_post_with_a_text_without_javascript(browser, world):  # noqa: F811
    site, ma, _tg = world
    sent = send(site.app, "ales")
    masto = next(i for i in sent if site.ledger.get(i).channel_id == "mastodon-en")
    t = Tab(browser, site, js=False)
    try:
        t.signin("olga")
        page = t.page
        t.go("/history")
        assert (
            page.locator(f"#d{masto}").get_by_role("link", name=f"Take down… #{masto}").count() == 0
        )
        page.locator(f"#d{masto}").get_by_role("link", name=f"Correct… #{masto}").click()
        page.get_by_label("With the text below", exact=False).check()
        new = "CORRECTED: day 5001 of Ales Bialiatski's detention\n\nhttps://example.org/ales"
        page.get_by_label("New text").fill(new)
        page.get_by_label("Why (kept in the history)").fill("wrong day count")
        page.get_by_role("button", name="Show what would change").click()
        assert "1 post(s) to correct" in page.locator("#plan-counts").inner_text()
        assert "https://example.org/ales" in page.locator(f"#c{masto}").inner_text()
        assert [s["status"] for s in ma.live() if s["status"] == new] == []
        page.get_by_role("button", name="Correct 1 post(s)").click()
        page.wait_for_url("**/changes/**")
        assert f"#{masto} mastodon-en: corrected" in page.locator("ul.report").inner_text()
        assert [s["status"] for s in ma.live() if s["status"] == new] == [new]
    finally:
        t.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_axe_finds_nothing_serious_on_the_plans_and_the_report(browser, world, width):  # noqa: F811
    site, _ma, _tg = world
    sent = send(site.app, "ales")
    source = axe_source()
    t = Tab(browser, site, width=width, bypass_csp=True)  # bypass: to inject axe only
    problems = {}
    try:
        t.signin("anna")
        page = t.page
        for lang in ("en", "be"):
            t.go(f"/deliveries/{sent[0]}/correct?lang={lang}")
            problems[f"form {lang}"] = run_axe(page, source)
        t.go(f"/deliveries/{sent[0]}/correct?lang=en")
        page.get_by_label("With the text below", exact=False).check()
        page.get_by_label("New text").fill("CORRECTED")
        page.get_by_role("button", name="Show what would change").click()
        problems["correction plan"] = run_axe(page, source)
        t.go(f"/deliveries/{sent[0]}/takedown")
        problems["takedown plan"] = run_axe(page, source)
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0
        page.get_by_role("button", name="Take down 4 post(s)").click()
        page.wait_for_url("**/changes/**")
        problems["report"] = run_axe(page, source)
        t.go("/history?lang=be")
        problems["history with removals"] = run_axe(page, source)
    finally:
        t.close()
    assert {k: v for k, v in problems.items() if v} == {}


SHOTS = [("en", 1280, "desktop"), ("be", 1280, "desktop"), ("be", 390, "phone")]


def test_screenshots_of_the_takedown_and_correction_pages(browser, tmp_path):  # noqa: F811
    """Page `ales` sent to four channels two days ago: Telegram's 48 hours are past for the
    Russian channel's post (its plan says so, and the report has Telegram's refusal)."""
    out = Path(os.environ.get("OUTREACH_SCREENSHOTS") or tmp_path / "shots")
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def shoot(t: Tab, name: str, lang: str, kind: str) -> None:
        path = out / f"{name}-{lang}-{kind}.png"
        t.page.screenshot(path=str(path), full_page=kind == "desktop")
        assert path.stat().st_size > 10_000
        written.append(path)

    with FakeMastodon() as ma, FakeTelegram() as tg:
        path = campaign_file(tmp_path, ma, tg)
        first = make_app(path)
        sent = send(first, "ales")
        old = next(
            first.ledger.get(i) for i in sent if first.ledger.get(i).channel_id == "telegram-ru"
        )
        first.close()
        tg.make_old(int(old.remote_id or 0), hours=49)
        later = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=49)).isoformat()
        site = Site(tmp_path / "later", app=App(str(path), {**env(), "OUTREACH_FAKE_NOW": later}))
        try:
            for lang, width, kind in SHOTS:
                t = Tab(browser, site, width=width, js=False)
                try:
                    t.signin("anna")
                    t.go(f"/deliveries/{old.id}/takedown?back=/history&lang={lang}")
                    t.page.locator("#plan-counts").wait_for()
                    shoot(t, "takedown-plan", lang, kind)
                    t.go(f"/deliveries/{old.id}/correct?back=/history&lang={lang}")
                    t.page.locator("#how-x").check()
                    t.page.locator("#text").fill(
                        "<b>Алесь Беляцкий</b>: 5001-й день в заключении.\n\nhttps://example.org/ales"
                    )
                    t.page.locator("#why").fill("the day count was wrong")
                    t.page.locator("form.card button[type=submit]").click()
                    t.page.locator("#plan-counts").wait_for()
                    shoot(t, "correction-plan", lang, kind)
                finally:
                    t.close()
            t = Tab(browser, site, js=False)
            try:
                t.signin("anna")
                t.go(f"/deliveries/{old.id}/takedown?back=/history")
                t.page.locator("#why").fill("the photo identifies a witness")
                t.page.locator("form.card button.danger").click()
                t.page.wait_for_url("**/changes/**")
                report = urlsplit(t.page.url).path
            finally:
                t.close()
            assert len(ma.live()) + len(tg.live()) == 1  # the old Telegram post, refused
            for lang, width, kind in SHOTS:
                t = Tab(browser, site, width=width, js=False)
                try:
                    t.signin("anna")
                    t.go(f"{report}?back=/history&lang={lang}")
                    t.page.locator("ul.report").wait_for()
                    shoot(t, "takedown-report", lang, kind)
                finally:
                    t.close()
        finally:
            site.close()
    assert len(written) == 9

"""The web console in real headless Chromium (Debian's, through Playwright), every request
outside 127.0.0.1 blocked: sign-in by password and by link, the queue's actions, pause and
resume, with JavaScript on and off; axe-core on every page at 1280 and 390 pixels.

Screenshots: OUTREACH_SCREENSHOTS=docs/screenshots pytest tests/test_web_browser.py -k screenshot
writes the queue and the history in be and en there (the README links them).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe import axe_source, run_axe
from conftest import require_chromium
from webkit import ANNA_TG, PASSWORD, Site

from outreach.admin.console import Console

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=executable,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        yield b
        b.close()


@pytest.fixture
def site(tmp_path):
    s = Site(tmp_path)
    yield s
    s.close()


class Tab:
    """A browser context where only 127.0.0.1 is reachable; the rest is recorded and refused."""

    def __init__(self, browser, site: Site, *, js: bool = True, width: int = 1280, **kw) -> None:
        self.site = site
        self.context = browser.new_context(
            java_script_enabled=js, viewport={"width": width, "height": 900}, **kw
        )
        self.outside: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()

    def _route(self, route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def go(self, path: str):
        return self.page.goto(self.site.url + path)

    def signin(self, name: str, password: str = PASSWORD) -> None:
        self.go("/signin")
        self.page.get_by_label("Name").fill(name)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_url("**/queue")

    def close(self) -> None:
        assert self.outside == []
        self.context.close()


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def tab(request, browser, site):
    t = Tab(browser, site, js=request.param)
    t.js = request.param
    yield t
    t.close()


def test_sign_in_by_password(tab):
    tab.signin("olga")
    assert tab.page.get_by_text("Signed in as olga (organiser)").is_visible()
    cookies = {c["name"]: c for c in tab.context.cookies()}
    assert (
        cookies["outreach_session"]["httpOnly"] and cookies["outreach_session"]["sameSite"] == "Lax"
    )
    tab.page.get_by_role("button", name="Sign out").click()
    tab.page.wait_for_url("**/signin?out=1")
    assert tab.page.get_by_text("You are signed out.").is_visible()
    tab.go("/queue")
    assert "/signin" in tab.page.url


def test_a_wrong_password_is_said_plainly(tab):
    tab.go("/signin")
    tab.page.get_by_label("Name").fill("olga")
    tab.page.get_by_label("Password").fill("not the password")
    tab.page.get_by_role("button", name="Sign in").click()
    assert (
        tab.page.get_by_role("alert").inner_text().startswith("That name and password do not match")
    )


def test_sign_in_by_the_link_the_admin_bot_sends(tab):
    console = Console(tab.site.config, tab.site.ledger, tab.site.clock)
    text = console.web_link(ANNA_TG, "Anna K (@anna)")[0].text
    link = re.search(r"http://\S+", text).group(0)
    tab.page.goto(link)
    assert tab.page.url == tab.site.url + "/signin/link"  # the token left the address bar
    tab.page.get_by_role("button", name="Continue as Anna K (@anna)").click()
    tab.page.wait_for_url("**/queue")
    assert tab.page.get_by_text("Signed in as Anna K (@anna) (organiser)").is_visible()
    token = link.split("t=")[1]
    assert token not in tab.page.content()
    # once only
    other = tab.context.browser.new_context()
    p = other.new_page()
    p.goto(link)
    assert "expired or was used already" in p.content()
    other.close()


def test_a_viewer_sees_no_action_and_the_server_refuses_a_forged_one(tab):
    ident = tab.site.queue(1)
    tab.signin("vera")
    assert tab.page.get_by_text("Your role may only look.").is_visible()
    assert tab.page.get_by_role("button", name=re.compile("Cancel")).count() == 0
    # the form the page does not offer, sent anyway with the viewer's own session and token
    token = tab.page.locator("input[name=csrf]").first.get_attribute("value")
    r = tab.page.request.post(
        f"{tab.site.url}/deliveries/{ident}/cancel",
        form={"csrf": token, "back": "/queue"},
        headers={"Origin": tab.site.url},
    )
    assert r.status == 403 and "may not do this" in r.text()
    assert tab.site.get(ident).state == "pending"
    r = tab.page.request.post(
        f"{tab.site.url}/pause", form={"csrf": token}, headers={"Origin": tab.site.url}
    )
    assert r.status == 403 and tab.site.ledger.pauses() == []


def accept_dialogs(tab) -> None:
    if tab.js:
        tab.page.on("dialog", lambda d: d.accept())


def test_cancel_retry_and_resolve_from_the_queue(tab):
    pending = tab.site.queue(1, "telegram-be")
    unknown = tab.site.queue(2, "telegram-ru", state="unknown")
    failed = tab.site.queue(3, "mastodon-en", state="failed")
    tab.signin("olga")
    accept_dialogs(tab)
    page = tab.page
    card = page.locator(f"#d{pending}")
    assert "Post 1 about Ales" in card.inner_text()  # Telegram's markup taken off
    card.get_by_role("button", name=f"Cancel #{pending}").click()
    page.wait_for_url("**/queue")
    assert (
        page.get_by_role("status")
        .filter(has_text=f"Delivery {pending} was cancelled.")
        .is_visible()
    )
    assert tab.site.get(pending).state == "cancelled"

    card = page.locator(f"#d{unknown}")
    card.get_by_label("Link to the post, if you found it").fill("https://t.me/freeales_ru/77")
    card.get_by_label("Note").fill("seen in the channel")
    card.get_by_role("button", name="It went out").click()
    page.wait_for_url("**/queue")
    d = tab.site.get(unknown)
    assert d.state == "sent" and d.remote_url == "https://t.me/freeales_ru/77"
    assert "seen in the channel" in (d.reason or "")

    page.goto(tab.site.url + "/history?state=failed")
    page.locator(f"#d{failed}").get_by_role("button", name=f"Retry #{failed}").click()
    page.wait_for_url("**/history?state=failed")
    assert page.get_by_text(f"Delivery {failed} is queued again, due now.").is_visible()
    assert tab.site.get(failed).state == "pending"

    page.goto(tab.site.url + "/history")
    trail = page.locator("section.audit").inner_text()
    for action in ("cancelled", "resolved", "retried"):
        assert re.search(rf"web:olga\s+{action}", trail), trail


def test_pause_and_resume(tab):
    ident = tab.site.queue(1, "telegram-be")
    tab.signin("anna")
    page = tab.page
    tab.go("/pause")
    page.get_by_label("What to pause").select_option("telegram-be")
    page.get_by_label("Until (optional)").fill("2026-03-02T10:00")
    page.get_by_label("Why (kept in the history)").fill("verdict embargo")
    page.get_by_role("button", name="Pause", exact=True).click()
    page.wait_for_url("**/pause")
    assert page.get_by_text("Paused. 1 queued post(s) held.").is_visible()
    banner = page.locator(".banner").inner_text()
    assert "Paused: telegram-be." in banner and "verdict embargo" in banner
    assert "until Mon 2 Mar 2026, 10:00" in banner
    p = tab.site.ledger.paused("telegram-be")
    assert p is not None and p.by == "web:anna" and p.why == "verdict embargo"
    assert tab.site.get(ident).state == "held"
    page.get_by_role("button", name="Resume: telegram-be").click()
    page.wait_for_url("**/pause")
    assert page.get_by_text("Resumed. 1 held post(s) released.").is_visible()
    assert tab.site.ledger.pauses() == [] and tab.site.get(ident).state == "pending"


def test_filters_apply_with_and_without_javascript(tab):
    tab.site.queue(1, "telegram-be")
    tab.site.queue(2, "telegram-ru")
    tab.signin("vera")
    page = tab.page
    page.get_by_label("Channel").select_option("telegram-ru")
    if not tab.js:
        page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/queue?*channel=telegram-ru*")
    assert page.locator("article.delivery").count() == 1
    assert "telegram-ru" in page.locator("article.delivery").inner_text()


def test_every_page_in_the_readers_language(browser, site):
    t = Tab(browser, site, locale="be-BY", extra_http_headers={"Accept-Language": "be-BY,be;q=0.9"})
    try:
        t.go("/signin")
        assert t.page.locator("html").get_attribute("lang") == "be"
        assert t.page.get_by_role("heading", name="Уваход").is_visible()
        t.page.get_by_role("link", name="Français").click()
        assert t.page.get_by_role("heading", name="Connexion").is_visible()
        t.go("/signin")  # remembered
        assert t.page.locator("html").get_attribute("lang") == "fr"
    finally:
        t.close()


# -- accessibility ------------------------------------------------------------------------


def filled(site: Site) -> None:
    """A queue and history with something of every kind, a pause, an audit trail."""
    site.queue(1, "telegram-be")
    site.queue(2, "telegram-ru", state="unknown")
    site.queue(3, "mastodon-en", state="sent")
    site.queue(4, "mastodon-en", state="failed")
    site.ledger.pause("web:anna", channel_id="telegram-be", why="verdict embargo")
    site.ledger.cancel(site.queue(5, "mastodon-en"), by="web:olga")


PAGES = ["/signin", "/queue", "/calendar", "/history", "/status", "/pause", "/users", "/nowhere"]


@pytest.mark.parametrize("width", [1280, 390])
def test_axe_finds_nothing_serious_on_any_page(browser, site, width):
    source = axe_source()
    filled(site)
    problems: dict[str, list] = {}
    # an admin sees every control; the link page and a refusal are pages too
    t = Tab(browser, site, width=width, bypass_csp=True)  # bypass: to inject axe only
    try:
        # first, that axe sees what it must: a field without a label, grey on grey
        t.page.set_content(
            '<html lang="en"><title>x</title><main><input type="text">'
            '<p style="color:#999;background:#aaa">faint text</p></main></html>'
        )
        assert {v["id"] for v in run_axe(t.page, source)} >= {"label", "color-contrast"}
        t.go("/signin")
        problems["/signin"] = run_axe(t.page, source)
        t.signin("anna")
        t.page.get_by_role("button", name="Check the credentials now").count()
        for path in PAGES[1:]:
            for lang in ("en", "be"):
                t.go(f"{path}?lang={lang}")
                problems[f"{path} {lang}"] = run_axe(t.page, source)
        console = Console(site.config, site.ledger, site.clock)
        link = re.search(r"http://\S+", console.web_link(ANNA_TG, "Anna")[0].text).group(0)
        t.page.goto(link)
        problems["/signin/link"] = run_axe(t.page, source)
    finally:
        t.close()
    assert {k: v for k, v in problems.items() if v} == {}


def test_the_console_fits_a_phone(browser, site):
    filled(site)
    t = Tab(browser, site, width=390)
    try:
        t.signin("anna")
        for path in PAGES[1:-1]:
            t.go(path)
            overflow = t.page.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, path
    finally:
        t.close()


# -- screenshots (looked at, and linked from the README) -------------------------------------


def test_screenshots_of_the_queue_and_history(browser, site, tmp_path):
    out = Path(os.environ.get("OUTREACH_SCREENSHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    filled(site)
    for lang in ("en", "be"):
        for width, kind in ((1280, "desktop"), (390, "phone")):
            t = Tab(browser, site, width=width)
            try:
                t.signin("anna")
                for page in ("queue", "history"):
                    t.go(f"/{page}?lang={lang}")
                    path = out / f"{page}-{lang}-{kind}.png"
                    t.page.screenshot(path=str(path), full_page=kind == "desktop")
                    assert path.stat().st_size > 10_000
            finally:
                t.close()


def test_screenshots_of_the_status_page(browser, site, tmp_path):
    """A service alive on one host, a feed failing, a post out, the credentials checked (one
    channel's token revoked: the network's answers, as `doctor` words them)."""
    from outreach.ledger import FeedState
    from outreach.publishers.base import Check

    out = Path(os.environ.get("OUTREACH_SCREENSHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    started = site.clock.now()
    site.ledger.health.beat(
        "run", host="campaign-vps", pid=4242, version="0.1.0", started_at=started
    )
    site.queue(1, "mastodon-en", state="sent")
    site.ledger.save_feed_state(
        FeedState(
            "news",
            last_poll=site.clock.now(),
            failures=2,
            last_error="HTTP 503 from the feed's server",
        )
    )
    site.clock.advance(20 * 60)
    site.ledger.health.beat(
        "run", host="campaign-vps", pid=4242, version="0.1.0", started_at=started
    )
    site.app.check_channels = lambda: [  # type: ignore[method-assign]
        Check("telegram-be", "telegram", True, facts=("posting as @freeales_bot", "an administrator of @freeales_be")),
        Check("telegram-ru", "telegram", True, facts=("posting as @freeales_bot",)),
        Check("mastodon-en", "mastodon", False, problems=("the token was revoked: make a new one in the account's Development settings",)),
    ]  # fmt: skip
    shots = [("en", 1280, "desktop"), ("be", 1280, "desktop"), ("be", 390, "phone")]
    for lang, width, kind in shots:
        t = Tab(browser, site, width=width, js=False)
        try:
            t.signin("anna")
            t.go(f"/status?lang={lang}")
            t.page.locator("form[action='/status/check'] button").click()
            t.page.wait_for_url("**/status**")
            path = out / f"status-{lang}-{kind}.png"
            t.page.screenshot(path=str(path), full_page=kind == "desktop")
            assert path.stat().st_size > 10_000
        finally:
            t.close()

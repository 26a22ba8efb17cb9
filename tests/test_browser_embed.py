"""The first-party embed (assets/embed.js) in Chromium: the same bars, built in the page.

The export's embed.html holds one element per bar with data- attributes (and
one that relies on the page's own metadata), each wrapping the static bar as
its no-JavaScript fallback. With JavaScript the script replaces each with a
bar it builds; its links must be the static bar's, exactly.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from test_browser_compact import DESKTOP, PHONE, rows
from test_browser_sharebar import Guarded, browser, query, site  # noqa: F401

pytestmark = pytest.mark.browser

HOSTS = "[data-outreach-share]:not(link)"


def links(page) -> list[list[tuple[str, str | None, str | None]]]:
    """Per embed element: each link's (network, href, target), in the bar's order."""
    return page.locator(HOSTS).evaluate_all(
        """els => els.map(el => Array.from(el.querySelectorAll('[data-share]')).map(
             a => [a.dataset.share, a.getAttribute('href') || a.dataset.url,
                   a.getAttribute('target')]))"""
    )


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
def test_embed_builds_the_static_bars_links_and_asks_no_one(browser, site, viewport):  # noqa: F811
    static = Guarded(browser, viewport=viewport, java_script_enabled=False)
    built = Guarded(browser, viewport=viewport)
    try:
        static.page.goto(f"{site}/embed.html")
        built.page.goto(f"{site}/embed.html", wait_until="networkidle")
        built.page.wait_for_function(
            f"() => document.querySelectorAll('{HOSTS} nav[data-sharebar] .sb-more-count').length"
        )
        want, got = links(static.page), links(built.page)
        assert len(got) >= 5 and all(got)
        # Every element with data- attributes: the static bar's links, exactly.
        for i in range(1, len(got)):
            assert got[i] == want[i], i
        # From metadata alone (no data-text): the same networks, the page its canonical names.
        assert [n for n, _, _ in got[0]] == [n for n, _, _ in want[0]]
        # The script did it: the copy link is enhanced, and the metadata-only element
        # (no data- attributes) got the bar of the page its canonical link names.
        page = built.page
        assert page.locator(f"{HOSTS} [data-share=copy]").first.get_attribute("role") == "button"
        canonical = page.locator("link[rel=canonical]").get_attribute("href")
        meta = page.locator("#embed-meta [data-share=copy]")
        assert meta.get_attribute("href") == canonical
        for nav in page.locator(f"{HOSTS} nav").all():
            assert rows(nav) <= (2 if viewport is PHONE else 1)
        # Nothing but the page, its stylesheet and the one script: no fetch, no third party.
        loaded = sorted(urlsplit(u).path for u in built.requests)
        assert loaded == ["/assets/embed.js", "/assets/sharebar.css", "/embed.html"]
        assert built.outside() == [] and static.outside() == []
        assert built.context.cookies() == []
        assert page.evaluate("localStorage.length + sessionStorage.length") == 0
    finally:
        static.close()
        built.close()


def test_an_embedded_link_opens_the_network_in_a_new_tab(browser, site):  # noqa: F811
    g = Guarded(browser, viewport=DESKTOP)
    try:
        page = g.page
        page.goto(f"{site}/embed.html")
        nav = page.locator("#embed-meta nav")
        nav.locator("summary").click()
        with g.context.expect_page() as tab:
            url = g.click_and_catch(nav.locator("[data-share=telegram]"), "t.me")
        assert query(url)["url"] == page.locator("link[rel=canonical]").get_attribute("href")
        assert tab.value.evaluate("window.opener") is None
        assert page.url == f"{site}/embed.html"
    finally:
        g.close()


def test_without_javascript_the_static_bar_shows(browser, site):  # noqa: F811
    g = Guarded(browser, viewport=PHONE, java_script_enabled=False)
    try:
        page = g.page
        page.goto(f"{site}/embed.html")
        nav = page.locator("#embed-meta nav")
        assert nav.is_visible() and nav.locator("[data-share=copy]").is_visible()
        assert g.outside() == []
        nav.locator("summary").click()  # "More" opens without JavaScript too
        url = g.click_and_catch(nav.locator("[data-share=x]"), "x.com")
        assert query(url)["url"] == page.locator("link[rel=canonical]").get_attribute("href")
        assert g.outside() == [url]
    finally:
        g.close()

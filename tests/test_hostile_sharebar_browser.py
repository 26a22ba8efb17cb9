"""A page whose title and URL are written to hurt, exported as share bars and opened in Chromium.

The title holds markup, a script's end tag, quotes, `%` sequences and format fields;
the URL quotes, `%25`, `<>` and a fragment. Nothing may run, and every share link
must hand the network exactly that title and URL, as a reader clicking it would.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browserkit import Guarded, chromium, query, serve
from servicekit import campaign

from outreach.content import all_items
from outreach.share import export, load_targets, targets_path

pytestmark = pytest.mark.browser

TITLE = (
    '</script><script>window.pwned=1</script><img src=x onerror="window.pwned=2">'
    " 100% %2F%0A \"q\" 'a' &amp; {url} {{title}} </nav></a>"
)
URL = 'https://freeales.fidh.net/a%20b/it\'s?q=100%25&x="y"&z=<w>#frag'


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("campaign")
    page = {"id": "evil", "url": URL, "title": {"en": TITLE, "be": TITLE}, "summary": {"en": TITLE}}
    cfg = campaign(folder, announcements=[], pages=[page], feeds=[])
    out = folder / "share-bars"
    export(cfg, load_targets(targets_path(cfg)), all_items(cfg), out)
    with serve(out) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.mark.parametrize("javascript", [True, False])
def test_a_hostile_title_and_url_run_nothing_and_are_shared_exactly(
    browser, site: str, javascript: bool
):
    g = Guarded(browser, java_script_enabled=javascript)
    dialogs: list[str] = []
    g.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        g.page.goto(f"{site}/index.html", wait_until="networkidle")
        card = g.page.locator("#item-evil")
        assert card.locator("h2").inner_text() == TITLE.strip()
        if javascript:
            assert g.page.evaluate("() => window.pwned") is None
        assert dialogs == [] and g.outside() == []
        for lang in ("en", "be"):
            nav = card.locator(f"nav[lang={lang}]")
            assert nav.count() == 1 and nav.locator("img").count() == 0
            assert nav.get_attribute("aria-label").endswith(TITLE)
            assert nav.locator("[data-share=copy]").get_attribute("href") == URL
            links = nav.locator("a[data-share=telegram], a[data-share=x]")
            hrefs = links.evaluate_all("els => els.map(e => e.href)")
            telegram, x = sorted(hrefs, key=lambda h: "x.com" in h)
            assert query(telegram) == {"url": URL, "text": TITLE}
            assert query(x)["url"] == URL and query(x)["text"].startswith(TITLE)
        # As a reader's click sends it: the very same values reach the network.
        nav = card.locator("nav[lang=en]")
        nav.locator("summary").click()
        sent = g.click_and_catch(nav.locator("a[data-share=telegram]"), "t.me")
        assert query(sent) == {"url": URL, "text": TITLE}
    finally:
        g.close()


BAD_PAGES = ["javascript:alert(document.domain)", "JaVaScRiPt:alert(1)", "data:text/html,<b>x</b>"]
GOOD = "https://freeales.fidh.net/ok/"


def test_the_embed_draws_no_bar_for_a_page_url_that_is_not_http(browser, site: str, tmp_path):
    # A CMS filling data-url from an imported article's link: the script made a copy
    # link whose href was 'javascript:...' and share links carrying it.
    hosts = "".join(
        f'<div data-outreach-share data-url="{u}" data-title="t">fallback {n}</div>'
        for n, u in enumerate([*BAD_PAGES, GOOD])
    )
    html = f'<!doctype html><html lang="en"><head><meta charset="utf-8"></head><body>{hosts}'
    html += '<script src="assets/embed.js"></script></body></html>'
    g = Guarded(browser)
    try:
        g.page.route(
            f"{site}/hostile-embed.html",
            lambda route: route.fulfill(body=html, content_type="text/html"),
        )
        g.page.goto(f"{site}/hostile-embed.html", wait_until="networkidle")
        drawn = g.page.locator("[data-outreach-share]:not(link)").evaluate_all(
            "els => els.map(e => e.querySelector('nav') ? 'bar' : e.textContent)"
        )
        assert drawn == ["fallback 0", "fallback 1", "fallback 2", "bar"]
        hrefs = g.page.locator("a[href]").evaluate_all("els => els.map(e => e.href)")
        assert hrefs and all("ok%2F" in h or h == GOOD for h in hrefs if "copy" not in h)
        assert not any("javascript" in h.lower() or "data%3A" in h.lower() for h in hrefs)
        assert g.outside() == []
    finally:
        g.close()

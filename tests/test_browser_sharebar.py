"""The exported share bars in real headless Chromium, with every outside request blocked.

The export is served from 127.0.0.1; anything else the page tries to reach is
aborted and recorded, so a click's navigation target can be checked without
ever leaving the machine.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from browserkit import Guarded, chromium, export_bundled, query, serve

pytestmark = pytest.mark.browser

ALES = "https://freeales.fidh.net/about-ales-bialiatski/"
ALES_BE = "Пра Алеся Бяляцкага"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[str]:
    """The bundled campaign's export served from 127.0.0.1 (other browser tests use it too)."""
    with serve(export_bundled(tmp_path_factory.mktemp("export") / "share-bars")) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.fixture
def guarded(browser):
    g = Guarded(browser)
    yield g
    g.close()


@pytest.fixture
def no_js(browser):
    g = Guarded(browser, java_script_enabled=False)
    yield g
    g.close()


def bar(page, item: str, lang: str):
    return page.locator(f"#item-{item} nav[lang={lang}]")


def more(page, item: str, lang: str):
    """The bar, with its "More" disclosure opened (a click, as a reader would)."""
    b = bar(page, item, lang)
    b.locator("summary").click()
    return b


def test_nothing_leaves_loopback_before_a_click(guarded, site):
    page = guarded.page
    page.goto(f"{site}/index.html", wait_until="networkidle")
    assert guarded.requests, "the page loaded nothing at all?"
    assert guarded.outside() == [] and guarded.blocked == []
    assert guarded.context.cookies() == []
    # The first-party CSS and JS did load: brand colours and the enhanced copy link.
    mark = bar(page, "ales", "be").locator("[data-share=telegram] .sb-mark")
    assert mark.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(38, 165, 228)"
    assert bar(page, "ales", "be").locator("[data-share=copy]").get_attribute("role") == "button"


def test_bar_is_labelled_in_the_page_language_and_warns(guarded, site):
    page = guarded.page
    page.goto(f"{site}/index.html")
    nav = page.get_by_role("navigation", name="Падзяліцца гэтай старонкай").first
    assert nav.get_attribute("lang") == "be"
    assert "рэпост" in nav.locator(".sb-note").inner_text()
    nav.locator("summary").click()
    vk = "VK (пад юрысдыкцыяй Расіі) (адкрыецца ў новай укладцы)"
    assert nav.get_by_role("link", name=vk).count() == 1
    # Encrypted routes first: copy link comes before any network.
    ids = nav.locator("a[data-share]").evaluate_all("els => els.map(e => e.dataset.share)")
    assert ids[:4] == ["copy", "threema", "whatsapp", "viber"]
    assert "google_plus" not in ids and "yandex" not in ids and "mailru_myworld" not in ids
    en = bar(page, "ales", "en")
    assert en.get_attribute("aria-label") == "Share this page: About Ales Bialiatski"
    assert en.locator(".sb-note").count() == 0


def test_telegram_and_x_buttons_send_the_reader_to_the_network(guarded, site):
    page = guarded.page
    page.goto(f"{site}/index.html")
    assert guarded.outside() == []
    url = guarded.click_and_catch(more(page, "ales", "be").locator("[data-share=telegram]"), "t.me")
    assert url.startswith("https://t.me/share/url?")
    assert query(url) == {"url": ALES, "text": ALES_BE}

    page.goto(f"{site}/index.html")
    summary = bar(page, "ales", "en").locator("summary")
    summary.focus()  # by keyboard this time: open "More", then the X link
    page.keyboard.press("Enter")
    x_link = bar(page, "ales", "en").locator("[data-share=x]")
    x_link.focus()
    with guarded.context.expect_event(
        "requestfailed", lambda r: urlsplit(r.url).hostname == "x.com"
    ) as req:
        page.keyboard.press("Enter")
    assert query(req.value.url) == {
        "text": "About Ales Bialiatski #FreeAles #Belarus",
        "url": ALES,
    }
    # Only these two left (and were stopped). Chromium reloads a tab whose navigation
    # failed by itself after a few seconds, so on a slow run the Telegram tab asks for
    # the very same URL again: the same request twice, nothing else.
    assert set(guarded.blocked) == {url, req.value.url}
    assert list(dict.fromkeys(urlsplit(u).hostname for u in guarded.blocked)) == ["t.me", "x.com"]


def test_copy_link_copies_without_leaving(browser, site):
    g = Guarded(browser, permissions=["clipboard-read", "clipboard-write"])
    try:
        page = g.page
        page.goto(f"{site}/index.html")
        b = bar(page, "ales", "be")
        b.locator("[data-share=copy]").click()
        page.wait_for_function(
            "() => document.querySelector('#item-ales nav[lang=be] .sb-status').textContent"
        )
        assert b.locator(".sb-status").inner_text() == "Спасылка скапіявана"
        assert page.evaluate("navigator.clipboard.readText()") == ALES
        assert page.url == f"{site}/index.html"
        assert g.outside() == []
    finally:
        g.close()


def open_picker(g: Guarded, site: str):
    page = g.page
    page.goto(f"{site}/index.html")
    with g.context.expect_page() as tab:  # the picker opens in a new tab too
        more(page, "ales", "be").locator("[data-share=fediverse]").click()
    picker = tab.value
    picker.wait_for_url("**/share/fediverse.be.html#*")
    return picker


def test_the_demo_page_opened_from_disk_opens_the_picker_beside_it(guarded, tmp_path):
    # As a reader finds it after `outreach buttons --out share-bars`: a file, no server.
    out = export_bundled(tmp_path / "share-bars")
    page = guarded.page
    page.goto((out / "index.html").as_uri())
    with guarded.context.expect_page() as tab:
        more(page, "ales", "be").locator("[data-share=fediverse]").click()
    picker = tab.value
    picker.wait_for_load_state()
    assert picker.url.startswith((out / "share" / "fediverse.be.html").as_uri() + "#")
    assert picker.get_by_role("heading", level=1).inner_text() == "Падзяліцца ў федывёрсе"
    assert "text=" in urlsplit(picker.url).fragment
    assert guarded.outside() == []
    # The fragments for the site keep the site-root path the campaign serves the picker at.
    fragment = (out / "bars" / "ales.be.html").read_text(encoding="utf-8")
    assert 'href="/share/fediverse.be.html#' in fragment


def test_fediverse_picker_sends_the_reader_to_their_server(guarded, site):
    page = open_picker(guarded, site)
    text = page.locator("#fedi-text").input_value()
    assert text == f"{ALES_BE} {ALES} #FreeAles #Belarus"
    page.fill("#fedi-instance", "not a server")
    page.get_by_role("button", name="Працягнуць").click()
    assert page.locator("#fedi-error").is_visible()
    page.fill("#fedi-instance", "https://Mastodon.Example.ORG/")
    assert guarded.outside() == []  # nothing left before the reader pressed Continue
    # Continue: first the server the reader typed is asked for its NodeInfo (and here
    # it cannot answer: everything outside 127.0.0.1 is blocked)...
    url = guarded.click_and_catch(
        page.get_by_role("button", name="Працягнуць"),
        "mastodon.example.org",
        "/.well-known/nodeinfo",
    )
    assert url == "https://mastodon.example.org/.well-known/nodeinfo"
    status = page.locator("#fedi-detect")
    status.filter(has_text="не паведаміў").wait_for()
    # ...then, told so, the reader goes with the software chosen below (Mastodon).
    url = guarded.click_and_catch(
        page.get_by_role("button", name="Працягнуць"), "mastodon.example.org", "/share"
    )
    assert urlsplit(url)[:3] == ("https", "mastodon.example.org", "/share")
    assert query(url) == {"text": text}
    assert {urlsplit(u).hostname for u in guarded.outside()} == {"mastodon.example.org"}
    # Not remembered: the box was not ticked.
    page.goto(f"{site}/share/fediverse.html")
    assert page.evaluate("localStorage.length") == 0
    assert page.locator("#fedi-instance").input_value() == ""


def test_fediverse_picker_remembers_only_when_asked(guarded, site):
    page = open_picker(guarded, site)
    page.fill("#fedi-instance", "@reader@lemmy.example.net")
    page.select_option("#fedi-software", "lemmy")  # by hand: wins over anything detected
    page.check("#fedi-remember")
    url = guarded.click_and_catch(
        page.locator("#fedi-continue"), "lemmy.example.net", "/create_post"
    )
    assert query(url) == {"url": ALES, "title": ALES_BE}
    page = open_picker(guarded, site)
    assert page.locator("#fedi-instance").input_value() == "lemmy.example.net"
    assert page.locator("#fedi-software").input_value() == "lemmy"
    assert page.locator("#fedi-remember").is_checked()
    page.get_by_role("button", name="Забыць мой сервер").click()
    assert page.evaluate("localStorage.length") == 0


def test_fediverse_servers_without_a_share_page_get_copy(guarded, site):
    page = open_picker(guarded, site)
    page.fill("#fedi-instance", "gts.example.com")
    page.select_option("#fedi-software", "gotosocial")
    page.locator("#fedi-continue").click()
    assert page.locator("#fedi-copy").is_visible()
    # At most the one server the reader typed was asked which software it runs.
    for url in guarded.outside():
        assert url == "https://gts.example.com/.well-known/nodeinfo"


def test_links_work_with_javascript_off(no_js, site):
    page = no_js.page
    page.goto(f"{site}/index.html")
    assert no_js.outside() == []
    b = bar(page, "ales", "be")
    # The native share sheet needs JavaScript: its button stays hidden.
    assert not b.locator("[data-share=native]").is_visible()
    copy = b.locator("[data-share=copy]")
    assert copy.is_visible() and copy.get_attribute("href") == ALES
    assert not b.locator("[data-share=telegram]").is_visible()  # behind "More"
    url = no_js.click_and_catch(more(page, "ales", "be").locator("[data-share=telegram]"), "t.me")
    assert query(url) == {"url": ALES, "text": ALES_BE}
    page.goto(f"{site}/index.html")
    url = no_js.click_and_catch(more(page, "ales", "en").locator("[data-share=x]"), "x.com")
    assert query(url)["url"] == ALES
    for link in b.locator("a[href]").all():
        assert link.get_attribute("rel") == "noopener noreferrer"


def test_fediverse_picker_explains_itself_with_javascript_off(no_js, site):
    page = no_js.page
    page.goto(f"{site}/index.html")
    with no_js.context.expect_page() as tab:
        more(page, "ales", "be").locator("[data-share=fediverse]").click()
    page = tab.value
    page.wait_for_url("**/share/fediverse.be.html#*")
    assert "JavaScript выключаны" in page.locator("main").inner_text()
    # A plain form: the campaign's suggested servers, each posting the text to its share page.
    assert not page.locator("#fedi-instance").is_visible()  # typing a server needs JavaScript
    page.fill("#fedi-text", f"{ALES_BE} {ALES}")
    assert no_js.outside() == []
    url = no_js.click_and_catch(
        page.get_by_role("button", name="mastodon.social"), "mastodon.social", "/share"
    )
    assert query(url) == {"text": f"{ALES_BE} {ALES}"}

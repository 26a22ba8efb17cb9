"""The compact bar on a phone (390 px) and a desktop (1280 px), JavaScript on and off.

Real headless Chromium over the exported files served from 127.0.0.1; every
other host is blocked and recorded (tests/test_browser_sharebar.py's Guarded).
"""

from __future__ import annotations

import pytest
from test_browser_sharebar import ALES, Guarded, bar, browser, query, site  # noqa: F401

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
# navigator.share as a phone has it, so the native button shows (desktop Chromium has none).
PHONE_SHARE = "navigator.share = () => Promise.resolve();"


def rows(nav) -> int:
    """How many rows the buttons in view (and "More") take."""
    tops = nav.locator(":scope > ul > li:visible").evaluate_all(
        "els => els.map(e => Math.round(e.getBoundingClientRect().top))"
    )
    assert tops, "no buttons in view"
    return len(set(tops))


def open_ctx(browser, viewport, js: bool, phone_share: bool = False) -> Guarded:  # noqa: F811
    g = Guarded(browser, viewport=viewport, java_script_enabled=js)
    if phone_share:
        g.page.add_init_script(PHONE_SHARE)
    return g


def no_traces(g: Guarded) -> None:
    assert g.outside() == [] and g.blocked == []
    assert g.context.cookies() == []
    if g.context.pages and g.page.evaluate("typeof window !== 'undefined'"):
        pass


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
def test_compact_bar_fits_and_more_opens(browser, site, viewport, js):  # noqa: F811
    g = open_ctx(browser, viewport, js)
    try:
        page = g.page
        page.goto(f"{site}/index.html")
        for lang in ("be", "ru", "en", "fr"):
            nav = bar(page, "ales", lang)
            assert rows(nav) <= (2 if viewport is PHONE else 1), lang
            assert nav.evaluate("n => n.scrollWidth <= n.clientWidth"), lang  # nothing sideways
            details = nav.locator("details.sb-more")
            assert details.count() == 1 and not details.evaluate("d => d.open")
            telegram = nav.locator("[data-share=telegram]")
            assert not telegram.is_visible()
            nav.locator("summary").click()
            assert telegram.is_visible() and details.evaluate("d => d.open")
            nav.locator("summary").click()
            assert not telegram.is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        no_traces(g)
        if js:
            assert page.evaluate("localStorage.length + sessionStorage.length") == 0
    finally:
        g.close()


@pytest.mark.parametrize("lang", ["be", "en"])
def test_with_the_phone_share_sheet_the_bar_keeps_two_rows(browser, site, lang):  # noqa: F811
    g = open_ctx(browser, PHONE, True, phone_share=True)
    try:
        page = g.page
        page.goto(f"{site}/index.html")
        nav = bar(page, "ales", lang)
        assert nav.locator("[data-share=native]").is_visible()
        assert rows(nav) <= 2
        # The copy link made room (the sheet copies too): first behind "More", the count follows.
        moved = "copy"
        rest = nav.locator(".sb-rest > li > [data-share]").evaluate_all(
            "els => els.map(e => e.dataset.share)"
        )
        assert rest[0] == moved
        assert nav.locator(".sb-more-count").inner_text() == str(len(rest))
    finally:
        g.close()


def test_share_links_open_in_a_new_tab_and_the_campaign_page_stays(browser, site):  # noqa: F811
    g = open_ctx(browser, DESKTOP, True)
    try:
        page = g.page
        page.goto(f"{site}/index.html")
        nav = bar(page, "ales", "en")
        nav.locator("summary").click()
        for a in nav.locator("a[data-share]").all():
            href = a.get_attribute("href") or ""
            assert a.get_attribute("rel") == "noopener noreferrer"
            network = a.get_attribute("data-share")
            web = network != "copy" and (href.startswith("https://") or network == "fediverse")
            assert (a.get_attribute("target") == "_blank") == web, href
        with g.context.expect_page() as tab:
            url = g.click_and_catch(nav.locator("[data-share=bluesky]"), "bsky.app")
        assert query(url)["text"].endswith("#FreeAles #Belarus")
        assert tab.value.evaluate("window.opener") is None  # noopener
        assert page.url == f"{site}/index.html"
    finally:
        g.close()


def test_marks_are_visible_and_true(browser, site):  # noqa: F811
    g = open_ctx(browser, DESKTOP, True)
    try:
        page = g.page
        page.goto(f"{site}/index.html")
        texts = {
            "be": ("скразное шыфраванне", "юрысдыкцыя РФ"),
            "ru": ("сквозное шифрование", "юрисдикция РФ"),
            "en": ("end-to-end encrypted", "Russian jurisdiction"),
            "fr": ("chiffré de bout en bout", "juridiction russe"),
        }
        for lang, (e2e, ru) in texts.items():
            nav = bar(page, "ales", lang)
            # en and fr show no encrypted route before "More": the legend waits for it.
            assert nav.locator(".sb-legend").is_visible() == (lang in ("be", "ru"))
            nav.locator("summary").click()
            locked = nav.locator(".sb-mark .sb-lock:visible")
            owners = locked.evaluate_all("els => els.map(e => e.closest('a').dataset.share)")
            assert sorted(owners) == ["threema", "viber", "whatsapp"], lang
            assert nav.locator(".sb-legend").inner_text().strip() == e2e
            badge = nav.locator("[data-share=vk] .sb-badge-ru")
            assert badge.is_visible() and badge.inner_text() == ru
            assert nav.locator("[data-share=vk] .sb-badge-ru").inner_text() != "RU"
            # The share sheet and the copied link are not called encrypted, anywhere.
            for private in ("native", "copy"):
                node = nav.locator(f"[data-share={private}]")
                assert e2e not in node.evaluate("e => e.textContent + (e.title || '')")
            # No stray divider: nothing draws a border between the buttons.
            borders = nav.locator("li").evaluate_all(
                "els => els.map(e => getComputedStyle(e).borderLeftWidth)"
            )
            assert set(borders) == {"0px"}
    finally:
        g.close()


def _luminance(rgb: tuple[float, float, float]) -> float:
    def c(v: float) -> float:
        v /= 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (c(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


RING = """e => {
  const rgb = s => s.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const st = getComputedStyle(e);
  let n = e.parentElement, bg = null;
  while (n) {
    const b = getComputedStyle(n).backgroundColor;
    if (!/rgba\\(.*, 0\\)$/.test(b) && b !== 'transparent') { bg = rgb(b); break; }
    n = n.parentElement;
  }
  return {style: st.outlineStyle, width: parseFloat(st.outlineWidth),
          colour: rgb(st.outlineColor), bg: bg || [255, 255, 255],
          id: e.dataset.share || e.tagName};
}"""


def test_every_focus_ring_is_3_to_1_or_more(browser, site):  # noqa: F811
    g = open_ctx(browser, DESKTOP, True)
    try:
        page = g.page
        page.goto(f"{site}/index.html")
        nav = bar(page, "ales", "ru")
        nav.locator("summary").click()
        seen = []
        nav.locator("a, summary").first.focus()
        page.keyboard.press("Shift+Tab")
        for _ in range(40):
            page.keyboard.press("Tab")
            ring = page.evaluate(f"({RING})(document.activeElement)")
            if not page.evaluate("!!document.activeElement.closest('nav[lang=ru]')"):
                break
            seen.append(ring["id"])
            assert ring["style"] == "solid" and ring["width"] >= 2, ring
            assert contrast(tuple(ring["colour"]), tuple(ring["bg"])) >= 3, ring
        # Threema, WhatsApp, LiveJournal, Odnoklassniki and Telegram were under 3:1 before.
        assert {"threema", "whatsapp", "livejournal", "odnoklassniki", "telegram"} <= set(seen)
    finally:
        g.close()

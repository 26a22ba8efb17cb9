"""axe-core on everything readers and organisers see: bars, picker, embed demo, preview.

At a 390 px phone and a 1280 px desktop, with every "More" open (so the whole
bar is checked), JavaScript on (and off for the picker's plain form).
"""

from __future__ import annotations

import pytest
from axe import axe_source
from test_browser_compact import DESKTOP, PHONE
from test_browser_sharebar import browser, site  # noqa: F401
from test_preview_browser import page_file  # noqa: F401

pytestmark = pytest.mark.browser

PAGES = ["index.html", "share/fediverse.html", "share/fediverse.be.html", "embed.html"]


@pytest.fixture(scope="module")
def axe() -> str:
    return axe_source()


def violations(page, source: str) -> list[dict]:
    """Every violation of every rule axe runs by default, whatever its impact.

    Stricter than axe.run_axe (WCAG tags, serious and critical only): the bars,
    picker, embed and preview are meant to have none at all."""
    page.add_script_tag(content=source)
    return page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
             .map(v => ({id: v.id, impact: v.impact, help: v.help,
                         nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))"""
    )


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_no_axe_violation_on_bars_picker_and_embed(browser, site, axe, viewport, js):  # noqa: F811
    # bypass_csp: the pages forbid inline scripts, and axe is injected as one (only here).
    # "JavaScript off" is the pages without their scripts (axe itself needs script).
    context = browser.new_context(viewport=viewport, bypass_csp=True)
    if not js:
        context.route("**/*.js", lambda r: r.abort())
    try:
        page = context.new_page()
        for name in PAGES:
            page.goto(f"{site}/{name}", wait_until="networkidle")
            for details in page.locator("details").all():
                details.evaluate("d => { d.open = true; }")
            if not js:
                assert page.locator("#fedi-instance:visible").count() == 0  # no script ran
            assert violations(page, axe) == [], name
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
def test_preview_fits_a_phone_and_passes_axe(browser, page_file, axe, viewport):  # noqa: F811
    context = browser.new_context(viewport=viewport, bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(page_file.as_uri())
        # Nothing sideways: it was 498 px wide at 390.
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        assert violations(page, axe) == []
    finally:
        context.close()

"""Hostile input in real Chromium (tests/test_web_browser.py's harness): very long words,
markup and bidi overrides in what others wrote keep every page inside a phone's width, run no
script, and leave axe-core with nothing serious, at 1280 and 390 pixels."""

from __future__ import annotations

import pytest
from axe import axe_source, run_axe
from test_web_browser import Tab, browser  # noqa: F401  (browser: the shared fixture)
from test_web_hostile import PAGES, hostile
from webkit import Site

pytestmark = pytest.mark.browser


@pytest.fixture
def site(tmp_path):
    s = Site(tmp_path)
    yield s
    s.close()


def test_long_words_and_markup_stay_inside_a_phone_and_run_nothing(browser, site):  # noqa: F811
    hostile(site)
    t = Tab(browser, site, width=390)
    dialogs: list[str] = []
    t.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        t.signin("anna")
        t.go("/status")
        t.page.get_by_role("button", name="Check the credentials now").click()
        t.page.wait_for_url("**/status")
        for path in PAGES:
            t.go(path)
            overflow = t.page.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, path
            assert t.page.locator("main img, main script").count() == 0, path
        assert dialogs == []
    finally:
        t.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_axe_finds_nothing_serious_with_hostile_words_and_in_place_messages(
    browser,  # noqa: F811
    site,
    width,
):
    source = axe_source()
    hostile(site)
    t = Tab(browser, site, width=width, bypass_csp=True)  # bypass: to inject axe only
    problems = {}
    try:
        t.signin("anna")
        for path in [*PAGES, "/queue?page=abc&state=nope", "/calendar?date=2026-02-30"]:
            t.go(path)
            problems[path] = run_axe(t.page, source)
        t.go("/queue?x=" + "a" * 3000)
        problems["414"] = run_axe(t.page, source)
    finally:
        t.close()
    assert {k: v for k, v in problems.items() if v} == {}

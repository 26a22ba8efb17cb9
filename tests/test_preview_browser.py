"""The `preview --html` page in Debian's headless Chromium: drawn as posts, loading nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import require_chromium

from outreach.cli import cli
from outreach.config import BUNDLED_CONFIG

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def page_file(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("preview") / "preview.html"
    result = CliRunner(env={"OUTREACH_CONFIG": None}).invoke(
        cli,
        [
            *("--config", str(BUNDLED_CONFIG), "preview", "arrest-anniversary"),
            *("--at", "2025-08-04", "--html", str(out)),
        ],
    )
    assert result.exit_code == 0, result.output
    return out


def test_preview_page_draws_posts_and_loads_nothing(page_file, tmp_path):
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    requested: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=executable, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 1400})
            page.on("request", lambda r: requested.append(r.url))
            page.goto(page_file.as_uri())
            # Only the file itself: no font, image, script or stylesheet from anywhere.
            assert requested == [page_file.as_uri()]
            bubble = page.locator(".tg-bubble").first
            title = bubble.locator(".tg-text b").nth(1)
            assert title.inner_text() == "Об Алесе Беляцком"
            assert int(title.evaluate("e => getComputedStyle(e).fontWeight")) >= 600
            button = page.locator(".tg-button").first
            assert button.is_visible() and button.inner_text() == "Подписать обращение"
            # Telegram keeps the template's line breaks.
            text = bubble.locator(".tg-text").inner_text()
            assert "14 лет с 4 августа 2011\u202fг. (5\u00a0114 дней).\n\nОб Алесе" in text
            toot = page.locator(".toot .toot-text")
            assert toot.locator("a.tag").all_inner_texts() == ["#FreeAles", "#Belarus"]
            assert toot.locator("a.link").inner_text() == "freeales.fidh.net/about-ales-b…"
            shot = tmp_path / "preview.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 10_000
        finally:
            browser.close()

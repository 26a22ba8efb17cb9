"""What the browser tests share: the bundled export served from 127.0.0.1, Chromium
launched the same way, and a context where only 127.0.0.1 is reachable."""

from __future__ import annotations

import contextlib
import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from conftest import require_chromium

from outreach.config import BUNDLED_CONFIG, load_config
from outreach.content import all_items
from outreach.share import export, load_targets, targets_path

CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


def export_bundled(out: Path) -> Path:
    """`outreach buttons --out out` for the bundled campaign."""
    cfg = load_config(BUNDLED_CONFIG, {})
    export(cfg, load_targets(targets_path(cfg)), all_items(cfg), out)
    return out


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[str]:
    """`directory` over HTTP on 127.0.0.1; yields its base URL."""
    handler = functools.partial(_Quiet, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def chromium(*extra_args: str) -> Iterator[object]:
    """Debian's headless Chromium under Playwright (the test is skipped where it is missing)."""
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=[*CHROMIUM_ARGS, *extra_args])
        try:
            yield b
        finally:
            b.close()


class Guarded:
    """A browser context where only 127.0.0.1 (and files) are reachable; the rest is recorded."""

    def __init__(self, browser, **kwargs) -> None:
        self.context = browser.new_context(**kwargs)
        self.requests: list[str] = []
        self.blocked: list[str] = []
        self.context.on("request", lambda r: self.requests.append(r.url))
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()

    @staticmethod
    def _ours(url: str) -> bool:
        parts = urlsplit(url)
        return parts.hostname == "127.0.0.1" or parts.scheme == "file"

    def _route(self, route) -> None:
        url = route.request.url
        if self._ours(url):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def outside(self) -> list[str]:
        return [u for u in self.requests if not self._ours(u)]

    def click_and_catch(self, locator, host: str, path: str | None = None) -> str:
        """Click, and return the URL of the request to `host` (and `path`) once blocked.

        Caught on the whole context: share links open in a new tab."""

        def wanted(r) -> bool:
            u = urlsplit(r.url)
            return u.hostname == host and (path is None or u.path == path)

        with self.context.expect_event("requestfailed", wanted) as failed:
            locator.click()
        url = failed.value.url
        assert url in self.blocked  # stopped by our route, not sent
        return url

    def close(self) -> None:
        self.context.close()


def query(url: str, fragment: bool = False) -> dict[str, str]:
    parts = urlsplit(url)
    return {k: v[0] for k, v in parse_qs(parts.fragment if fragment else parts.query).items()}

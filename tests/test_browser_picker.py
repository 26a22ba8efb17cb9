"""The fediverse picker asks the reader's server which software it runs (NodeInfo).

A NodeInfo server on 127.0.0.1 (HTTPS, a throwaway self-signed certificate)
answers as Mastodon, Misskey, Pleroma, Akkoma, GoToSocial, Lemmy and Friendica
do, under their own host names: Chromium maps *.test to it
(--host-resolver-rules), so the page's fetch() is real HTTPS with real CORS,
and the server records every request it gets. One host never answers.
"""

from __future__ import annotations

import http.server
import json
import ssl
import subprocess
import threading
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from browserkit import chromium, export_bundled, serve

pytestmark = pytest.mark.browser

# host -> (software.name, the rel of the document its /.well-known/nodeinfo lists, its path)
SERVERS = {
    "mastodon.test": ("mastodon", "2.0", "/nodeinfo/2.0"),
    "misskey.test": ("misskey", "2.1", "/nodeinfo/2.1"),
    "sharkey.test": ("sharkey", "2.1", "/nodeinfo/2.1"),
    "pleroma.test": ("pleroma", "2.1", "/nodeinfo/2.1.json"),
    "akkoma.test": ("akkoma", "2.1", "/nodeinfo/2.1.json"),
    "gts.test": ("gotosocial", "2.0", "/nodeinfo/2.0"),
    "lemmy.test": ("lemmy", "2.1", "/nodeinfo/2.1"),
    "friendica.test": ("friendica", "2.0", "/nodeinfo/2.0"),
    "unknown.test": ("peertube", "2.0", "/nodeinfo/2.0"),
}
SILENT = "silent.test"  # accepts the connection and never answers
ELSEWHERE = "elsewhere.test"  # its /.well-known/nodeinfo points to another host


class NodeInfoServer(http.server.BaseHTTPRequestHandler):
    seen: list[dict[str, str | None]]
    hang: threading.Event

    def do_GET(self) -> None:
        host = (self.headers["Host"] or "").split(":")[0]
        self.seen.append(
            {
                "host": host,
                "path": self.path,
                "cookie": self.headers["Cookie"],
                "referer": self.headers["Referer"],
            }
        )
        if host == SILENT:
            self.hang.wait(30)
            return
        body: object = None
        if self.path == "/.well-known/nodeinfo" and host == ELSEWHERE:
            body = {"links": [{"rel": _rel("2.0"), "href": "https://mastodon.test/nodeinfo/2.0"}]}
        elif host in SERVERS:
            name, version, path = SERVERS[host]
            if self.path == "/.well-known/nodeinfo":
                body = {"links": [{"rel": _rel(version), "href": f"https://{host}{path}"}]}
            elif self.path == path:
                body = {
                    "version": version,
                    "software": {"name": name, "version": "4.3.1"},
                    "protocols": ["activitypub"],
                    "openRegistrations": True,
                }
        data = json.dumps(body).encode() if body is not None else b"not found"
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Access-Control-Allow-Origin", "*")  # as these servers send it
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


def _rel(version: str) -> str:
    return f"http://nodeinfo.diaspora.software/ns/schema/{version}"


@pytest.fixture(scope="module")
def nodeinfo(tmp_path_factory) -> Iterator[tuple[int, list[dict[str, str | None]]]]:
    d = tmp_path_factory.mktemp("tls")
    subprocess.run(
        [
            *(
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
            ),
            *("-nodes", "-keyout", str(d / "key.pem"), "-out", str(d / "cert.pem"), "-days", "2"),
            *("-subj", "/CN=nodeinfo.test", "-addext", "subjectAltName=DNS:*.test"),
        ],
        check=True,
        capture_output=True,
    )
    seen: list[dict[str, str | None]] = []
    hang = threading.Event()
    handler = type("Handler", (NodeInfoServer,), {"seen": seen, "hang": hang})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(d / "cert.pem", d / "key.pem")
    server.socket = tls.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], seen
    hang.set()
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[str]:
    with serve(export_bundled(tmp_path_factory.mktemp("export") / "share-bars")) as url:
        yield url


@pytest.fixture(scope="module")
def browser(nodeinfo):
    port, _ = nodeinfo
    with chromium(f"--host-resolver-rules=MAP *.test 127.0.0.1:{port}") as b:
        yield b


@pytest.fixture
def picker(browser, site, nodeinfo):
    """The Belarusian picker page as the bar opens it; share pages are caught, not loaded."""
    _, seen = nodeinfo
    seen.clear()
    context = browser.new_context(ignore_https_errors=True)
    left: list[str] = []

    def route(r) -> None:
        u = urlsplit(r.request.url)
        if u.hostname == "127.0.0.1" or u.path.startswith(("/.well-known/", "/nodeinfo/")):
            r.continue_()  # our site, and the NodeInfo the page may ask for
        else:
            left.append(r.request.url)  # the share page itself: recorded, never loaded
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    text = "Пра Алеся Бяляцкага https://freeales.fidh.net/about-ales-bialiatski/ #FreeAles"
    page.goto(f"{site}/share/fediverse.be.html#text={text}&url=https://freeales.fidh.net/&title=T")
    page.left = left  # type: ignore[attr-defined]
    yield page
    context.close()


def type_server(page, host: str) -> None:
    page.fill("#fedi-instance", host)
    page.locator("#fedi-instance").blur()  # leaving the field is the moment it is asked


def went_to(page, host: str) -> str:
    with page.context.expect_event(
        "requestfailed", lambda r: urlsplit(r.url).hostname == host and "nodeinfo" not in r.url
    ) as failed:
        page.locator("#fedi-continue").click()
    return failed.value.url


@pytest.mark.parametrize(
    ("host", "label", "path", "params"),
    [
        ("mastodon.test", "Mastodon", "/share", {"text"}),
        ("misskey.test", "Misskey", "/share", {"text"}),
        ("sharkey.test", "Misskey", "/share", {"text"}),
        ("lemmy.test", "Lemmy", "/create_post", {"url", "title"}),
        ("friendica.test", "Friendica", "/compose", {"body"}),
    ],
)
def test_detected_software_sends_the_reader_to_its_share_page(
    picker, nodeinfo, host, label, path, params
):
    _, seen = nodeinfo
    assert seen == []  # nothing asked before the reader typed
    type_server(picker, host)
    status = picker.locator("#fedi-detect")
    status.filter(has_text="працуе на").wait_for()
    assert label in status.inner_text() and host in status.inner_text()
    url = went_to(picker, host)
    assert urlsplit(url).path == path and set(parse_qs(urlsplit(url).query)) == params
    # Only the typed server was asked, only for NodeInfo, with no cookie and no referrer.
    assert {r["host"] for r in seen} == {host}
    assert [r["path"] for r in seen] == ["/.well-known/nodeinfo", SERVERS[host][2]]
    assert all(r["cookie"] is None and r["referer"] is None for r in seen)


@pytest.mark.parametrize("host", ["pleroma.test", "akkoma.test", "gts.test"])
def test_software_without_a_share_page_offers_to_copy_the_text(picker, nodeinfo, host):
    type_server(picker, host)
    picker.locator("#fedi-detect").filter(has_text="скапіюйце").wait_for()
    picker.locator("#fedi-continue").click()
    assert picker.locator("#fedi-copy").is_visible()
    assert picker.left == []  # type: ignore[attr-defined]


def test_copy_says_text_copied_when_the_text_was_copied(picker):
    picker.context.grant_permissions(["clipboard-read", "clipboard-write"])
    type_server(picker, "gts.test")
    picker.locator("#fedi-detect").filter(has_text="GoToSocial").wait_for()
    picker.locator("#fedi-continue").click()
    picker.get_by_role("button", name="Скапіяваць тэкст").click()
    status = picker.locator("#fedi-status")
    status.filter(has_text="Тэкст скапіяваны").wait_for()
    assert (
        picker.evaluate("navigator.clipboard.readText()")
        == picker.locator("#fedi-text").input_value()
    )


def test_a_server_that_does_not_answer_leaves_the_choice_to_the_reader(picker, nodeinfo):
    _, seen = nodeinfo
    type_server(picker, SILENT)
    status = picker.locator("#fedi-detect")
    status.filter(has_text="Пытаемся").wait_for()
    status.filter(has_text="не паведаміў").wait_for(timeout=10_000)  # gave up after 4 s
    picker.select_option("#fedi-software", "misskey")
    url = went_to(picker, SILENT)
    assert urlsplit(url).path == "/share"
    assert {r["host"] for r in seen} == {SILENT}


def test_unknown_software_and_a_document_elsewhere_are_said_plainly(picker, nodeinfo):
    _, seen = nodeinfo
    type_server(picker, "unknown.test")
    picker.locator("#fedi-detect").filter(has_text="peertube").wait_for()
    type_server(picker, ELSEWHERE)
    picker.locator("#fedi-detect").filter(has_text="не паведаміў").wait_for()
    # The document on another host was not fetched: only the server the reader typed.
    assert {r["host"] for r in seen} == {"unknown.test", ELSEWHERE}


def test_instance_in_the_address_fills_the_field_and_asks_no_one(browser, site, nodeinfo):
    _, seen = nodeinfo
    seen.clear()
    context = browser.new_context(ignore_https_errors=True)
    try:
        page = context.new_page()
        page.goto(f"{site}/share/fediverse.html?instance=Misskey.TEST#text=hello")
        assert page.locator("#fedi-instance").input_value() == "misskey.test"
        page.wait_for_timeout(300)
        assert seen == []  # not until the reader goes on
        assert page.evaluate("localStorage.length") == 0
        assert context.cookies() == []
    finally:
        context.close()


def test_suggested_servers_are_offered_and_go_straight_there(picker, nodeinfo):
    _, seen = nodeinfo
    buttons = picker.locator(".sb-servers button")
    assert buttons.all_inner_texts() == ["mastodon.social", "mastodon.online", "social.vivaldi.net"]
    with picker.context.expect_event(
        "requestfailed", lambda r: urlsplit(r.url).hostname == "mastodon.online"
    ) as failed:
        picker.get_by_role("button", name="mastodon.online").click()
    u = urlsplit(failed.value.url)
    assert u.path == "/share" and parse_qs(u.query)["text"][0].startswith("Пра Алеся")
    assert seen == []  # its software is known from the campaign file: nobody was asked

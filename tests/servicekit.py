"""Helpers for the scheduling, feed and service tests: campaign files and a feed server.

The feed server is a tiny http.server on 127.0.0.1 that serves documents set by
the test, honours If-None-Match / If-Modified-Since with 304, and can be told
to fail.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml

from outreach.config import BUNDLED_CONFIG, Config, load_config

FEEDS = Path(__file__).parent / "data" / "feeds"


def write_campaign(folder: Path, **sections: Any) -> Path:
    """The bundled campaign with some top-level sections replaced; returns the YAML path."""
    data = yaml.safe_load(BUNDLED_CONFIG.read_text(encoding="utf-8"))
    for name in ("news.xml",):
        (folder / name).write_bytes((BUNDLED_CONFIG.parent / name).read_bytes())
    data.update(sections)
    path = folder / "outreach.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def campaign(folder: Path, **sections: Any) -> Config:
    return load_config(write_campaign(folder, **sections), {})


class FeedServer:
    """Serves `documents[path]`; records each request's conditional headers."""

    def __init__(self) -> None:
        self.documents: dict[str, bytes] = {}
        self.status: dict[str, int] = {}
        self.requests: list[dict[str, str | None]] = []
        self._stamps: dict[str, str] = {}
        self._etags: dict[str, str] = {}
        self._types: dict[str, str] = {}
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server._answer(self)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return f"{self.base}/{path.lstrip('/')}"

    def put(
        self,
        path: str,
        body: bytes,
        etag: str | None = None,
        content_type: str = "application/rss+xml; charset=utf-8",
    ) -> None:
        """Serve `body` at `path` as `content_type`; its ETag a hash of it, or `etag` (a
        server that numbers its versions: two feeds can both be '"v1"')."""
        with self._lock:
            path = "/" + path.lstrip("/")
            self.documents[path] = body
            self._types[path] = content_type
            self._stamps[path] = formatdate(usegmt=True)
            self._etags[path] = etag or '"' + hashlib.sha256(body).hexdigest()[:16] + '"'

    def fail(self, path: str, status: int) -> None:
        self.status["/" + path.lstrip("/")] = status

    def heal(self, path: str) -> None:
        self.status.pop("/" + path.lstrip("/"), None)

    def _answer(self, req: BaseHTTPRequestHandler) -> None:
        with self._lock:
            self.requests.append(
                {
                    "path": req.path,
                    "if_none_match": req.headers.get("If-None-Match"),
                    "if_modified_since": req.headers.get("If-Modified-Since"),
                }
            )
            body = self.documents.get(req.path)
            stamp = self._stamps.get(req.path)
            etag = self._etags.get(req.path, "")
            content_type = self._types.get(req.path, "")
            status = self.status.get(req.path)
        if status:
            req.send_response(status)
            req.send_header("Content-Length", "0")
            req.end_headers()
            return
        if body is None:
            req.send_error(404)
            return
        if req.headers.get("If-None-Match") == etag:
            req.send_response(304)
            req.send_header("ETag", etag)
            req.end_headers()
            return
        req.send_response(200)
        req.send_header("Content-Type", content_type)
        req.send_header("ETag", etag)
        req.send_header("Last-Modified", stamp or formatdate(usegmt=True))
        req.send_header("Content-Length", str(len(body)))
        req.end_headers()
        req.wfile.write(body)

    def __enter__(self) -> FeedServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@contextmanager
def feed_server() -> Iterator[FeedServer]:
    with FeedServer() as server:
        yield server


def feed_bytes(name: str) -> bytes:
    return (FEEDS / name).read_bytes()

"""The plumbing both fake servers share: a threaded HTTP server that misbehaves on command."""

from __future__ import annotations

import contextlib
import json
import select
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    form: dict[str, Any]
    files: dict[str, tuple[str | None, bytes]]
    json: Any = None


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None
    """Bytes to send instead of `body` as JSON (with a Content-Type in `headers`)."""


@dataclass
class Fault:
    """What to do instead of (or after) answering normally.

    kind: "reply" (answer `reply` without processing), "slow" (process, then
    wait `delay` seconds before answering, or less if the client hangs up first: a
    test can make `delay` far longer than the client's timeout at no cost), "drop" (close the connection
    without processing or answering), "drop_after" (process, then close
    without answering), "reply_after" (process, then answer `reply` instead: a
    server that failed after doing the work).
    """

    kind: str
    reply: Reply | None = None
    delay: float = 0.0
    path: str | None = None
    """Only requests whose path contains this are affected (others pass)."""


def proxy_page(status: int, retry_after: int | None = None) -> Reply:
    """What a reverse proxy (nginx) in front of the API answers when the application
    behind it is down, restarting or slow: an HTML page, not the API's JSON."""
    reason = {
        500: "Internal Server Error",
        502: "Bad Gateway",
        503: "Service Temporarily Unavailable",
        504: "Gateway Time-out",
    }.get(status, "Error")
    page = (
        f"<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n"
        f"<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n"
        "</body>\r\n</html>\r\n"
    )
    headers = {"Content-Type": "text/html"}
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    return Reply(status, None, headers, raw=page.encode())


class FakeServer:
    """Start with `with Fake() as f:` or start()/close(); `f.url` is http://127.0.0.1:PORT."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.faults: deque[Fault] = deque()
        self.log: list[tuple[str, str]] = []
        """(method, path) of every request, in arrival order."""
        self.connections = 0
        """TCP connections accepted so far (a kept-alive client opens one)."""
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                with server.lock:
                    server.connections += 1
                # Headers and body go out in separate writes: without this, Nagle and
                # delayed ACKs add 40 ms to every request.
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def log_message(self, *args: Any) -> None:  # quiet: paths hold tokens
                pass

            def do_GET(self) -> None:
                server._handle(self)

            do_POST = do_PUT = do_DELETE = do_GET

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def start(self) -> FakeServer:
        self._thread.start()
        return self

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.close()

    proxy_error = staticmethod(proxy_page)

    def fail_next(
        self, n: int = 1, kind: str = "reply", *, path: str | None = None, **kw: Any
    ) -> None:
        with self.lock:
            for _ in range(n):
                self.faults.append(Fault(kind, path=path, **kw))

    def _take_fault(self, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.path is None or fault.path in path:
                    self.faults.remove(fault)
                    return fault
        return None

    def route(self, req: Request) -> Reply:
        raise NotImplementedError

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        req = _parse(h)
        if req is None:  # the client died mid-request: a real server processes nothing
            h.close_connection = True
            return
        with self.lock:
            self.log.append((req.method, req.path))
        fault = self._take_fault(req.path)
        if fault and fault.kind == "drop":
            return _drop(h)
        if fault and fault.kind == "reply" and fault.reply:
            return _send(h, fault.reply)
        reply = self.route(req)
        if fault and fault.kind == "drop_after":
            return _drop(h)
        if fault and fault.kind == "reply_after" and fault.reply:
            reply = fault.reply
        if fault and fault.kind == "slow":
            _wait_unless_gone(h, fault.delay)
        try:
            _send(h, reply)
        except OSError:  # the client gave up waiting: that is the point of "slow"
            h.close_connection = True


def _wait_unless_gone(h: BaseHTTPRequestHandler, delay: float) -> None:
    """Up to `delay` seconds, until the client closes the connection (it gave up)."""
    deadline = time.monotonic() + delay
    while (left := deadline - time.monotonic()) > 0:
        readable, _, _ = select.select([h.connection], [], [], min(left, 0.05))
        if readable:
            try:
                if h.connection.recv(1, socket.MSG_PEEK) == b"":
                    return
            except OSError:
                return
            time.sleep(min(left, 0.05))  # the client sent more: keep waiting


def _drop(h: BaseHTTPRequestHandler) -> None:
    h.close_connection = True
    with contextlib.suppress(OSError):
        h.connection.shutdown(socket.SHUT_RDWR)


def _send(h: BaseHTTPRequestHandler, reply: Reply) -> None:
    if reply.raw is not None:
        data = reply.raw
    else:
        data = b"" if reply.body is None else json.dumps(reply.body).encode()
    h.send_response(reply.status)
    if "Content-Type" not in reply.headers:
        h.send_header("Content-Type", "application/json; charset=utf-8")
    h.send_header("Content-Length", str(len(data)))
    for k, v in reply.headers.items():
        h.send_header(k, v)
    h.end_headers()
    h.wfile.write(data)
    h.wfile.flush()


def _parse(h: BaseHTTPRequestHandler) -> Request | None:
    parts = urlsplit(h.path)
    length = int(h.headers.get("Content-Length") or 0)
    body = h.rfile.read(length) if length else b""
    if len(body) < length:
        return None
    ctype = h.headers.get("Content-Type", "")
    form: dict[str, Any] = {}
    files: dict[str, tuple[str | None, bytes]] = {}
    parsed_json = None
    if ctype.startswith("application/x-www-form-urlencoded"):
        for k, v in parse_qsl(body.decode(), keep_blank_values=True):
            _add(form, k, v)
    elif ctype.startswith("multipart/form-data"):
        msg = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {ctype}\r\n\r\n".encode() + body)
        for part in msg.iter_parts():
            name = part.get_param("name", header="content-disposition")
            data = part.get_payload(decode=True) or b""
            if part.get_filename() is not None:
                files[name] = (part.get_filename(), data)
            else:
                _add(form, name, data.decode())
    elif ctype.startswith("application/json") and body:
        parsed_json = json.loads(body)
    return Request(
        method=h.command,
        path=parts.path,
        query=dict(parse_qsl(parts.query)),
        headers={k.lower(): v for k, v in h.headers.items()},
        form=form,
        files=files,
        json=parsed_json,
    )


def _add(form: dict[str, Any], key: str, value: str) -> None:
    if key.endswith("[]"):
        form.setdefault(key[:-2], []).append(value)
    else:
        form[key] = value

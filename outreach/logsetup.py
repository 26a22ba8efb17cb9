"""How the long-running commands log: text for people, or one JSON object per line.

`--log-format json` (or OUTREACH_LOG_FORMAT=json) is for journald, Loki,
Elasticsearch and the like: each record is one line holding one JSON object
with `time` (UTC, ISO 8601), `level`, `logger`, `message` and, when there is
one, `exception` (the traceback).

Tokens are masked before any handler sees a record (redact.py wraps the record
factory): the message, and the traceback, which redact.py leaves in
`record.exc_text` when it had to mask it. The formatter here is hand-written
because it must print that masked `exc_text` rather than format `exc_info`
afresh, which is what python-json-logger does, and would bring a token back.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from typing import Literal, TextIO

LogFormat = Literal["text", "json"]
FORMATS: tuple[LogFormat, ...] = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line (newlines inside values are escaped)."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, object] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_text:  # set (and masked) by redact.py when the traceback held a secret
            out["exception"] = record.exc_text
        elif record.exc_info and record.exc_info[0] is not None:
            out["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            out["stack"] = record.stack_info
        return json.dumps(out, ensure_ascii=False, default=str)


class _StderrHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever sys.stderr is when a record comes (click's runner swaps it)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        pass


def setup_logging(fmt: LogFormat | None = None, level: int = logging.WARNING) -> None:
    """Log records at `level` and above to stderr in `fmt`; callable again to change either
    (`fmt` None: keep the format chosen before, else text).

    Like logging.basicConfig, it leaves alone a root logger that someone else
    has already given handlers (an application embedding outreach, pytest).
    """
    root = logging.getLogger()
    ours = [h for h in root.handlers if isinstance(h, _StderrHandler)]
    if ours:
        handler: logging.Handler = ours[0]
    elif root.handlers:
        return
    else:
        handler = _StderrHandler()
        root.addHandler(handler)
    if fmt is not None or handler.formatter is None:
        json_lines = fmt == "json"
        handler.setFormatter(JsonFormatter() if json_lines else logging.Formatter(TEXT_FORMAT))
    root.setLevel(level)

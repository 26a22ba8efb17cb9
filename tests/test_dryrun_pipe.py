"""A dry-run printout that cannot be written changes no delivery: it reached nobody either way.

`outreach run --once | head -1`: the reader closes the pipe after its first
line, and every later print fails with EPIPE. The dry-run rows must still be
recorded as dry-run (never failed or unknown), and the command must end
quietly, as Unix tools do when their reader goes away.
"""

from __future__ import annotations

import fcntl
import io
import os
import subprocess
import sys
from pathlib import Path

from fakes import ManualClock
from servicekit import write_campaign

from outreach.config import DeliverySettings
from outreach.delivery import DeliveryLoop
from outreach.ledger import open_ledger
from outreach.post import Post
from outreach.publishers.dryrun import DryRunPublisher

HEADER = b"--- dry-run:"


class ClosedPipe(io.StringIO):
    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error
        self.writes = 0

    def write(self, s: str) -> int:
        self.writes += 1
        raise self.error


def test_a_failed_print_still_records_the_post_as_dry_run(tmp_path: Path):
    out = ClosedPipe(BrokenPipeError(32, "Broken pipe"))
    pub = DryRunPublisher("tg", "telegram", "@freeales_ru", "set $TOKEN", out=out)
    ledger = open_ledger(f"sqlite:///{tmp_path / 'l.sqlite3'}", ManualClock())
    ids = [
        ledger.enqueue(Post("tg", "telegram", f"<b>{n}</b>", "ru", about=f"news:{n}")).id
        for n in range(3)
    ]
    report = DeliveryLoop(ledger, {"tg": pub}, DeliverySettings()).run_once()
    assert report.count("sent") == 3 and report.count("unknown") == 0
    rows = [ledger.get(i) for i in ids]
    assert {(d.state, d.dry_run) for d in rows} == {("sent", True)}
    assert all(d.remote_id and d.remote_id.startswith("dry-run:") for d in rows)
    assert pub.print_failed == "BrokenPipeError"
    assert out.writes == 1  # it stopped printing after the first failure
    ledger.close()


def test_a_closed_stream_is_no_error_either():
    out = io.StringIO()
    out.close()
    pub = DryRunPublisher("ma", "mastodon", "https://m.example", "set $TOKEN", out=out)
    post = Post("ma", "mastodon", "hello", "en", about="news:1")
    assert pub.publish(post, "k" * 32).remote_id.startswith("dry-run:")
    assert pub.print_failed == "ValueError" and len(pub.sent) == 1


def test_run_once_into_a_reader_that_closes_early(tmp_path: Path):
    # every item of the bundled feed to every channel: 12 posts, more than the pipe holds
    feeds = [{"id": "news", "path": "news.xml", "backlog": 4}]
    config = write_campaign(tmp_path, feeds=feeds, store={"url": "sqlite:///ledger.sqlite3"})
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("OUTREACH_")},
        "OUTREACH_CONFIG": str(config),
        "OUTREACH_FAKE_NOW": "2026-03-03T15:00:00+03:00",
    }
    proc = subprocess.Popen(
        [sys.executable, "-c", "from outreach.cli import main; main()", "run", "--once", "-v"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    # A pipe of one page: the writer must wait for the reader, so after the reader
    # closes, the rest of the dry-run output (several pages) meets a closed pipe.
    fcntl.fcntl(proc.stdout.fileno(), fcntl.F_SETPIPE_SZ, 4096)
    seen = b""
    while not (HEADER in seen and seen.endswith(b"\n")):  # like `head`: up to a first post
        chunk = os.read(proc.stdout.fileno(), 1)
        assert chunk, f"no dry-run post was printed: {seen!r}"
        seen += chunk
    proc.stdout.close()
    err = proc.stderr.read().decode()
    code = proc.wait(timeout=60)

    assert "could not be printed (BrokenPipeError)" in err  # the case under test happened
    for noise in ("Traceback", "Exception ignored", "unexpected", "unknown", "Broken pipe"):
        assert noise not in err, err
    assert code == 1  # click's exit for a closed stdout, without a word

    ledger = open_ledger(f"sqlite:///{tmp_path / 'ledger.sqlite3'}")
    rows = ledger.deliveries()
    assert len(rows) == 12
    assert {(d.state, d.dry_run) for d in rows} == {("sent", True)}
    ledger.close()

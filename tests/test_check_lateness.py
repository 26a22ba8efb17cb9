"""The lateness histogram an operator scrapes (/metrics) counts posts that reached someone:
a dry run was printed and posted nowhere, so how late it was printed says nothing of how late
subscribers got their posts."""

from __future__ import annotations

import datetime as dt
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

from outreach.config import load_config
from outreach.ledger import Ledger, open_ledger
from outreach.metrics import MetricsServer
from outreach.post import Post

START = dt.datetime(2026, 8, 4, 9, 0, tzinfo=dt.UTC)
LEASE = dt.timedelta(seconds=30)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> dt.datetime:
        return self.now


def went_out(ledger: Ledger, clock: Clock, n: int, *, late: int, dry_run: bool) -> None:
    """A post due now that went out `late` seconds later, posted or (dry run) printed."""
    post = Post("mastodon-en", "mastodon", f"post {n}", "en", about=f"news:item-{n}")
    ident = ledger.enqueue(post, dedupe_key=f"item-{n}", due_at=clock.now).id
    clock.now += dt.timedelta(seconds=late)
    claim = ledger.claim(ident, LEASE)
    assert claim is not None and not isinstance(claim, tuple)
    ledger.finish_sent(claim, "dry-run" if dry_run else str(n), None, dry_run=dry_run)  # type: ignore[arg-type]


def lateness(ledger: Ledger, clock: Clock) -> dict[str, float]:
    server = MetricsServer(load_config(None, {}), ledger, clock, 0).start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/metrics", timeout=10) as r:
            text = r.read().decode()
    finally:
        server.stop()
    return {
        s.labels["q"]: s.value
        for family in text_string_to_metric_families(text)
        if family.name == "outreach_delivery_lateness_seconds"
        for s in family.samples
    }


def test_dry_runs_are_not_counted_as_late_posts(tmp_path):
    clock = Clock()
    ledger = open_ledger(f"sqlite:///{tmp_path / 'store.sqlite3'}", clock)
    try:
        went_out(ledger, clock, 1, late=5, dry_run=False)
        went_out(ledger, clock, 2, late=900, dry_run=True)  # printed 15 min late
        went_out(ledger, clock, 3, late=900, dry_run=True)
        assert lateness(ledger, clock) == {"0.5": 5.0, "1": 5.0}
    finally:
        ledger.close()


def test_only_dry_runs_give_no_lateness_at_all(tmp_path):
    clock = Clock()
    ledger = open_ledger(f"sqlite:///{tmp_path / 'store.sqlite3'}", clock)
    try:
        went_out(ledger, clock, 1, late=600, dry_run=True)
        assert lateness(ledger, clock) == {}
    finally:
        ledger.close()

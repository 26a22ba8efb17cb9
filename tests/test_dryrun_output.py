"""Dry-run printouts of channels posting at the same moment stay whole, one after another.

Each channel posts from its own thread; an organiser reading `outreach run --once` sees
every post as a block that starts with its header line and ends with a newline.
"""

from __future__ import annotations

import io
import threading
import time

from outreach.post import Post
from outreach.publishers.dryrun import DryRunPublisher


class SlowStream(io.StringIO):
    """A terminal that takes a moment per write, so another thread gets to write meanwhile."""

    def write(self, s: str) -> int:
        time.sleep(0.02)
        return super().write(s)


def test_two_channels_printing_at_once_do_not_run_into_each_other():
    out = SlowStream()
    pubs = [DryRunPublisher(ch, "telegram", f"@{ch}", "set $TOKEN", out=out) for ch in ("be", "ru")]
    start = threading.Barrier(2)

    def post(pub: DryRunPublisher) -> None:
        start.wait()
        pub.publish(Post(pub.channel_id, "telegram", f"news for {pub.channel_id}", "ru"), "k" * 32)

    threads = [threading.Thread(target=post, args=(pub,)) for pub in pubs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lines = out.getvalue().splitlines()
    headers = [n for n, line in enumerate(lines) if line.startswith("--- dry-run:")]
    assert len(headers) == 2 and headers[0] == 0, out.getvalue()
    blocks = [lines[headers[0] : headers[1]], lines[headers[1] :]]
    for block in blocks:
        ch = block[0].split()[4]  # "--- dry-run: telegram channel <id> (@<id>) ---"
        assert block[1:] == ["language=ru silent=no parse_mode=HTML link_preview=on",
                             f"news for {ch}"], out.getvalue()  # fmt: skip
    assert out.getvalue().endswith("\n")

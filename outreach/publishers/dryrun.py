"""The dry-run publisher: records and prints exactly what would be sent.

Used for every channel without a token (the bundled campaign's channels), so
a new user sees the real posts without an account anywhere.

A dry-run post reaches nobody whether or not its printout does: when printing
fails (`outreach run --once | head -1` closes the pipe, a full disk), the
delivery is still recorded as dry-run, never as failed or unknown, and this
publisher prints no more (the failure is logged once, at INFO).
"""

from __future__ import annotations

import logging
import sys
import threading
from typing import TextIO

from ..networks import find_network
from ..post import Post
from ..said import Said
from .base import Check, Publisher, Receipt

log = logging.getLogger(__name__)
_PRINTING = threading.Lock()
"""One printout at a time across every dry-run channel: each channel posts from its own
thread (outreach.delivery), and `print` writes the text and its newline as two writes, so two
channels' printouts ran into each other ("...appeal/--- dry-run: telegram ...")."""


class DryRunPublisher(Publisher):
    dry_run = True

    def __init__(
        self, channel_id: str, network: str, where: str, token_hint: str, out: TextIO | None = None
    ) -> None:
        super().__init__(channel_id, None)
        self.network = network  # type: ignore[misc]  # per instance: it stands in for any network
        self.where = where
        self.token_hint = token_hint
        self.out = out
        self.sent: list[tuple[Post, str]] = []
        self.print_failed: str | None = None
        """Why printing stopped (e.g. "BrokenPipeError"); None while it works."""
        self._lock = threading.Lock()

    @property
    def account(self) -> str:
        return f"dry-run:{self.channel_id}"

    def publish(self, post: Post, delivery_key: str) -> Receipt:
        with self._lock:
            self.sent.append((post, delivery_key))
            n = len(self.sent)
            self._print(render(post, self.where))
        return Receipt(remote_id=f"dry-run:{delivery_key[:12]}:{n}")

    def _print(self, text: str) -> None:
        if self.print_failed is not None:
            return
        try:
            out = self.out or sys.stdout
            with _PRINTING:
                out.write(text + "\n")
                out.flush()
        except (OSError, ValueError) as exc:  # ValueError: the stream was closed
            self.print_failed = type(exc).__name__
            log.info(
                "dry-run output for channel %s could not be printed (%s); its posts are "
                "still recorded as dry-run (nothing is posted either way)",
                self.channel_id,
                self.print_failed,
            )

    def check(self) -> Check:
        return Check(
            self.channel_id,
            self.network,
            ok=True,
            facts=(Said("dryrun.printed", hint=self.token_hint),),
        )


def render(post: Post, where: str) -> str:
    """The post as it would go out, every field that changes what readers see."""
    lines = [f"--- dry-run: {post.network} channel {post.channel_id} ({where}) ---"]
    flags = [f"language={post.language}"]
    net = find_network(post.network)
    flags += net.flags(post) if net is not None else []
    lines.append(" ".join(flags))
    if post.spoiler_text:
        lines.append(f"content warning: {post.spoiler_text}")
    if post.image_url:
        lines.append(
            f"image: {post.image_url}" + (f" (alt: {post.image_alt})" if post.image_alt else "")
        )
    lines.append(post.text)
    lines += [f"[button] {b.text} -> {b.url}" for b in post.buttons]
    return "\n".join(lines)

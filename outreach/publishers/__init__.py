"""Publishers: each network's own (built by its declaration in outreach/networks/), and the
dry-run stand-in for channels without a token.

    publisher_for(channel, token) -> Publisher      # token None -> DryRunPublisher
    publishers_for(config) -> {channel id: Publisher}   # each channel's resolved token

Each publisher's `publish(post, delivery_key)` returns a Receipt or raises an
outreach.errors.PublishError (see publishers/base.py). Heavy client libraries are
imported only when a publisher is made.
"""

from __future__ import annotations

from typing import TextIO

from ..clock import Clock
from ..config import ChannelBase, Config
from ..networks import network
from ..said import Said
from ..secret import Secret
from .base import Check, Publisher, Receipt

__all__ = ["Check", "Publisher", "Receipt", "publisher_for", "publishers_for", "token_name"]


def token_name(channel: ChannelBase) -> str:
    """Where the token comes from, in words: '$OUTREACH_TELEGRAM_TOKEN' or 'the file x'."""
    names = []
    if channel.token_env:
        names.append(f"${channel.token_env}")
    if channel.token_file:
        names.append(f"the file {channel.token_file}")
    return " or ".join(names) or f"channels.{channel.id}.token_env"


def publisher_for(
    channel: ChannelBase,
    token: Secret | None,
    *,
    timeout: float = 20.0,
    out: TextIO | None = None,
    clock: Clock | None = None,
) -> Publisher:
    """The channel's publisher, as its network builds it; the dry-run one when there is no token."""
    net = network(channel.kind)
    if token is None or not token.get_secret_value():
        from .dryrun import DryRunPublisher

        where = net.where(channel)
        return DryRunPublisher(
            channel.id, net.name, where, Said("dryrun.set_token", name=token_name(channel)), out=out
        )
    return net.publisher(
        channel,
        token.get_secret_value(),
        token_name=token_name(channel),
        timeout=timeout,
        clock=clock,
    )


def publishers_for(
    config: Config, *, out: TextIO | None = None, clock: Clock | None = None
) -> dict[str, Publisher]:
    """A publisher per configured channel, with the token the config resolved for it."""
    timeout = config.delivery.timeout_seconds
    return {
        ch.id: publisher_for(ch, ch.token, timeout=timeout, out=out, clock=clock)
        for ch in config.channels
    }

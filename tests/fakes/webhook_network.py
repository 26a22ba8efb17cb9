"""A third network, written as a newcomer would add one: this module, plus its templates.

"webhook" posts JSON to an HTTP endpoint that honours an Idempotency-Key for
ten minutes, allows 2 posts a minute per hook and 200 characters a post. It
lives in the tests, registered by test_third_network.py with
outreach.networks.register; a real one would sit in outreach/networks/ and
be found without registering.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Literal

import requests
from pydantic import Field

from outreach.clock import Clock
from outreach.config import ChannelBase
from outreach.errors import PermanentError, TransientError
from outreach.networks import Network
from outreach.pacing import Rule, Slot
from outreach.post import Post
from outreach.publishers.base import Check, Publisher, Receipt, fingerprint

HOOK = (Rule(2, 60.0, "Webhook: 2 posts a minute per hook"),)


class WebhookChannel(ChannelBase):
    kind: Literal["webhook"]
    url: str
    max_length: int = Field(default=200, ge=1)


class Webhook(Network[WebhookChannel]):
    name = "webhook"
    channel_model = WebhookChannel
    resend_window = dt.timedelta(minutes=10)

    def length(
        self, channel: WebhookChannel, text: str, learned: Mapping[str, int] | None = None
    ) -> int:
        return len(text)

    def limit(self, channel: WebhookChannel, *, has_image: bool, learned: Mapping[str, int]) -> int:
        return channel.max_length

    def post(
        self,
        channel: WebhookChannel,
        text: str,
        *,
        language: str,
        fallback_language: str,
        image_url: str | None,
        image_alt: str,
        about: str,
    ) -> Post:
        return Post(channel.id, self.name, text, language, about=about)

    def slots(self, channel_id: str, account: str, *, has_image: bool = False) -> list[Slot]:
        return [(account, HOOK)]

    def where(self, channel: WebhookChannel) -> str:
        return channel.url

    def publisher(
        self,
        channel: WebhookChannel,
        secret: str,
        *,
        token_name: str,
        timeout: float,
        clock: Clock | None,
    ) -> Publisher:
        return WebhookPublisher(channel, secret, timeout)


class WebhookPublisher(Publisher):
    network = "webhook"

    def __init__(self, channel: WebhookChannel, secret: str, timeout: float) -> None:
        super().__init__(channel.id, secret)
        self.url, self._secret, self.timeout = channel.url, secret, timeout

    @property
    def account(self) -> str:
        return f"webhook:{fingerprint(self.url + self._secret)}"

    def publish(self, post: Post, delivery_key: str) -> Receipt:
        try:
            r = requests.post(
                self.url,
                json={"text": post.text, "language": post.language},
                headers={
                    "Authorization": f"Bearer {self._secret}",
                    "Idempotency-Key": delivery_key,
                },
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            raise TransientError(f"the hook could not be reached ({type(exc).__name__})") from None
        if r.status_code >= 500:
            raise TransientError(f"the hook answered HTTP {r.status_code}")
        if r.status_code >= 400:
            raise PermanentError(f"the hook refused the post (HTTP {r.status_code})")
        return Receipt(remote_id=str(r.json()["id"]))

    def check(self) -> Check:
        return Check(self.channel_id, self.network, ok=True, facts=(f"posts to {self.url}",))

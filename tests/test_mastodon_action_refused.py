"""A correction or takedown that the instance refuses with 422 tells the organiser what
happened to the post and what to do, not the advice for a new post (fix the template)."""

from __future__ import annotations

import random

import pytest
from fakes import ManualClock
from fakes._server import Reply, Request
from fakes.mastodon_server import FakeMastodon
from mastodonkit import publisher

from outreach.config import DeliverySettings
from outreach.delivery import DeliveryLoop
from outreach.ledger import ActionRequest, Ledger
from outreach.post import Post

SETTINGS = DeliverySettings(timeout_seconds=2.0)


class Unyielding(FakeMastodon):
    """Posts, then refuses every edit and deletion as Mastodon does invalid input."""

    def _one_status(self, req: Request, status_id: str) -> Reply:
        if req.method in ("DELETE", "PUT"):
            return self.error(422, "Validation failed: Text character limit of 500 exceeded")
        return super()._one_status(req, status_id)


def run(ledger: Ledger, clock: ManualClock, fake: FakeMastodon) -> None:
    loop = DeliveryLoop(ledger, {"masto": publisher(fake)}, SETTINGS, clock=clock,
                        rng=random.Random(1))  # fmt: skip
    loop.run_once(max_wait=5)


@pytest.mark.parametrize("kind", ["edit", "delete"])
def test_a_refused_correction_or_takedown_says_the_post_is_unchanged(ledger, clock, kind):
    with Unyielding() as fake:
        sent = ledger.get(
            ledger.enqueue(Post("masto", "mastodon", "hello", "en", about="news:a")).id
        )
        run(ledger, clock, fake)
        sent = ledger.get(sent.id)
        assert sent.state == "sent" and sent.remote_url
        text = "hello again" if kind == "edit" else None
        request, _ = ledger.request_actions([ActionRequest(sent, kind, "web:anna", "x", text)])
        run(ledger, clock, fake)
        [action] = ledger.actions(request=request)
        assert action.state == "refused", action
        detail = action.detail or ""
        assert "HTTP 422: Validation failed: Text character limit of 500 exceeded" in detail
        assert sent.remote_url in detail and "the post is as it was" in detail
        # not the advice for a post that never went out
        assert "template" not in detail and "outreach retry" not in detail
        [status] = fake.statuses
        assert status["status"] == "hello" and not status.get("deleted")

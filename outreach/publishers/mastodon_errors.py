"""Mastodon.py's exceptions -> ours, in words an organiser can act on.

A 429 is RateLimited with the wait the instance gave (Retry-After, else
X-RateLimit-Reset: the publisher reads them from the last answer); a 5xx or a
network failure is transient (every status carries an Idempotency-Key, so a
retry cannot post twice); an address requests refuses outright is permanent
(nothing left); 401, 403 and 422 are permanent, with what to fix. A 404 or 410
on a post acted on (an edit, a deletion) means it is gone. The instance's own
words (its `error` field) are quoted after ours, redacted first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import Gone, PermanentError, PublishError, RateLimited, TransientError
from ..said import Quoted, Said
from .base import SentPost

if TYPE_CHECKING:
    from .mastodon import MastodonPublisher


class Translate:
    """Mastodon.py's exceptions -> ours, with words an organiser can act on."""

    def __init__(self, pub: MastodonPublisher, doing: str, sent: SentPost | None = None) -> None:
        self.pub = pub
        self.doing = doing
        self.sent = sent
        """The post acted on (an edit, a deletion): a 404 then means it is gone."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type | None, exc: BaseException | None, tb: Any) -> None:
        if exc is None or isinstance(exc, PublishError):
            return
        from mastodon import errors as m

        if isinstance(exc, m.MastodonError):
            raise self.translate(exc, m) from None

    def translate(self, exc: Exception, m: Any) -> PublishError:
        pub, where, doing = self.pub, self.pub.instance, self.doing
        status = status_of(exc)
        detail = pub.redact(str(exc.args[3])) if len(exc.args) > 3 and exc.args[3] else ""
        # the platform's words, quoted after ours when it gave any
        answer = Said("answer", text=Quoted(detail)) if detail else ""
        channel = pub.channel_id
        if isinstance(exc, m.MastodonRatelimitError):
            wait = pub.retry_after()
            if wait is None:
                return RateLimited(Said("mastodon.rate_limited", instance=where), retry_after=None)
            said = Said("mastodon.rate_limited_wait", instance=where, seconds=f"{wait:.0f}")
            return RateLimited(said, retry_after=wait)
        if isinstance(exc, m.MastodonNetworkError) and refused_before_sending(exc):
            error = type(exc.__context__).__name__
            return PermanentError(
                Said("mastodon.bad_address", instance=where, error=error, channel=channel)
            )
        if isinstance(exc, m.MastodonNetworkError):
            key = (
                "mastodon.timed_out" if "timed out" in str(exc).lower() else "mastodon.unreachable"
            )
            return TransientError(Said(key, instance=where, doing=doing))
        if isinstance(exc, m.MastodonServerError):
            # A 503 may say when to come back; the loop's backoff otherwise.
            return TransientError(
                Said("mastodon.server_error", instance=where, status=status, doing=doing),
                retry_after=pub.asked_to_wait(),
            )
        fix_token = Said("mastodon.fix_token", name=pub.token_name)
        if self.sent is not None and status in (403, 404, 410):
            link = self.sent.link
            if status == 404:
                return Gone(Said("mastodon.gone", link=link, instance=where, doing=doing))
            if status == 410:
                return Gone(
                    Said("mastodon.gone_status", link=link, instance=where, status=410, doing=doing)
                )
            return PermanentError(
                Said(
                    "mastodon.post_forbidden",
                    instance=where,
                    doing=doing,
                    link=link,
                    answer=answer,
                    channel=channel,
                )
            )
        if status == 401:
            return PermanentError(
                Said(
                    "mastodon.token_rejected",
                    instance=where,
                    channel=channel,
                    answer=answer,
                    fix=fix_token,
                )
            )
        if status == 403:
            return PermanentError(
                Said(
                    "mastodon.forbidden",
                    instance=where,
                    channel=channel,
                    doing=doing,
                    answer=answer,
                    fix=fix_token,
                )
            )
        if status == 422:
            what: str = Quoted(detail) if detail else Said("mastodon.validation_failed")
            if self.sent is not None:  # an edit or a deletion: no template, nothing to retry
                link = self.sent.link
                said = Said("mastodon.action_invalid", instance=where, doing=doing, link=link,
                            channel=channel, answer=what)  # fmt: skip
                return PermanentError(said)
            return PermanentError(
                Said("mastodon.invalid", instance=where, channel=channel, answer=what)
            )
        if status == 404:
            return PermanentError(
                Said("mastodon.no_api", instance=where, doing=doing, channel=channel)
            )
        if status is not None and 400 <= status < 500:
            return PermanentError(
                Said("mastodon.refused", instance=where, doing=doing, status=status, answer=answer)
            )
        if isinstance(exc, m.MastodonIllegalArgumentError):
            error = Quoted(pub.redact(str(exc)))
            return PermanentError(Said("mastodon.cannot_send", channel=channel, error=error))
        error = type(exc).__name__
        return TransientError(Said("mastodon.other", instance=where, error=error, doing=doing))


def status_of(exc: Exception) -> int | None:
    """The HTTP status of a Mastodon.py API error (its second argument), if it has one."""
    return exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], int) else None


def refused_before_sending(exc: Exception) -> bool:
    """Whether requests refused the address itself (no http(s), no host): nothing left.

    Mastodon.py raises its network error inside requests' `except`, so the
    requests exception is the context, not the cause.
    """
    from requests import exceptions as r

    return isinstance(exc.__context__, (r.InvalidURL, r.MissingSchema, r.InvalidSchema))

"""Mastodon through Mastodon.py: text, language, visibility, content warning, one image.

Corrections edit a status in place (PUT /api/v1/statuses/:id, `status_update`):
the status is read first and its media ids and `sensitive` flag are sent back,
because an edit without media_ids drops the attachments; the content warning is
the post's own; visibility cannot be changed by an edit and language is kept by
Mastodon when not sent (Mastodon.py's status_update does not send it).
A server without status editing (Mastodon before 3.5 has no PUT route) answers
the edit 404 although the status was just read: the status is read again, and
if it is still there the edit is refused for good with what to do instead,
never reported as gone. Takedowns delete it (DELETE /api/v1/statuses/:id); a
404 or 410 means it is gone.

An image is posted only once GET /api/v1/media/:id gives its `url` (206 and no
url while processing): Mastodon refuses a status naming unprocessed media
(422, "Try again in a moment"), the same test on its side.

Mastodon.py's errors become ours in mastodon_errors.py. Rate limits are ours
to handle (`ratelimit_method="throw"`): a 429 becomes
RateLimited with the wait from Retry-After (seconds or an HTTP date) or
X-RateLimit-Reset (an ISO 8601 time). Every status
carries an Idempotency-Key derived from the delivery, so a retry after a
timeout or a crash returns the first status instead of posting a second one.

The instance's limits (max_characters above all) are read by `check` (for
`outreach doctor`) and by `learn_limits`, once per publisher, i.e. once per
process: the delivery loop asks at start (unless the ledger holds limits read
from this instance within a day: outcomes.learn_limits) so the message layer can
fit posts to what this instance allows.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import mimetypes
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..clock import Clock, SystemClock, clock_seconds
from ..errors import PermanentError, PublishError, TransientError
from ..networks.mastodon import MastodonChannel
from ..post import Post
from ..said import Quoted, Said, said_of
from .base import Check, Done, LookUp, Publisher, Receipt, SentPost, fingerprint
from .mastodon_errors import Translate, status_of

log = logging.getLogger(__name__)
ImageFetcher = Callable[[str], tuple[bytes, str]]
"""An image URL (or local path) -> (bytes, MIME type); raises PublishError."""
MAX_IMAGE_BYTES = 16 * 1024 * 1024
MEDIA_POLL_SECONDS = 1.0


class MastodonPublisher(Publisher):
    network = "mastodon"

    def __init__(
        self,
        channel: MastodonChannel,
        token: str,
        *,
        token_name: str = "the token",
        timeout: float = 20.0,
        media_wait: float = 60.0,
        fetch_image: ImageFetcher | None = None,
        clock: Clock | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        """`clock`: the application's; it times the image-processing wait and the rate-limit
        reset. `sleep` (seconds) replaces its waits between media polls (tests)."""
        super().__init__(channel.id, token)
        self.channel = channel
        self.instance = channel.instance.rstrip("/")
        self._token = token
        self.token_name = token_name
        self.timeout = timeout
        self.media_wait = media_wait
        self.fetch_image = fetch_image or (lambda url: fetch_image_default(url, timeout))
        self.clock: Clock = clock or SystemClock()
        self.sleep = sleep or (lambda seconds: self.clock.sleep(seconds, threading.Event()))
        self._api: Any = None
        self._last: Any = None  # the last HTTP response, for its rate-limit headers
        self._limits_read: dict[str, int] | None = None

    @functools.cached_property
    def account(self) -> str:
        # worked out once: the delivery loop asks before every post (pacing's slots)
        return f"mastodon:{urlsplit(self.instance).netloc}:{fingerprint(self._token)}"

    def api(self) -> Any:
        if self._api is None:
            from .mastodon_client import client_class
            from .mastodon_session import settled_session

            session = settled_session(self.instance)
            session.hooks["response"].append(self._remember)
            # Mastodon.py's client; a new status's answer is not cast (mastodon_client.py)
            self._api = client_class()(
                access_token=self._token,
                api_base_url=self.instance,
                ratelimit_method="throw",
                request_timeout=self.timeout,
                version_check_mode="none",
                session=session,
            )
        return self._api

    def warm(self) -> None:
        self.api()

    def _remember(self, response: Any, *args: Any, **kwargs: Any) -> None:
        self._last = response

    # -- publishing -----------------------------------------------------------

    def publish(self, post: Post, delivery_key: str) -> Receipt:
        api = self.api()
        media_ids = []
        doing = "mastodon.doing.uploading" if post.image_url else "mastodon.doing.posting"
        with self._errors(Said(doing)):
            if post.image_url:
                media_ids.append(self._upload(api, post.image_url, post.image_alt))
        with self._errors(Said("mastodon.doing.posting")):
            status = api.status_post(
                post.text,
                media_ids=media_ids or None,
                visibility=post.visibility,
                spoiler_text=post.spoiler_text or None,
                language=post.language,
                idempotency_key=f"outreach-{delivery_key}",
            )
        return Receipt(remote_id=str(status["id"]), url=status.get("url") or status.get("uri"))

    # -- corrections and takedowns -------------------------------------------------

    def edit(self, sent: SentPost, text: str) -> Done:
        from mastodon import MastodonAPIError

        api = self.api()
        with self._errors(Said("mastodon.doing.reading_to_correct"), sent):
            status = api.status(sent.remote_id)
        media = [str(m["id"]) for m in status.get("media_attachments") or ()]
        with self._errors(Said("mastodon.doing.correcting"), sent):
            try:
                api.status_update(
                    sent.remote_id,
                    text,
                    spoiler_text=sent.post.spoiler_text,
                    sensitive=bool(status.get("sensitive")),
                    media_ids=media or None,
                )
            except MastodonAPIError as exc:
                if status_of(exc) not in (404, 405):
                    raise
                # Just read, so a 404 here is more likely the route missing than the status
                # gone: read it again to tell which (a GET 404 there raises Gone).
                with self._errors(Said("mastodon.doing.reading_to_correct"), sent):
                    api.status(sent.remote_id)
                said = Said(
                    "mastodon.cannot_edit_here",
                    instance=self.instance,
                    status=status_of(exc) or 404,
                    link=sent.link,
                )
                raise PermanentError(said) from None
        return Done(Said("done.edited"))

    def delete(self, sent: SentPost) -> Done:
        with self._errors(Said("mastodon.doing.removing"), sent):
            self.api().status_delete(sent.remote_id)
        return Done(Said("done.removed"))

    def look_up(self, sent: SentPost) -> LookUp:
        """The account's recent statuses (GET /api/v1/accounts/:id/statuses), by text."""
        api = self.api()
        with self._errors(Said("mastodon.doing.looking_up")):
            me = api.account_verify_credentials()
            statuses = api.account_statuses(me["id"], limit=40, exclude_reblogs=True)
        want = _words(sent.post.text)
        for status in statuses:
            if _words(html_text(status.get("content") or "")) == want:
                url = status.get("url") or status.get("uri")
                return LookUp(True, Receipt(str(status["id"]), url))
        return LookUp(
            True,
            note=f"none of the account's {len(statuses)} latest statuses on {self.instance} "
            "has this text",
        )

    def _upload(self, api: Any, image_url: str, alt: str) -> str:
        data, mime = self.fetch_image(image_url)
        name = Path(urlsplit(image_url).path).name or "image"
        media = api.media_post(data, mime_type=mime, description=alt or None, file_name=name)
        # Processing is asynchronous (v2 API): a status with unprocessed media is refused.
        deadline = self.clock.monotonic() + self.media_wait
        while media.get("url") is None:
            if self.clock.monotonic() > deadline:
                seconds = f"{self.media_wait:.0f}"
                raise TransientError(
                    Said("mastodon.still_processing", instance=self.instance, seconds=seconds)
                )
            self.sleep(MEDIA_POLL_SECONDS)
            media = api.media(media["id"])
        return str(media["id"])

    # -- doctor -----------------------------------------------------------------

    def check(self) -> Check:
        facts: list[str] = []
        problems: list[str] = []
        limits: dict[str, int] = {}
        api = self.api()
        try:
            with self._errors(Said("mastodon.doing.checking")):
                me = api.account_verify_credentials()
            facts.append(Said("mastodon.logged_in", acct=str(me["acct"]), instance=self.instance))
            with self._errors(Said("mastodon.doing.limits")):
                limits = self._limits_read = self._limits(api)
        except PublishError as exc:
            problems.append(said_of(exc))
        if limits.get("max_characters"):
            facts.append(Said("mastodon.max_characters", n=limits["max_characters"]))
            own = self.channel.max_characters
            if own and own > limits["max_characters"]:
                problems.append(
                    Said(
                        "mastodon.own_limit_too_high",
                        channel=self.channel_id,
                        own=own,
                        instance=self.instance,
                        n=limits["max_characters"],
                    )
                )
        return Check(
            self.channel_id, self.network, not problems, tuple(facts), tuple(problems), limits
        )

    @property
    def limits_source(self) -> str:
        """Where learn_limits reads: the instance's URL."""
        return self.instance

    def learn_limits(self) -> dict[str, int]:
        """The instance's limits, read at most once successfully; {} when they cannot be read."""
        if self._limits_read is None:
            try:
                with self._errors(Said("mastodon.doing.limits")):
                    self._limits_read = self._limits(self.api())
            except PublishError as exc:
                log.warning("channel %s: %s", self.channel_id, exc)
                return {}
        return self._limits_read

    def _limits(self, api: Any) -> dict[str, int]:
        from mastodon import MastodonNotFoundError

        try:
            conf = api.instance_v2().get("configuration") or {}
        except MastodonNotFoundError:  # before Mastodon 4.0
            conf = api.instance_v1().get("configuration") or {}
        statuses = conf.get("statuses") or {}
        media = conf.get("media_attachments") or {}
        out = {
            "max_characters": statuses.get("max_characters"),
            "max_media_attachments": statuses.get("max_media_attachments"),
            "characters_reserved_per_url": statuses.get("characters_reserved_per_url"),
            "image_size_limit": media.get("image_size_limit"),
        }
        return {k: int(v) for k, v in out.items() if isinstance(v, int)}

    # -- errors -----------------------------------------------------------------

    def _errors(self, doing: str, sent: SentPost | None = None) -> Translate:
        return Translate(self, doing, sent)

    def retry_after(self) -> float | None:
        """Seconds to wait on our clock, from the last answer's Retry-After or X-RateLimit-Reset.

        Both are the server's wall time; a simulated clock running N times faster waits N
        times as many of its own seconds, which is the same moment for the server.
        """
        wait = self.asked_to_wait()
        if wait is not None:
            return wait
        reset = getattr(self._api, "ratelimit_reset", None)  # parsed X-RateLimit-Reset
        if not reset:
            return None
        return self._seconds_until(dt.datetime.fromtimestamp(float(reset), dt.UTC))

    def asked_to_wait(self) -> float | None:
        """Seconds on our clock from the last answer's Retry-After (RFC 9110: seconds or an
        HTTP date), which a 429 or a 503 (maintenance, overload) may carry; None without."""
        headers = getattr(self._last, "headers", None) or {}
        after = headers.get("Retry-After", "").strip()
        if after.isdigit():
            return clock_seconds(self.clock, float(after))
        if not after:
            return None
        from email.utils import parsedate_to_datetime

        try:
            when = parsedate_to_datetime(after)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            return None
        return self._seconds_until(when)

    def _seconds_until(self, real: dt.datetime) -> float:
        """Seconds on our clock until the server's wall-clock moment `real`, never below 0."""
        return max(0.0, (self.clock.from_real(real) - self.clock.now()).total_seconds())


def html_text(content: str) -> str:
    """A status's HTML `content` as its words (links whole: Mastodon hides their middle
    in spans that still hold the text)."""
    from html.parser import HTMLParser

    parts: list[str] = []

    class _Text(HTMLParser):
        def handle_starttag(self, tag: str, attrs: Any) -> None:
            if tag in ("br", "p"):
                parts.append("\n")

        def handle_data(self, data: str) -> None:
            parts.append(data)

    _Text(convert_charrefs=True).feed(content)
    return "".join(parts)


def _words(text: str) -> str:
    return " ".join(text.split())


def fetch_image_default(url: str, timeout: float) -> tuple[bytes, str]:
    """The image bytes and MIME type, from an http(s) URL or a local file."""
    if not url.startswith(("http://", "https://")):
        path = Path(url).expanduser()
        try:
            data = path.read_bytes()
        except OSError as exc:
            error = Quoted(str(exc.strerror))
            raise PermanentError(Said("image.unreadable", path=str(path), error=error)) from None
        return data, mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    import requests

    try:
        with requests.get(url, timeout=timeout, stream=True) as r:
            if r.status_code >= 500 or r.status_code == 429:
                raise TransientError(Said("image.busy", url=url, status=r.status_code))
            if r.status_code >= 400:
                raise PermanentError(Said("image.refused", url=url, status=r.status_code))
            mime = r.headers.get("Content-Type", "").split(";")[0].strip()
            if not mime.startswith("image/"):
                kind: str = mime or Said("image.untyped")
                raise PermanentError(Said("image.not_image", url=url, mime=kind))
            data = r.raw.read(MAX_IMAGE_BYTES + 1, decode_content=True)
    except requests.RequestException as exc:
        failed = type(exc).__name__
        raise TransientError(Said("image.not_downloaded", url=url, error=failed)) from None
    if len(data) > MAX_IMAGE_BYTES:
        raise PermanentError(Said("image.too_big", url=url, mb=MAX_IMAGE_BYTES // 2**20))
    return data, mime

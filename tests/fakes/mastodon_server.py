"""A fake Mastodon server: just what Mastodon.py calls to post a status with an image.

Mastodon.py (version_check_mode="none") reads /api/v1/instance/ and
/api/v2/instance/ once to learn the version before choosing /api/v2/media;
then POST /api/v2/media, GET /api/v1/media/:id until `url` is set, and POST
/api/v1/statuses. Like the real server (PostStatusService), a repeated
Idempotency-Key returns the first status instead of creating another: keys are
the account's (here, the token's) and kept for an hour (`age_keys` moves them
back in time); the first status deleted since, the repeat is 404. A status's
length is counted as StatusLengthValidator counts it (grapheme clusters, every
link as characters_reserved_per_url, `@user@domain` as `@user`, the content
warning too), and refused over max_characters with Mastodon's 422 words.
docs/platform_conformance.md compares this fake, Mastodon's documentation and
outreach item by item.

Edits and deletions behave as Mastodon documents them: GET, PUT (edit; an
edit without media_ids drops the attachments, language and visibility stay)
and DELETE /api/v1/statuses/:id, 404 "Record not found" for a status that
was deleted; GET /api/v1/accounts/:id/statuses lists the live ones, newest first.
A server from before Mastodon 4.0 (`instance_v2=False`) has no /api/v2/instance
(its limits are in /api/v1/instance's configuration); one from before 3.5
(`can_edit=False`) has no PUT route: 404
"Not Found". A status naming media still processing is refused with 422 and
Mastodon's "Try again in a moment" (PostStatusService's not_ready check).

    with FakeMastodon() as m:
        m.fail_next(2, "reply", reply=m.rate_limited(reset_in=1))
        m.fail_next(1, "slow", delay=2, path="/statuses")   # posts, answers too late
        m.fail_next(1, "reply_after", reply=m.proxy_error(502), path="/statuses")  # nginx's page
        ...
        m.statuses  # what was posted (a deleted one stays here, with "deleted": True)
        m.live()    # what is still there, as it reads now
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import time
from typing import Any

from ._server import FakeServer, Reply, Request

# A 1x1 transparent PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
VERSION = "4.3.0"
_LINK = re.compile(r"https?://[^\s<>\"]+")
"""A link as Mastodon's StatusLengthValidator finds one (simplified: no bare domains)."""
_REMOTE_MENTION = re.compile(r"(?<![=/\w])@(\w+)@[\w.-]+\w", re.ASCII)
"""`@user@domain`, which StatusLengthValidator counts as `@user` (its Account::MENTION_RE,
simplified: ASCII user names)."""
IDEMPOTENCY_SECONDS = 3600
"""PostStatusService keeps an Idempotency-Key for an hour (redis.setex ..., 3_600), per account."""
NOT_READY = "Cannot attach files that have not finished processing. Try again in a moment!"


class FakeMastodon(FakeServer):
    def __init__(
        self,
        tokens: set[str] | None = None,
        max_characters: int = 500,
        realistic: bool = False,
        can_edit: bool = True,
        instance_v2: bool = True,
        url_chars: int | None = None,
    ) -> None:
        """`realistic`: answer a new status as Mastodon does, with the whole status entity
        (its account, card, counts...) and the rate-limit headers (benchmarks).
        `url_chars`: the instance reserves that many characters per link (its
        configuration's characters_reserved_per_url) and counts every http(s) link as
        that many, as Mastodon's StatusLengthValidator does; None: Mastodon's own 23."""
        super().__init__()
        self.realistic = realistic
        self.can_edit = can_edit
        self.instance_v2 = instance_v2
        """False: a server before Mastodon 4.0, without GET /api/v2/instance."""
        """False: a server before Mastodon 3.5, without PUT /api/v1/statuses/:id."""
        self.tokens = tokens
        """Accepted tokens; None accepts any."""
        self.max_characters = max_characters
        self.url_chars = url_chars
        self.statuses: list[dict[str, Any]] = []
        self.media: dict[str, dict[str, Any]] = {}
        self.tokens_seen: list[str | None] = []
        self.processing_polls = 1
        """GETs of a media id that still answer "processing" (206, url null)."""
        self._by_key: dict[tuple[str | None, str], tuple[float, dict[str, Any]]] = {}
        """(token, Idempotency-Key) -> (time.monotonic() when stored, the status): an
        account's keys, as Mastodon keeps them (idempotency:status:<account>:<key>)."""
        self.replays = 0
        """Requests answered with an earlier status because their Idempotency-Key was known."""
        self._ids = itertools.count(100000000000000001)
        self.edits: list[dict[str, Any]] = []
        """PUT /api/v1/statuses/:id calls that changed a status: id, status, spoiler_text, media_ids."""

    # -- misbehaviour helpers ---------------------------------------------------

    def rate_limited(self, reset_in: float = 1.0, retry_after: int | None = None) -> Reply:
        """Mastodon's 429 (its Rack::Attack throttled_responder): X-RateLimit-Reset an
        ISO 8601 time with microseconds (`iso8601(6)`), no Retry-After unless given
        (a proxy's)."""
        reset = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=reset_in)
        headers = {
            "X-RateLimit-Limit": "300",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": reset.isoformat(timespec="microseconds").replace("+00:00", "Z"),
        }
        if retry_after is not None:
            headers["Retry-After"] = str(retry_after)
        return Reply(429, {"error": "Too many requests"}, headers)

    @staticmethod
    def error(status: int, message: str = "") -> Reply:
        defaults = {
            401: "The access token is invalid",
            403: "This action is outside the authorized scopes",
            422: "Validation failed: Text character limit of 500 exceeded",
            500: "Internal server error",
            502: "Bad gateway",
            503: "Service unavailable",
        }
        return Reply(status, {"error": message or defaults.get(status, "error")})

    def age_keys(self, seconds: float) -> None:
        """Pretend every Idempotency-Key was stored `seconds` earlier (past an hour, forgotten)."""
        with self.lock:
            self._by_key = {k: (at - seconds, s) for k, (at, s) in self._by_key.items()}

    def texts(self) -> list[str]:
        with self.lock:
            return [s["status"] for s in self.statuses]

    def live(self) -> list[dict[str, Any]]:
        """The statuses still there (not deleted), as they read now."""
        with self.lock:
            return [s for s in self.statuses if not s.get("deleted")]

    def find(self, status_id: str) -> dict[str, Any] | None:
        with self.lock:
            return next((s for s in self.statuses if s["id"] == status_id), None)

    # -- routes -----------------------------------------------------------------

    def route(self, req: Request) -> Reply:
        path = req.path.rstrip("/")
        if path == "/api/v1/instance":
            return Reply(200, self._instance(v2=False))
        if path == "/api/v2/instance" and self.instance_v2:
            return Reply(200, self._instance(v2=True))
        if path.startswith("/static/"):
            return Reply(200, None, {"Content-Type": "image/png"}, raw=PNG)
        token = req.headers.get("authorization", "").removeprefix("Bearer ") or None
        with self.lock:
            self.tokens_seen.append(token)
        if self.tokens is not None and token not in self.tokens:
            return self.error(401)
        if path == "/api/v1/accounts/verify_credentials":
            return Reply(200, self._account())
        if path == "/api/v2/media" and req.method == "POST":
            return self._upload(req)
        if path.startswith("/api/v1/media/") and req.method == "GET":
            return self._media(path.rsplit("/", 1)[1])
        if path == "/api/v1/statuses" and req.method == "POST":
            return self._post_status(req, token)
        if path.startswith("/api/v1/statuses/"):
            return self._one_status(req, path.rsplit("/", 1)[1])
        if path.startswith("/api/v1/accounts/") and path.endswith("/statuses"):
            limit = int(req.query.get("limit") or 20)
            with self.lock:
                live = [s["json"] for s in reversed(self.statuses) if not s.get("deleted")]
            return Reply(200, live[:limit])
        return Reply(404, {"error": "Record not found"})

    def _one_status(self, req: Request, status_id: str) -> Reply:
        with self.lock:
            record = self.find(status_id)
            if record is None or record.get("deleted"):
                return Reply(404, {"error": "Record not found"})
            if req.method == "GET":
                return Reply(200, record["json"])
            if req.method == "DELETE":
                record["deleted"] = True
                return Reply(200, {**record["json"], "text": record["status"]})
            if req.method != "PUT":
                return Reply(404, {"error": "Record not found"})
            if not self.can_edit:  # no such route: Rails' 404, not the record's
                return Reply(404, {"error": "Not Found"})
            form = req.form
            text = form.get("status", record["status"])
            spoiler = form.get("spoiler_text", record["spoiler_text"])
            too_long = self._too_long(text, spoiler)
            if too_long is not None:
                return too_long
            media_ids = form.get("media_ids", [])  # omitted: the attachments are dropped
            if any(mid not in self.media for mid in media_ids):
                return self.error(422, "Validation failed: media not found")
            record.update(status=text, spoiler_text=spoiler, media_ids=media_ids)
            if "sensitive" in form:
                record["sensitive"] = form["sensitive"]
            if form.get("language"):
                record["language"] = form["language"]
            self.edits.append({
                "id": status_id, "status": text, "spoiler_text": spoiler, "media_ids": media_ids,
            })  # fmt: skip
            record["json"].update(
                content=f"<p>{text}</p>",
                spoiler_text=spoiler,
                language=record["language"],
                edited_at=dt.datetime.now(dt.UTC).isoformat(),
                media_attachments=[self._media_json(m, processed=True) for m in media_ids],
            )
            return Reply(200, record["json"])

    def length(self, text: str, spoiler_text: str = "") -> int:
        """A status's length as this instance counts it against max_characters.

        Written from Mastodon's StatusLengthValidator (grapheme clusters; every link as
        characters_reserved_per_url, 23 unless the instance says otherwise;
        `@user@domain` as `@user`; the content warning counted too), independently of
        outreach's counting, so that a test comparing the two can fail."""
        import grapheme  # Mastodon counts `mb_chars.grapheme_length`

        weight = 23 if self.url_chars is None else self.url_chars
        links = len(_LINK.findall(text))
        rest = _REMOTE_MENTION.sub(r"@\1", _LINK.sub("", text))
        return grapheme.length(rest) + weight * links + grapheme.length(spoiler_text)

    def _too_long(self, text: str, spoiler_text: str) -> Reply | None:
        if self.length(text, spoiler_text) <= self.max_characters:
            return None
        limit = self.max_characters
        return self.error(422, f"Validation failed: Text character limit of {limit} exceeded")

    def _instance(self, v2: bool) -> dict[str, Any]:
        conf = {
            "statuses": {
                "max_characters": self.max_characters,
                "max_media_attachments": 4,
                "characters_reserved_per_url": 23 if self.url_chars is None else self.url_chars,
            },
            "media_attachments": {"image_size_limit": 16777216},
        }
        info: dict[str, Any] = {
            "title": "Fake Mastodon",
            "version": VERSION,
            "description": "",
            "configuration": conf,
        }
        if v2:
            info.update(domain="127.0.0.1", api_versions={"mastodon": 2})
        else:
            info.update(uri="127.0.0.1")
        return info

    def _account(self) -> dict[str, Any]:
        return {
            "id": "1",
            "username": "campaign",
            "acct": "campaign",
            "display_name": "Campaign",
            "url": f"{self.url}/@campaign",
        }

    def _upload(self, req: Request) -> Reply:
        name, data = req.files.get("file", (None, b""))
        with self.lock:
            media_id = str(next(self._ids))
            self.media[media_id] = {
                "id": media_id,
                "type": "image",
                "description": req.form.get("description"),
                "file_name": name,
                "bytes": data,
                "polls": 0,
            }
        return Reply(202, self._media_json(media_id, processed=False))

    def _media(self, media_id: str) -> Reply:
        with self.lock:
            m = self.media.get(media_id)
            if m is None:
                return Reply(404, {"error": "Record not found"})
            m["polls"] += 1
            done = m["polls"] > self.processing_polls
        return Reply(200 if done else 206, self._media_json(media_id, processed=done))

    def _media_json(self, media_id: str, processed: bool) -> dict[str, Any]:
        m = self.media[media_id]
        url = f"{self.url}/system/media/{media_id}.png" if processed else None
        return {
            "id": media_id,
            "type": "image",
            "url": url,
            "preview_url": url,
            "description": m["description"],
        }

    def _post_status(self, req: Request, token: str | None) -> Reply:
        key = req.headers.get("idempotency-key")
        text = req.form.get("status", "")
        with self.lock:
            known = self._by_key.get((token, key)) if key else None
            if known is not None and time.monotonic() - known[0] < IDEMPOTENCY_SECONDS:
                self.replays += 1
                if known[1].get("deleted"):  # @account.statuses.find: deleted since
                    return Reply(404, {"error": "Record not found"})
                return Reply(200, known[1]["json"])
            media_ids = req.form.get("media_ids", [])
            if any(mid not in self.media for mid in media_ids):
                return self.error(422, "Validation failed: media not found")
            if any(self.media[mid]["polls"] <= self.processing_polls for mid in media_ids):
                return self.error(422, NOT_READY)
            too_long = self._too_long(text, req.form.get("spoiler_text", ""))
            if too_long is not None:
                return too_long
            status_id = str(next(self._ids))
            record = {
                "id": status_id,
                "status": text,
                "visibility": req.form.get("visibility"),
                "language": req.form.get("language"),
                "spoiler_text": req.form.get("spoiler_text", ""),
                "media_ids": media_ids,
                "sensitive": req.form.get("sensitive"),
                "idempotency_key": key,
                "token": token,
            }
            record["json"] = {
                "id": status_id,
                "uri": f"{self.url}/users/campaign/statuses/{status_id}",
                "url": f"{self.url}/@campaign/{status_id}",
                "content": f"<p>{text}</p>",
                "visibility": record["visibility"] or "public",
                "language": record["language"],
                "spoiler_text": record["spoiler_text"],
                "sensitive": req.form.get("sensitive") in ("1", "true", "True"),
                "created_at": dt.datetime.now(dt.UTC).isoformat(),
                "media_attachments": [self._media_json(m, processed=True) for m in media_ids],
                "account": self._account(),
            }
            if self.realistic:
                record["json"] = _as_mastodon(record["json"], len(self.statuses))
            self.statuses.append(record)
            if key:
                self._by_key[(token, key)] = (time.monotonic(), record)
        return Reply(
            200, record["json"], _rate_headers(len(self.statuses)) if self.realistic else {}
        )


def _rate_headers(used: int) -> dict[str, str]:
    """What Mastodon sends with every answer (300 an account in 3 hours for statuses)."""
    reset = dt.datetime.now(dt.UTC) + dt.timedelta(hours=3)
    return {
        "X-RateLimit-Limit": "300",
        "X-RateLimit-Remaining": str(max(1, 300 - used % 300)),
        "X-RateLimit-Reset": reset.isoformat().replace("+00:00", "Z"),
    }


def _as_mastodon(status: dict[str, Any], n: int) -> dict[str, Any]:
    """The status entity as a Mastodon 4.3 server answers POST /api/v1/statuses."""
    created = status["created_at"]
    account = {
        **status["account"],
        "locked": False, "bot": True, "discoverable": True, "indexable": True, "group": False,
        "created_at": "2023-01-01T00:00:00.000Z",
        "note": "<p>Campaign account: news and calls to action.</p>",
        "uri": status["account"]["url"].replace("/@", "/users/"),
        "avatar": "https://files.example/accounts/avatars/000/000/001/original/a.png",
        "avatar_static": "https://files.example/accounts/avatars/000/000/001/original/a.png",
        "header": "https://files.example/accounts/headers/000/000/001/original/h.png",
        "header_static": "https://files.example/accounts/headers/000/000/001/original/h.png",
        "followers_count": 1234, "following_count": 56, "statuses_count": 1000 + n,
        "last_status_at": created[:10], "hide_collections": None, "noindex": False,
        "emojis": [], "roles": [],
        "fields": [{"name": "site", "value": "<a href=\"https://example.org\">example.org</a>",
                    "verified_at": None}],
    }  # fmt: skip
    return {
        **status,
        "created_at": created, "in_reply_to_id": None, "in_reply_to_account_id": None,
        "reblogs_count": 0, "favourites_count": 0, "replies_count": 0, "edited_at": None,
        "favourited": False, "reblogged": False, "muted": False, "bookmarked": False,
        "pinned": False, "filtered": [], "reblog": None, "poll": None, "card": None,
        "application": {"name": "outreach", "website": None},
        "mentions": [], "tags": [], "emojis": [], "account": account,
    }  # fmt: skip

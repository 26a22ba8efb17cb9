"""What the admin bot does: scheduling with confirmation, cancel, retry, resolve, pause;
takedowns and corrections with confirmation (admin/corrections.py).

No Telegram here: outreach/admin/bot.py turns updates into calls of `Console`
and its Replies into messages. Each method takes the command's words and
returns what to answer; bad input is answered, never raised, and leaves the
store as it was.

Scheduling takes two steps: `/schedule` checks everything (the date, the
template, the page, that every channel's post renders) and keeps the request
here, in memory, under a short random id that goes into the buttons; only
`confirm` with that id, from the same organiser and in time, stores it,
with that organiser as its creator.

Who may cancel what: an announcement scheduled here belongs to the organiser
who scheduled it, and `/cancel` from anyone else (of it or of one of its
queued posts) is refused, naming the creator and the way out (ask them, or
`outreach schedule cancel` on the server). The campaign file's and the CLI's
announcements belong to the campaign: any organiser may cancel them here.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .. import announcements
from ..errors import OutreachError, StoreError
from ..networks import network
from ..said import Said
from ..when import parse_when
from .corrections import AdminCorrections
from .views import NOTHING_CHANGED, Reply, Views, plain

if TYPE_CHECKING:
    from ..ledger import Delivery, StoredAnnouncement

PENDING_TTL = dt.timedelta(minutes=15)
MAX_PENDING = 50


@dataclass
class _Request:
    user_id: int
    user_name: str
    template: str
    page: str | None
    moment: dt.datetime
    created: dt.datetime


@dataclass
class Console(Views):
    _pending: dict[str, _Request] = field(default_factory=dict)
    app: Any = None
    """The application (outreach.app.App), for takedowns and corrections; None: not offered."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.corrections = AdminCorrections(self.app, self.clock)

    # -- takedowns and corrections (corrections.py) ---------------------------

    def takedown(self, args: Sequence[str], user_id: int, by: str) -> list[Reply]:
        return self.corrections.takedown(args, user_id, by)

    def correct(self, args: Sequence[str], user_id: int, by: str) -> list[Reply]:
        return self.corrections.correct(args, user_id, by)

    def confirm_change(self, token: str, user_id: int, yes: bool) -> tuple[str, bool]:
        return self.corrections.confirm(token, user_id, yes)

    # -- scheduling ------------------------------------------------------------------

    def schedule(self, args: Sequence[str], user_id: int, user_name: str = "") -> list[Reply]:
        usage = (
            "Use: /schedule <when> <template> [page], e.g. /schedule tomorrow 10:00 reminder ales"
        )
        kinds = set(self.messages.kinds())
        pages = {p.id for p in self.config.pages}
        if len(args) < 2:
            return plain(usage)
        if args[-2] in kinds and args[-1] in pages:
            when_words, template, page = args[:-2], args[-2], args[-1]
        elif args[-1] in kinds:
            when_words, template, page = args[:-1], args[-1], None
        elif len(args) >= 3 and args[-1] in pages:
            return plain(f"{self._unknown_template(args[-2])} {NOTHING_CHANGED}")
        elif len(args) >= 3 and args[-2] in kinds:
            return plain(
                f"There is no page {args[-1]!r}. Pages: {', '.join(sorted(pages))}. {NOTHING_CHANGED}"
            )
        else:
            return plain(f"{self._unknown_template(args[-1])} {usage}. {NOTHING_CHANGED}")
        now = self.clock()
        try:
            w = parse_when(
                " ".join(when_words), timezone=self.config.campaign.timezone, now=now,
                languages=self.config.campaign.languages,
            )  # fmt: skip
        except OutreachError as exc:
            return plain(f"{exc} {NOTHING_CHANGED}")
        channels = self.config.channels_for(["*"])
        sample = self._render_all(template, page, w.moment)
        if isinstance(sample, str):
            return plain(f"{sample} {NOTHING_CHANGED}")
        self._forget_old(now)
        token = secrets.token_urlsafe(6)
        self._pending[token] = _Request(user_id, user_name, template, page, w.moment, now)
        text = "\n".join([
            "Schedule this announcement?",
            f"  when: {self.when(w.moment)}",
            f"  template: {template}",
            f"  page: {page}" if page else "  page: none (about the campaign)",
            f"  channels: {', '.join(c.id for c in channels)}",
            "",
            f"{sample[0]} would read:",
            sample[1][:600] + ("…" if len(sample[1]) > 600 else ""),
            "",
            f"Confirm within {int(PENDING_TTL.total_seconds() // 60)} minutes.",
        ])  # fmt: skip
        return [Reply(text, choices=(("Confirm", f"s:{token}:y"), ("Cancel", f"s:{token}:n")))]

    def _render_all(
        self, template: str, page: str | None, moment: dt.datetime
    ) -> tuple[str, str] | str:
        """(channel, text) of the first channel, or what stops the post from being made."""
        from ..config import AnnouncementConfig

        ann = AnnouncementConfig(id="preview", template=template, page=page, at=moment)
        try:
            subject = self.messages.subject_for_announcement(ann)
        except OutreachError as exc:
            return f"{exc}"
        from ..channel_posts import learned_limits, render_for_channels

        limits = learned_limits(self.config, self.ledger)  # as the instances reported them
        made = render_for_channels(self.messages, subject, at=moment, limits=limits)
        for cp in made:
            if cp.error is not None:
                return f"The {template!r} post cannot be made for {cp.channel.id}: {cp.error}"
        if not made or made[0].post is None:
            return "No channel is configured to receive it."
        post = made[0].post
        return (made[0].channel.id, network(post.network).plain_text(post.text))

    def _forget_old(self, now: dt.datetime) -> None:
        for token, req in list(self._pending.items()):
            if now - req.created > PENDING_TTL:
                del self._pending[token]
        while len(self._pending) >= MAX_PENDING:
            self._pending.pop(next(iter(self._pending)))

    def confirm(self, token: str, user_id: int, yes: bool) -> tuple[str, bool]:
        """What to answer to a button, and whether the question is settled (buttons go)."""
        text = self._confirm(token, user_id, yes)
        return text, not text.startswith("Only the organiser")

    def _confirm(self, token: str, user_id: int, yes: bool) -> str:
        now = self.clock()
        self._forget_old(now)
        req = self._pending.get(token)
        if req is None:
            return "This request has expired or was already answered. Send /schedule again."
        if req.user_id != user_id:
            return "Only the organiser who asked can confirm this request."
        del self._pending[token]
        if not yes:
            return f"Not scheduled: the {req.template} announcement for {self.when(req.moment)} was dropped."
        if req.moment <= now:
            return (
                f"Not scheduled: {self.when(req.moment)} has passed (it is {self.when(now)}). "
                "Send /schedule again with a later time."
            )
        ident = self._new_id(req)
        try:
            up = announcements.add(
                self.config, self.ledger, ident=ident, template=req.template, now=now,
                at=req.moment, page=req.page,
                messages=self.messages, created_by_id=req.user_id,
                created_by_name=req.user_name or None,
            )  # fmt: skip
        except OutreachError as exc:
            return f"Not scheduled: {exc}"
        chans = ", ".join(c.id for c in self.config.channels_for(list(up.announcement.channels)))
        return (
            f"Scheduled {ident}: {req.template}"
            + (f" about {req.page}" if req.page else "")
            + f" at {self.when(up.next_at)} to {chans}. /cancel {ident} calls it off."
        )

    def _new_id(self, req: _Request) -> str:
        local = req.moment.astimezone(self.tz)
        stem = re.sub(r"[^a-z0-9_-]", "-", f"bot-{local:%Y%m%d-%H%M}-{req.template}".lower())[:58]
        ident, n = stem, 1
        while self.ledger.announcement(ident) is not None:
            n += 1
            ident = f"{stem}-{n}"
        return ident

    # -- changing ----------------------------------------------------------------------

    def _delivery(self, args: Sequence[str], command: str) -> Delivery | str:
        if not args or not args[0].lstrip("#").isdigit():
            return (
                f"Say which delivery: /{command} <delivery id> (the number in /queue or /history)."
            )
        try:
            return self.ledger.get(int(args[0].lstrip("#")))
        except StoreError:
            return (
                f"There is no delivery {args[0]}. /queue and /history list them. {NOTHING_CHANGED}"
            )

    def cancel(
        self, args: Sequence[str] = (), user_id: int | None = None, by: str | None = None
    ) -> list[Reply]:
        """`user_id`: who asks; None (no one known) may cancel only the campaign's own."""
        if len(args) != 1:
            return plain("Say what to cancel: /cancel <delivery id> or /cancel <announcement id>.")
        ident = args[0].lstrip("#")
        ann = self.ledger.announcement(ident)
        if ann is not None:
            return plain(self._cancel_announcement(ann, user_id))
        if not ident.isdigit():
            return plain(
                f"There is no announcement {ident!r}. /queue lists them. {NOTHING_CHANGED}"
            )
        d = self._delivery([ident], "cancel")
        if isinstance(d, str):
            return plain(d)
        if d.state not in ("pending", "held"):
            return plain(
                f"Delivery {d.id} to {d.channel_id} is {d.state}"
                + (f" ({self.when(d.sent_at)})" if d.sent_at else "")
                + f": only a queued delivery can be cancelled. {NOTHING_CHANGED}"
            )
        if d.about.startswith("announcement:"):
            owner = self.ledger.announcement(d.about.removeprefix("announcement:"))
            if owner is not None and _not_theirs(owner, user_id):
                return plain(
                    f"Delivery {d.id} to {d.channel_id} is a post of announcement {owner.id}, "
                    f"scheduled by {owner.creator}: only they can cancel it here. Ask them, "
                    f"or cancel the whole announcement from the command line with "
                    f"`outreach schedule cancel {owner.id}`. {NOTHING_CHANGED}"
                )
        try:
            self.ledger.cancel(d.id, Said("ledger.cancelled_in_telegram"), by=by)
        except StoreError as exc:
            return plain(f"{exc}. {NOTHING_CHANGED}")
        return plain(
            f"Cancelled delivery {d.id} to {d.channel_id} ({d.about}), which was due {self.when(d.due_at)}."
        )

    def _cancel_announcement(self, ann: StoredAnnouncement, user_id: int | None) -> str:
        now = self.clock()
        if ann.state != "active":
            return f"Announcement {ann.id} was already cancelled. {NOTHING_CHANGED}"
        queued = self.ledger.deliveries(states=("pending", "held"), about=f"announcement:{ann.id}")
        if ann.at is not None and ann.at <= now and not queued:
            done = self.ledger.deliveries(about=f"announcement:{ann.id}")
            sent = [d for d in done if d.state == "sent"]
            what = (
                f"went out at {self.when(sent[0].sent_at)}"
                if sent
                else f"was due {self.when(ann.at)}, which has passed"
            )
            return (
                f"Announcement {ann.id} {what} (see /history): there is nothing left to cancel. "
                f"{NOTHING_CHANGED}"
            )
        if _not_theirs(ann, user_id):
            return (
                f"Announcement {ann.id} was scheduled by {ann.creator}: only they can cancel "
                f"it here. Ask them, or cancel it from the command line with "
                f"`outreach schedule cancel {ann.id}`. {NOTHING_CHANGED}"
            )
        n = announcements.cancel(
            self.ledger, ann.id, "the announcement was cancelled by an organiser"
        )
        when = f"at {self.when(ann.at)}" if ann.at else f"on cron {ann.cron!r} ({ann.timezone})"
        note = " It is in the campaign file; it stays cancelled." if ann.source == "yaml" else ""
        return f"Cancelled announcement {ann.id} ({ann.template}, {when}); {n} queued post(s) cancelled with it.{note}"

    def retry(self, args: Sequence[str] = (), by: str | None = None) -> list[Reply]:
        d = self._delivery(args, "retry")
        if isinstance(d, str):
            return plain(d)
        if d.state == "sent":
            where = f" ({d.remote_url})" if d.remote_url else ""
            return plain(
                f"Delivery {d.id} was sent {self.when(d.sent_at)}{where}; sending it again would post it twice. {NOTHING_CHANGED}"
            )
        if d.state in ("pending", "sending"):
            return plain(
                f"Delivery {d.id} is {d.state} already (due {self.when(d.due_at)}). {NOTHING_CHANGED}"
            )
        try:
            d = self.ledger.retry(d.id, by=by)
        except StoreError as exc:
            return plain(f"{exc}. {NOTHING_CHANGED}")
        if d.state == "held":  # paused: the ledger queues it held
            return plain(
                f"Delivery {d.id} to {d.channel_id} is queued again, but held: the campaign "
                "is paused, so it goes out after /resume."
            )
        return plain(
            f"Delivery {d.id} to {d.channel_id} is queued again, due now ({self.when(d.due_at)})."
        )

    def resolve(self, args: Sequence[str] = (), by: str | None = None) -> list[Reply]:
        usage = "Use: /resolve <delivery id> sent|failed [link or note]"
        if len(args) < 2 or args[1] not in ("sent", "failed"):
            return plain(usage)
        d = self._delivery(args, "resolve")
        if isinstance(d, str):
            return plain(d)
        if d.state != "unknown":
            return plain(
                f"Delivery {d.id} is {d.state}, not unknown: /resolve is only for a delivery "
                f"whose outcome nobody knows. {NOTHING_CHANGED}"
            )
        rest = list(args[2:])
        url = rest.pop(0) if rest and re.match(r"https?://", rest[0]) else None
        try:
            d = self.ledger.resolve(
                d.id,
                "sent" if args[1] == "sent" else "failed",
                " ".join(rest) or "checked in Telegram",
                url,
                by=by,
            )
        except StoreError as exc:
            return plain(f"{exc}. {NOTHING_CHANGED}")
        tail = f" ({url})" if url else ""
        hint = "" if d.state == "sent" else f" /retry {d.id} sends it again."
        return plain(
            f"Delivery {d.id} to {d.channel_id} is now recorded as {d.state}{tail} at {self.when(self.clock())}.{hint}"
        )

    def pause(self, args: Sequence[str] = (), by: str = "an organiser") -> list[Reply]:
        """/pause [channel] [until <when>,] [why]: everything, or one channel; maybe an embargo."""
        words = list(args)
        channel = None
        if words and words[0] in {c.id for c in self.config.channels}:
            channel = words.pop(0)
        until = None
        if words and words[0].lower() == "until":
            when_text, _, rest = " ".join(words[1:]).partition(",")
            try:
                until = parse_when(
                    when_text, timezone=self.config.campaign.timezone, now=self.clock(),
                    languages=self.config.campaign.languages,
                ).moment  # fmt: skip
            except OutreachError as exc:
                return plain(
                    f"{exc} Use: /pause [channel] [until <when>,] [why], e.g. "
                    f"/pause until tomorrow 10:00, verdict embargo. {NOTHING_CHANGED}"
                )
            words = rest.split()
        why = " ".join(words) or None
        try:
            r = self.ledger.pause(by, channel_id=channel, until=until, why=why)
        except StoreError as exc:
            return plain(f"{exc}. {NOTHING_CHANGED}")
        what = f" {channel} only" if channel else ""
        end = f"until {self.when(r.paused.until)}" if r.paused.until else "until /resume"
        if r.already:
            head = (
                f"Already paused{what} since {self.when(r.paused.since)} by {r.paused.by}; "
                f"now {end}."
            )
        else:
            where = f" on {channel}" if channel else ""
            head = f"Paused{what} at {self.when(r.paused.since)}. Nothing is posted{where} {end}."
        lines = [
            head,
            f"{r.held} queued post(s) held now; posts that fall due while paused are held too.",
        ]
        if r.sending:
            lines.append(
                f"{r.sending} post(s) were being sent at that moment and could not be stopped: see /history."
            )
        return plain(*lines)

    def resume(self, args: Sequence[str] = (), by: str = "an organiser") -> list[Reply]:
        """/resume: every pause ends; /resume <channel>: that channel's."""
        channel = args[0] if args else None
        if channel is not None and channel not in {c.id for c in self.config.channels}:
            return plain(
                f"There is no channel {channel!r}. Channels: "
                f"{', '.join(c.id for c in self.config.channels)}. {NOTHING_CHANGED}"
            )
        r = self.ledger.resume(by=by, channel_id=channel)
        now = self.when(self.clock())
        if not r.ended and r.released == 0:
            return plain(f"Not paused ({now}). {NOTHING_CHANGED}")
        was = r.ended[0] if r.ended else None
        since = f" (paused since {self.when(was.since)} by {was.by})" if was else ""
        lines = [
            f"Resumed at {now}{since}. {r.released} held post(s) released and go out in order; an "
            f"announcement more than {self.config.delivery.misfire_grace_minutes} minutes "
            "overdue is not sent late but marked missed (/retry sends it anyway)."
        ]
        if r.still is not None:
            lines.append(
                f"Everything is still paused (since {self.when(r.still.since)} by {r.still.by}): "
                f"{channel}'s posts stay held until /resume."
            )
        return plain(*lines)

    def web_link(self, user_id: int, user_name: str = "") -> list[Reply]:
        """/web: a one-time sign-in link for the web console, for this organiser only."""
        from ..web.tokens import make_signin_link

        url = make_signin_link(self.config, self.ledger, user_id, user_name or f"user {user_id}")
        self.ledger.audit.record(
            by=f"telegram:{user_id}", action="link", detail="a web sign-in link was sent"
        )
        minutes = f"{self.config.web.link_minutes:g}"
        # In the text, not a URL button: Telegram refuses buttons to 127.0.0.1 and intranets.
        return plain(
            f"Your sign-in link to the web console. It works once, within {minutes} "
            "minutes, and only for you: do not forward it.",
            url,
        )


def _not_theirs(ann: StoredAnnouncement, user_id: int | None) -> bool:
    """Scheduled in the bot by someone other than `user_id` (the campaign's own are anyone's)."""
    return ann.created_by_id is not None and ann.created_by_id != user_id

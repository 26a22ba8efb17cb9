"""What the admin bot shows: the queue, the history, previews, the service's status.

Read-only views over the ledger, the campaign config and the message layer,
as plain text for a Telegram chat; outreach/admin/console.py adds the commands
that change things. Every time shown is exact, with its zone
(outreach.when.describe).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import announcements
from ..corrections.values import describe as describe_change
from ..errors import OutreachError
from ..networks import network
from ..when import describe

if TYPE_CHECKING:
    from ..config import Config
    from ..ledger import Action, Delivery, Ledger

DONE_STATES = ("sent", "failed", "unknown", "missed", "cancelled")
OVERDUE = dt.timedelta(minutes=10)
"""A pending post this late (and not backing off) means the service is not delivering."""
NOTHING_CHANGED = "Nothing was changed."

HELP = """Commands (times are {tz}):
/queue — what is queued and scheduled next, per channel
/history [n] — the last n deliveries (default 10) with links; failures with reasons
/preview <page or news id> [template] — the post as each channel would get it
/schedule <when> <template> [page] — e.g. /schedule tomorrow 10:00 reminder ales
   when: 'tomorrow 10:00', '2026-12-10 09:30', 'in 2 hours', 'monday 10:00'
/cancel <delivery id or announcement id> — call off a queued post or an announcement
   (one scheduled here: only the organiser who scheduled it)
/retry <delivery id> — send a failed, unknown or missed delivery again
/resolve <delivery id> sent|failed [link or note] — you checked an unknown delivery
/takedown <subject> [why] — remove every post about it on every channel, cancel what is
   queued (asks first); subjects as /history shows them, e.g. page:ales
/correct <subject> — edit its sent posts, rendered again from the templates (asks first)
/correct <delivery id> <new text> — edit one sent post with this text (asks first)
/pause [channel] [until <when>,] [why] — hold everything (or one channel) until
   /resume or until <when> (an embargo), e.g. /pause until tomorrow 10:00, verdict
/resume [channel] — release what was held (every pause, or that channel's)
/web — a one-time link to sign in to the web console (valid for minutes, once)
/status — service, feeds, channels' credentials, alerts"""


@dataclass(frozen=True)
class Reply:
    """One message of an answer."""

    text: str
    html: bool = False
    """Telegram HTML (a post preview); plain text otherwise."""
    links: tuple[tuple[str, str], ...] = ()
    """URL buttons (label, url), as a channel's post carries them."""
    choices: tuple[tuple[str, str], ...] = ()
    """Callback buttons (label, callback data)."""
    link_preview: bool = False


def plain(*lines: str) -> list[Reply]:
    return [Reply("\n".join(lines))]


@dataclass
class Views:
    config: Config
    ledger: Ledger
    clock: Callable[[], dt.datetime]
    messages: Any = None
    checker: Callable[[], Sequence[Any]] | None = None
    """Runs the publishers' credential checks (network calls) for /status."""

    def __post_init__(self) -> None:
        if self.messages is None:
            from ..messages import Messages

            self.messages = Messages(self.config)

    @property
    def tz(self) -> Any:
        return self.config.campaign.tz

    def when(self, moment: dt.datetime | None) -> str:
        return describe(moment, self.tz) if moment else "—"

    # -- reading ---------------------------------------------------------------------

    def _pause_line(self, p: Any) -> str:
        what = "" if p.channel_id is None else f" ({p.channel_id} only)"
        end = f", until {self.when(p.until)}" if p.until else ""
        why = f": {p.why}" if p.why else ""
        return f"PAUSED{what} since {self.when(p.since)} by {p.by}{end}{why}"

    def help(self, args: Sequence[str] = ()) -> list[Reply]:
        return plain(HELP.format(tz=self.config.campaign.timezone))

    def queue(self, args: Sequence[str] = ()) -> list[Reply]:
        now = self.clock()
        lines = [f"Queue at {self.when(now)}"]
        for p in self.ledger.pauses():
            lines.append(self._pause_line(p) + ": nothing goes out there until it ends.")
        upcoming = [
            u
            for u in announcements.upcoming(self.config, self.ledger, now)
            if u.next_at is not None and u.announcement.state == "active"
        ]
        upcoming.sort(key=lambda u: u.next_at)  # type: ignore[arg-type, return-value]
        for ch in self.config.channels:
            lines += ["", f"{ch.id} ({ch.kind}, {ch.language})"]
            rows = self.ledger.deliveries(
                states=("pending", "held", "sending"), channel_id=ch.id, limit=6
            )
            for d in rows[:5]:
                lines.append(f"  #{d.id} {d.state}, due {self.when(d.due_at)}: {d.about}")
            if len(rows) > 5:
                lines.append("  … and more")
            if not rows:
                lines.append("  nothing queued")
            mine = [
                u
                for u in upcoming
                if ch.id in {c.id for c in self.config.channels_for(list(u.announcement.channels))}
            ]
            for u in mine[:3]:
                a = u.announcement
                about = f"{a.template}" + (f", page {a.page}" if a.page else "")
                by = f", scheduled by {a.creator}" if a.creator else ""
                lines.append(f"  next: {a.id} ({about}) at {self.when(u.next_at)}{by}")
        return plain(*lines)

    def history(self, args: Sequence[str] = ()) -> list[Reply]:
        n = 10
        if args:
            if not args[0].isdigit() or not 1 <= int(args[0]) <= 50:
                return plain(f"/history takes a number from 1 to 50, not {args[0]!r}.")
            n = int(args[0])
        rows = self.ledger.deliveries(states=DONE_STATES, order="updated", limit=n)
        if not rows:
            return plain(f"Nothing has gone out yet ({self.when(self.clock())}).")
        lines = [f"The last {len(rows)} deliveries, newest first (now {self.when(self.clock())}):"]
        changes: dict[int, list[Action]] = {}
        for a in self.ledger.actions(delivery_ids=[d.id for d in rows]):
            changes.setdefault(a.delivery_id, []).append(a)
        for d in rows:
            lines += ["", *self._history_line(d)]
            lines += [f"  {describe_change(a)}" for a in changes.get(d.id, [])]
        return plain(*lines)

    def _history_line(self, d: Delivery) -> list[str]:
        at = d.sent_at if d.state == "sent" else d.updated_at
        state = d.state if d.state in ("sent", "cancelled") else d.state.upper()
        out = [f"#{d.id} {state} {d.channel_id}, {self.when(at)}: {d.about}"]
        if d.state == "sent":
            if d.dry_run:
                out.append(
                    "  dry run: printed by the service, not posted (the channel has no token)"
                )
            elif d.remote_url:
                out.append(f"  {d.remote_url}")
        if d.state != "sent" and d.reason:
            out.append(f"  reason: {d.reason}")
        if d.state == "unknown":
            out.append(f"  check the channel, then /resolve {d.id} sent or /resolve {d.id} failed")
        elif d.state in ("failed", "missed"):
            out.append(f"  /retry {d.id} sends it again")
        return out

    def preview(self, args: Sequence[str] = ()) -> list[Reply]:
        if not args or len(args) > 2:
            return plain(
                "Say what to preview: /preview <page or news id> [template], e.g. /preview ales"
            )
        ident, kind = args[0], (args[1] if len(args) > 1 else None)
        if kind is not None and kind not in self.messages.kinds():
            return plain(self._unknown_template(kind))
        now = self.clock()
        try:
            subject = self.messages.subject(ident, kind)
        except OutreachError as exc:
            return plain(f"{exc}")
        out = plain(
            f"Preview of {subject.about} ({subject.kind}) as each channel would get it "
            f"at {self.when(now)}:"
        )
        from ..channel_posts import learned_limits, render_for_channels
        from ..fit_words import number

        limits = learned_limits(self.config, self.ledger)  # as the instances reported them
        for cp in render_for_channels(self.messages, subject, at=now, limits=limits):
            ch, r = cp.channel, cp.rendered
            head = f"— {ch.id} ({ch.kind}, {ch.language})"
            if r is None:
                out += plain(f"{head}: cannot be made: {cp.error}")
                continue
            p = r.post
            loc = self.config.campaign.default_language  # as organisers read numbers
            size = f"{number(r.length, loc)}/{number(r.limit, loc)}"
            notes = [size + (", shortened to fit" if r.shortened else "")]
            if p.spoiler_text:
                notes.append(f"content warning: {p.spoiler_text}")
            if p.image_url:
                notes.append(f"image: {p.image_url}")
            label = f"{head}, {'; '.join(notes)}"
            if network(p.network).html:
                out.append(Reply(label))
                out.append(Reply(p.text, html=True, links=tuple((b.text, b.url) for b in p.buttons),
                                 link_preview=p.link_preview))  # fmt: skip
            else:
                out.append(Reply(f"{label}\n\n{p.text}"))
        return out

    def status(self, args: Sequence[str] = ()) -> list[Reply]:
        now = self.clock()
        lines = [f"Status at {self.when(now)}"]
        pauses = self.ledger.pauses()
        lines += [self._pause_line(p) + " (/resume)" for p in pauses] or ["Not paused."]
        counts = self.ledger.counts()
        shown = ", ".join(
            f"{counts[s]} {s}"
            for s in ("pending", "held", "sending", "unknown", "failed")
            if counts.get(s)
        )
        dry = self.ledger.health.dry_runs_sent()
        printed = f" ({dry} of them dry runs: printed, not posted)" if dry else ""
        lines.append(
            f"Deliveries: {shown or 'none waiting'}; {counts.get('sent', 0)} sent in all{printed}."
        )
        lines += ["", "Service:", *self._service_health(now)]
        lines += ["", "Instances:", *self._instances()]
        lines += ["", "Feeds:", *self._feeds()]
        lines += ["", "Channels:", *self._channels()]
        waiting = self.ledger.alerts.waiting()
        lines += [
            "",
            f"Alerts waiting to reach the organisers' chat: {waiting}."
            if waiting
            else "No alerts waiting.",
        ]
        return plain(*lines)

    def _service_health(self, now: dt.datetime) -> list[str]:
        from ..liveness import last_out, report, service_lines

        # alive or not, from the heartbeat `outreach run` writes to the store
        out = [f"  {service_lines(report(self.config, self.ledger, now), self.when)[0]}"]
        late, oldest = self.ledger.overdue(now - OVERDUE)
        if late:
            out.append(
                f"  {late} post(s) overdue, the oldest due {self.when(oldest)}: "
                "is `outreach run` running?"
            )
        else:
            out.append("  nothing overdue")
        real, dry = self.ledger.last_sent_at(), self.ledger.last_sent_at(dry_run=True)
        out.append(f"  {last_out(real, dry, self.when)}")
        return out

    def _instances(self) -> list[str]:
        from ..instances import describe, sqlite_holder

        leases = self.ledger.leases
        holder = None if leases.shared else sqlite_holder(self.config.store.url)
        return describe(leases.members(), holder, leases.shared)

    def _feeds(self) -> list[str]:
        if not self.config.feeds:
            return ["  no feeds configured"]
        out = []
        for f in self.config.feeds:
            st = self.ledger.feed_state(f.id)
            if st is None or st.last_poll is None:
                out.append(f"  {f.id}: not polled yet")
                continue
            line = f"  {f.id}: last poll {self.when(st.last_poll)}"
            if st.failures:
                line += f", FAILING ({st.failures} in a row): {st.last_error}"
            out.append(line)
        return out

    def _channels(self) -> list[str]:
        if self.checker is None:
            return ["  credentials not checked (no checker configured)"]
        try:
            checks = list(self.checker())
        except Exception as exc:  # a check that cannot run is news, not a crash
            return [f"  the checks could not run: {type(exc).__name__}"]
        out = []
        for c in checks:
            if c.ok:
                out.append(f"  {c.channel_id} ({c.network}): OK — {'; '.join(c.facts)}")
            else:
                out.append(f"  {c.channel_id} ({c.network}): NOT OK — {'; '.join(c.problems)}")
        return out

    def _unknown_template(self, name: str) -> str:
        from ..validation_words import nearest  # difflib: only for a mistyped kind

        kinds = self.messages.kinds()
        near = nearest(name, kinds)
        if near is not None:
            return f"There is no template {name!r}. Did you mean {near!r}?"
        return f"There is no template {name!r}. Templates: {', '.join(kinds)}."

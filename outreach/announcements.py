"""Announcements in the ledger: the organisers', the views every caller takes of one, and
their next times (the campaign file's are brought in by outreach/announcement_sync.py).

Both kinds live in the ledger's `announcements` table: the YAML ones are
upserted on every start (source 'yaml'), the CLI ones are added by `outreach
schedule add` (source 'cli'), as are the admin bot's, which also name the
organiser who scheduled them (created_by_*). A cancelled announcement stays
cancelled, even if the campaign file still declares it (the organiser's later
word wins); one removed from the file is cancelled.

A date and time without a zone is wall time in the announcement's zone, by
default the campaign's (`campaign.timezone`).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from . import schedule
from .config import AnnouncementConfig, Config
from .errors import OutreachError, ScheduleError, StoreError
from .said import Said

if TYPE_CHECKING:
    from .channel_posts import ChannelPost
    from .ledger import Ledger, StoredAnnouncement

log = logging.getLogger("outreach.announcements")
UTC = dt.UTC


def to_config(stored: StoredAnnouncement) -> AnnouncementConfig:
    """What the message layer renders from."""
    return AnnouncementConfig(
        id=stored.id,
        template=stored.template,
        page=stored.page,
        channels=list(stored.channels),
        at=stored.at,
        cron=stored.cron,
        timezone=stored.timezone,
        text=stored.text,
    )


def for_schedule(stored: StoredAnnouncement, config: Config) -> schedule.Announcement:
    return schedule.Announcement(
        id=stored.id,
        channels=tuple(c.id for c in config.channels_for(list(stored.channels))),
        timezone=stored.timezone,
        at=stored.at,
        cron=stored.cron,
        active_from=stored.created_at,
        cancelled=stored.state != "active",
    )


def _zone_hint(exc: ScheduleError, name: str) -> ScheduleError:
    """schedule.zone's error with the nearest time zone name ('Europe/Minks': 'did you mean
    'Europe/Minsk'?'), when one is close; as it was otherwise (the list is ~600 long)."""
    from zoneinfo import available_timezones

    from .validation_words import did_you_mean

    hint = did_you_mean(name, sorted(available_timezones()), otherwise=None)
    return ScheduleError(f"unknown timezone {name!r}{hint}") if hint else exc


def _replace(a: StoredAnnouncement, **kw: Any) -> StoredAnnouncement:
    from dataclasses import replace

    return replace(a, **kw)


# -- organisers' announcements -------------------------------------------------


_E = TypeVar("_E", bound=OutreachError)


def _on(field: str, exc: _E) -> _E:
    """`exc`, marked as being about the input `field` (see OutreachError.field)."""
    exc.field = field
    return exc


def parse_at(
    at: str | dt.datetime, tz_name: str, now: dt.datetime, languages: tuple[str, ...] = ()
) -> dt.datetime:
    """'2026-08-04 10:00' (wall time in `tz_name`), 'tomorrow 10:00'...: future only.

    Read by outreach.when, as the admin bot reads dates, so organisers can
    type the same thing in both; a past, impossible or skipped time is an
    error about the field 'at'. A datetime (aware) is taken as the moment it
    is: the admin bot passes the one it read and confirmed, which text could
    not always say again (the repeated hour when clocks go back).
    """
    from .when import describe, parse_when

    if isinstance(at, dt.datetime):
        if at.tzinfo is None:
            raise ValueError("parse_at needs an aware datetime")
        if at <= now:
            tz = schedule.zone(tz_name)
            raise _on("at", ScheduleError(
                f"{describe(at, tz)} is not in the future (it is now {describe(now, tz)})"
            ))  # fmt: skip
        return at.astimezone(UTC)
    try:
        return parse_when(at, timezone=tz_name, now=now, languages=languages).moment
    except ScheduleError as exc:
        raise _on("at", exc) from None


@dataclass(frozen=True)
class Upcoming:
    announcement: StoredAnnouncement
    next_at: dt.datetime | None


@dataclass(frozen=True)
class Draft:
    """An organiser's announcement as checked before it is stored (`add` stores it).

    `problems` are every error found, in the order `add` would raise them, each
    with its `field`; `posts` are each channel's post (or its error) as of
    `next_at`, rendered through channel_posts.render_for_channels, when the
    template, page, channels and time allowed rendering at all.
    """

    stored: StoredAnnouncement | None
    next_at: dt.datetime | None
    problems: tuple[OutreachError, ...] = ()
    posts: tuple[ChannelPost, ...] = ()


def draft(
    config: Config,
    ledger: Ledger,
    *,
    ident: str,
    template: str,
    now: dt.datetime,
    at: str | dt.datetime | None = None,
    cron: str | None = None,
    page: str | None = None,
    channels: tuple[str, ...] = ("*",),
    timezone: str | None = None,
    text: str | None = None,
    messages: Any | None = None,
    created_by_id: int | None = None,
    created_by_name: str | None = None,
    render_at: dt.datetime | None = None,
) -> Draft:
    """Check an organiser's announcement as `add` does, finding every problem, storing nothing.

    `text`: its own one-off text (a Jinja2 template), rendered instead of the
    `template` kind's files; `template` is then messages.ONE_OFF. `render_at`:
    when the time given cannot be used (in the past, skipped by the clocks), the
    moment to render the posts for anyway, so a preview still shows them.
    """
    from .ledger import StoredAnnouncement

    problems: list[OutreachError] = []
    if (at is None) == (cron is None):
        problems.append(
            _on("at", ScheduleError("give exactly one of a date and time or a cron expression"))
        )
    tz_name = timezone or config.campaign.timezone
    try:
        schedule.zone(tz_name)
    except ScheduleError as exc:
        problems.append(_on("timezone", _zone_hint(exc, tz_name)))
        tz_name = config.campaign.timezone
    id_ok = True
    try:
        AnnouncementConfig(id=ident, template=template, cron="* * * * *")
    except ValueError:
        id_ok = False
        problems.append(_on("id", ScheduleError(
            f"{ident!r} is not a valid id: use lower-case letters, digits, '-' and '_'"
        )))  # fmt: skip
    else:
        if ledger.announcement(ident) is not None:
            problems.append(_on("id", StoreError(
                f"an announcement {ident!r} exists already; cancel it or choose another id"
            )))  # fmt: skip
    known = {c.id for c in config.channels}
    unknown = [ch for ch in channels if ch != "*" and ch not in known]
    if unknown:
        from .validation_words import unknown as unknown_name  # difflib: only for a mistake

        for ch in unknown:
            problems.append(
                _on("channel", ScheduleError(unknown_name("channel", ch, sorted(known))))
            )
    if not channels:
        problems.append(_on("channel", ScheduleError("choose at least one channel")))
    page_known = page is None or config.page(page) is not None
    if not page_known:
        from .validation_words import unknown as unknown_name

        pages = [p.id for p in config.pages]
        problems.append(_on("page", ScheduleError(unknown_name("page", page, pages))))
    moment: dt.datetime | None = None
    if at is not None:
        try:
            moment = parse_at(at, tz_name, now, tuple(config.campaign.languages))
        except OutreachError as exc:
            problems.append(exc)
    stored = StoredAnnouncement(
        id=ident,
        template=template,
        page=page if page_known else None,
        channels=tuple(ch for ch in channels if ch not in unknown) or ("*",),
        timezone=tz_name,
        at=moment,
        cron=cron,
        source="cli",
        created_at=now,
        created_by_id=created_by_id,
        created_by_name=created_by_name,
        text=text,
    )
    nxt: dt.datetime | None = None
    if moment is not None or cron is not None:
        try:
            nxt = schedule.next_occurrence(for_schedule(stored, config), now)
        except ScheduleError as exc:
            problems.append(_on("cron", exc))
        else:
            if nxt is None:
                problems.append(_on("cron", ScheduleError(f"{cron!r} never fires")))
    posts: tuple[ChannelPost, ...] = ()
    when = nxt or render_at
    if when is not None and page_known and not unknown and channels:
        shown = stored if stored.at or stored.cron else _replace(stored, at=when)
        if not id_ok:  # drawn all the same, under a name the config accepts
            shown = _replace(shown, id="draft")
        posts = tuple(_render(config, ledger, shown, when, messages))
        field = "template" if text is None else "text"
        problems += [_on(field, ScheduleError(f"{cp.error}")) for cp in posts if cp.error]
    ok = not problems
    return Draft(stored if ok else None, nxt, tuple(problems), posts)


def add(
    config: Config,
    ledger: Ledger,
    *,
    ident: str,
    template: str,
    now: dt.datetime,
    at: str | dt.datetime | None = None,
    cron: str | None = None,
    page: str | None = None,
    channels: tuple[str, ...] = ("*",),
    timezone: str | None = None,
    text: str | None = None,
    messages: Any | None = None,
    created_by_id: int | None = None,
    created_by_name: str | None = None,
    by: str | None = None,
) -> Upcoming:
    """Validate an organiser's announcement and store it.

    Every problem is an OutreachError whose `field` names the input it is
    about ('id', 'at', 'cron', 'channel', 'page', 'template', 'text'); the
    first one found is raised (`draft` gives them all). `at` is what the
    organiser typed, or the moment itself (aware) when it was read already.
    Every channel's post is rendered now, so a missing template is an error
    today, not on the day.

    `created_by_*`: the Telegram user who scheduled it in the admin bot (only
    they may cancel it there); None for the CLI's, which belong to the campaign.
    `by`: who added it, for the audit trail ('web:anna'); None records nothing.
    """
    d = draft(
        config, ledger, ident=ident, template=template, now=now, at=at, cron=cron, page=page,
        channels=channels, timezone=timezone, text=text, messages=messages,
        created_by_id=created_by_id, created_by_name=created_by_name,
    )  # fmt: skip
    if d.problems:
        raise d.problems[0]
    assert d.stored is not None
    ledger.save_announcement(d.stored)
    if by is not None:
        s = d.stored
        key = (
            "audit.scheduled"
            + ("_text" if s.text is not None else "")
            + ("_cron" if s.cron else "")
        )
        when = {"cron": s.cron} if s.cron else {"at": schedule.iso(s.at or now)}
        ledger.audit.record(  # stored as its English; the console reads it back (said_read.py)
            by=by, action="schedule", target=f"announcement:{ident}",
            detail=Said(key, template=s.template, **when) if s.text is None else Said(key, **when),
        )  # fmt: skip
    return Upcoming(ledger.announcement(ident) or d.stored, d.next_at)


def _render(
    config: Config,
    ledger: Ledger,
    stored: StoredAnnouncement,
    when: dt.datetime,
    messages: Any | None,
) -> list[ChannelPost]:
    """Every channel's post, with the limits the instances reported, so that a post too
    long for a 300-character instance is refused now rather than missed on the day."""
    from .channel_posts import learned_limits, render_for_channels

    limits = learned_limits(config, ledger)
    if messages is None:
        from .messages import Messages

        messages = Messages(config)
    subject = messages.subject_for_announcement(to_config(stored))
    return render_for_channels(messages, subject, at=when, limits=limits)


def _check_renders(
    config: Config,
    ledger: Ledger,
    stored: StoredAnnouncement,
    when: dt.datetime,
    messages: Any | None,
) -> None:
    """Render for every channel now: the first channel's error, about the template or text."""
    for cp in _render(config, ledger, stored, when, messages):
        if cp.error is not None:
            field = "template" if stored.text is None else "text"
            raise _on(field, ScheduleError(f"{cp.error}"))


def cancel(ledger: Ledger, ident: str, reason: str = Said("ledger.announcement_cancelled")) -> int:
    """Cancel an announcement and its queued deliveries; returns how many deliveries."""
    if not ledger.cancel_announcement(ident):
        known = ", ".join(a.id for a in ledger.announcements()) or "none"
        raise _on("id", StoreError(f"there is no announcement {ident!r}; known: {known}"))
    return ledger.cancel_queued(f"announcement:{ident}", reason)


def upcoming(config: Config, ledger: Ledger, now: dt.datetime) -> list[Upcoming]:
    out = []
    for stored in ledger.announcements():
        try:
            nxt = schedule.next_occurrence(for_schedule(stored, config), now)
        except ScheduleError:
            nxt = None
        out.append(Upcoming(stored, nxt))
    return out


def reschedule(
    config: Config, ledger: Ledger, ident: str, at: str | dt.datetime, *, now: dt.datetime, by: str
) -> Upcoming:
    """Move a one-off announcement that has not been queued yet to `at` (read as `add` reads it).

    Recorded in the audit trail as said by `by`. The campaign file's announcements
    are refused: the file is upserted on every start and would move them back.
    """
    stored = ledger.announcement(ident)
    if stored is None or stored.state != "active":
        raise _on("id", StoreError(f"there is no active announcement {ident!r}"))
    if stored.at is None:
        raise _on("at", ScheduleError(
            f"{ident!r} is recurring ({stored.cron}): only a one-off announcement is moved"
        ))  # fmt: skip
    if stored.source == "yaml":
        raise _on("id", ScheduleError(
            f"{ident!r} is declared in the campaign file: change its time there"
        ))  # fmt: skip
    if ledger.deliveries(about=f"announcement:{ident}", limit=1):
        raise _on("at", ScheduleError(
            f"{ident!r} was queued already: cancel its posts in the queue instead"
        ))  # fmt: skip
    moved = _replace(
        stored, at=parse_at(at, stored.timezone, now, tuple(config.campaign.languages))
    )
    _check_renders(config, ledger, moved, moved.at or now, None)
    ledger.save_announcement(moved)
    ledger.audit.record(
        by=by,
        action="reschedule",
        target=f"announcement:{ident}",
        detail=Said("audit.moved_to", at=schedule.iso(moved.at or now)),
    )
    return Upcoming(ledger.announcement(ident) or moved, moved.at)

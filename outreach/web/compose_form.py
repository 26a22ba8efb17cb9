"""What the composer's form says: the fields as typed, the moment they name, and the draft.

Kept apart from composer.py (the pages): plain functions of a config, a
ledger and the fields, so each rule is tested without a browser. Nothing here
checks an announcement itself: announcements.draft does that, as it does for
`schedule add` and the admin bot's /schedule; this module only reads the
browser's fields (a date-and-time field gives '2026-03-12T18:00', wall time in
the campaign's zone) and says which instant a time repeated by a clock change
means, which a browser's field cannot.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .. import announcements, schedule
from ..errors import OutreachError, ScheduleError
from ..hidden_text import hidden, unshown
from ..messages import ONE_OFF

if TYPE_CHECKING:
    from ..config import Config
    from ..ledger import Ledger

FIELDS = ("id", "source", "template", "text", "page", "channels", "when", "at", "fold", "cron")
MAX_TEXT = 20_000
"""Characters a one-off text may have: a post is a few hundred; the sandbox bounds the rest.
A longer one is an error, kept as typed up to ten times that (a request is bounded anyway)."""
_LINE = re.compile(r"\.j2:(\d+):")
_AT = re.compile(r"(?P<dir>[^\s:]+)/(?P<file>[\w.-]+\.j2):(?P<line>\d+): (?P<rest>.*)", re.S)
"""A template error's message: `one-off/mastodon.j2:2: item has no attribute 'titel'`."""


@dataclass
class Form:
    """The composer's fields exactly as typed (so an error never loses them)."""

    id: str = ""
    source: str = "template"
    """'template' (a kind's files) or 'text' (a one-off text)."""
    template: str = "announcement"
    text: str = ""
    page: str = ""
    channels: tuple[str, ...] = ()
    when: str = "once"
    """'once' (at) or 'recurring' (cron)."""
    at: str = ""
    fold: str = ""
    """For a time the clocks repeat: '0' the first, '1' the second; '' not chosen."""
    cron: str = ""

    @classmethod
    def read(cls, fields: Mapping[str, str]) -> Form:
        """From a submitted form: each channel's box is a field of its own, 'ch:<id>'."""

        def one(name: str, default: str = "", limit: int = 200) -> str:
            value = fields.get(name)
            return str(value)[:limit] if isinstance(value, str) else default

        chosen = [k[3:] for k in fields if k.startswith("ch:")][:100]
        return cls(
            id=one("id").strip(),
            source="text" if one("source") == "text" else "template",
            template=one("template", "announcement").strip(),
            text=one("text", limit=10 * MAX_TEXT).replace("\r\n", "\n"),
            page=one("page").strip(),
            channels=tuple(c[:64] for c in chosen),
            when="recurring" if one("when") == "recurring" else "once",
            at=" ".join(one("at").split()),
            fold=one("fold") if one("fold") in ("0", "1") else "",
            cron=" ".join(one("cron").split()),
        )


@dataclass(frozen=True)
class Repeated:
    """A wall time the clocks pass twice: its two instants."""

    first: dt.datetime
    second: dt.datetime


@dataclass
class Reading:
    """The form read: the draft it makes, and each field's problems."""

    form: Form
    draft: announcements.Draft | None
    moment: dt.datetime | None
    """When it goes out first (or would have, for a time in the past)."""
    repeated: Repeated | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)
    lines: dict[int, str] = field(default_factory=dict)
    """The text's lines that template errors name, by number."""

    @property
    def ok(self) -> bool:
        return not self.errors


def read_at(
    text: str, cfg: Config, now: dt.datetime, fold: str
) -> tuple[dt.datetime, Repeated | None]:
    """The instant a date-and-time field names, in the campaign's zone.

    A skipped time (clocks going forward) is a ScheduleError; a repeated one
    (clocks going back) is returned with both instants, the chosen one (`fold`)
    or else the first.
    """
    tz = cfg.campaign.tz
    try:
        wall = dt.datetime.fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        from ..when import parse_when

        return parse_when(
            text, timezone=cfg.campaign.timezone, now=now, languages=cfg.campaign.languages
        ).moment, None
    if wall.tzinfo is not None:
        return wall, None
    wall = wall.replace(second=0, microsecond=0)
    first = schedule.localize(wall, tz)  # a skipped time: ScheduleError
    second = wall.replace(tzinfo=tz, fold=1)
    if first.utcoffset() == second.utcoffset():
        return first, None
    both = Repeated(first, second.astimezone(dt.UTC).astimezone(tz))
    return (both.second if fold == "1" else both.first), both


def read(
    form: Form,
    cfg: Config,
    ledger: Ledger,
    now: dt.datetime,
    messages: Any,
    *,
    saving: bool,
    by: str | None = None,
) -> Reading:
    """Check the form as announcements.draft does (and, when `saving` and all is well, add it).

    While previewing, an id not typed yet is no problem: the posts are drawn anyway.
    """
    errors: dict[str, list[str]] = {}

    def problem(name: str, message: str) -> None:
        if message not in errors.setdefault(name, []):
            errors[name].append(message)

    moment: dt.datetime | None = None
    repeated: Repeated | None = None
    at: dt.datetime | None = None
    if form.when == "once":
        if not form.at:
            problem("at", "say when it goes out")
        else:
            try:
                moment, repeated = read_at(form.at, cfg, now, form.fold)
                at = moment
            except OutreachError as exc:
                problem("at", str(exc))
        if repeated is not None and not form.fold:
            tz = cfg.campaign.tz
            problem("fold", (
                f"{form.at.replace('T', ' ')} happens twice in {cfg.campaign.timezone} "
                f"(the clocks go back that night): at {repeated.first.astimezone(tz):%H:%M %z} "
                f"or an hour later, at {repeated.second.astimezone(tz):%H:%M %z}; choose one"
            ))  # fmt: skip
    elif not form.cron:
        problem("cron", "give a cron expression, e.g. 0 10 * * mon")
    if form.source == "text" and not form.text.strip():
        problem("text", "write the text, or choose a template")
    if form.source == "text" and len(form.text) > MAX_TEXT:
        problem("text", f"the text has {len(form.text):,} characters; at most {MAX_TEXT:,}")
    invisible = unshown(form.text) if form.source == "text" else []
    for n, char in invisible:
        problem("text", f"line {n}: {hidden(char)}")
    if not form.channels:
        problem("channels", "choose at least one channel")
    ident = form.id or ("" if saving else "draft")
    kwargs: dict[str, Any] = dict(
        ident=ident,
        template=ONE_OFF if form.source == "text" else form.template,
        now=now,
        page=form.page or None,
        channels=form.channels or ("*",),
        text=form.text if form.source == "text" else None,
        messages=messages,
    )
    if form.when == "once":
        kwargs["at"] = at  # None when missing or unreadable (said above)
    else:
        kwargs["cron"] = form.cron or None
    # a time in the past or unreadable: the posts are drawn as of it, or of now, all the same
    d = announcements.draft(cfg, ledger, render_at=moment or now, **kwargs)
    for found in d.problems:
        name = _field_of(found)
        if name == "id" and not form.id and not saving:
            continue
        if name == "at" and ("at" in errors or "cron" in errors or "fold" in errors):
            continue  # said already, in this form's words
        problem(name, str(found))
    lines = _lines(form.text, errors.get("text", [])) if form.source == "text" else {}
    for n, _ in invisible:
        lines[n] = form.text.split("\n")[n - 1]
    errors = {name: once_per_line(found) for name, found in errors.items()}
    reading = Reading(form, d, d.next_at or moment, repeated, errors, lines)
    if saving and reading.ok:
        up = announcements.add(cfg, ledger, **kwargs, by=by)
        reading.moment = up.next_at
    return reading


def _field_of(exc: OutreachError) -> str:
    name = exc.field or "id"
    if name == "channel":
        return "channels"
    if name == "at" and isinstance(exc, ScheduleError) and "cron" in str(exc):
        return "cron"
    return name


def _lines(text: str, messages: list[str]) -> dict[int, str]:
    source = text.split("\n")
    out = {}
    for message in messages:
        m = _LINE.search(message)
        if m and 1 <= int(m.group(1)) <= len(source):
            out[int(m.group(1))] = source[int(m.group(1)) - 1]
    return out


def once_per_line(messages: list[str]) -> list[str]:
    """One template error said once for every network whose template fails on that line.

    A one-off text is rendered once per network (one-off/mastodon.j2, one-off/telegram.j2):
    a mistake in it fails each the same way, so it is said once, naming the networks. A
    template kind's files are the organiser's, one per network and language: the same
    mistake in two of them is said once, naming both files (each must be fixed).
    """
    groups: dict[tuple[str, str, str], list[str]] = {}
    out: list[str | tuple[str, str, str]] = []
    for message in messages:
        m = _AT.fullmatch(message)
        if m is None:
            out.append(message)
            continue
        key = (m["dir"], m["line"], m["rest"])
        if key not in groups:
            groups[key] = []
            out.append(key)
        groups[key].append(m["file"])
    said = []
    for entry in out:
        if isinstance(entry, str):
            said.append(entry)
            continue
        folder, line, rest = entry
        files = groups[entry]
        if len(files) == 1:
            said.append(f"{folder}/{files[0]}:{line}: {rest}")
            continue
        if folder == ONE_OFF:  # its "files" are the networks
            names = [f.removesuffix(".j2") for f in files]
        else:
            names = [f"{folder}/{f}" for f in files]
        said.append(f"{', '.join(names[:-1])} and {names[-1]}, line {line}: {rest}")
    return said

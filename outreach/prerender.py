"""Posts of the announcement occurrences due soon, rendered before their moment.

A thousand occurrences due at once were queued late mostly because each post
was rendered through the Jinja2 sandbox and fitted at that moment (about 60% of
the turn that fires them, bench/README.md). The service knows a turn ahead
which occurrences come next (schedule.plan's next_at), so in the idle time
before them it renders their posts as the firing turn would (the same
function, for the same occurrence), and the turn at the due moment writes them.

A post rendered ahead is used only when rendering it at the moment would give
the same post; that is checked at the moment, never assumed:

- the same announcement row (any change is another key) and occurrence;
- the same channel limits (channel_posts.learned_limits);
- the same template files: every `.j2` file of the message folders with the same
  size and modification time as just before the renders ahead began (a file
  added, changed or removed since renders everything again);
- the same campaign day: it was rendered for the moment its channel's post
  would go out had the turn run exactly at the occurrence, the turn decides the
  moment again (quiet hours included), and the day must be the same. Templates
  count days; a render that read the time of day (`clock.now`,
  campaign_clock.time_of_day_reads) is never kept;
- it rendered without error (a failure is rendered, logged and recorded at the
  moment, as before).

Otherwise the post is rendered at the moment, as it always was. Either way the
rows written are the same: that post, due at the moment the turn decided. Kept
in memory only: a restart renders at the moment, and nothing here is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .campaign_clock import time_of_day_reads
from .message_text import TEMPLATE_SUFFIX

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from . import schedule
    from .outbox import Draft

Fingerprint = tuple[tuple[str, int, int], ...]


def fingerprint(dirs: Iterable[Path]) -> Fingerprint:
    """Every template file of `dirs`, with its size and modification time."""
    out = []
    for d in dirs:
        for p in d.rglob(f"*{TEMPLATE_SUFFIX}"):
            try:
                st = p.stat()
            except OSError:  # removed while we looked: the next look differs anyway
                continue
            out.append((str(p), st.st_size, st.st_mtime_ns))
    return tuple(sorted(out))


@dataclass(frozen=True)
class _Ahead:
    drafts: tuple[Draft, ...]
    limits: Mapping[str, int]


class Prerendered:
    """Drafts of occurrences due soon, keyed by (announcement row, occurrence).

    `prepare(job, limits)` is what the firing turn renders with (Service's),
    returning the drafts or, when the post cannot be made, a str.
    """

    def __init__(
        self,
        prepare: Callable[[tuple[Any, schedule.Due], Mapping[str, int]], list[Draft] | str],
        template_dirs: Iterable[Path],
        tz: ZoneInfo,
    ) -> None:
        self._prepare = prepare
        self._dirs = tuple(template_dirs)
        self._tz = tz
        self._ahead: dict[tuple[Any, dt.datetime], _Ahead] = {}
        self._files: Fingerprint | None = None

    def __len__(self) -> int:
        return len(self._ahead)

    def render(
        self,
        jobs: Iterable[tuple[Any, schedule.Due]],
        limits: Mapping[str, int],
        stop: Callable[[], bool],
    ) -> int:
        """Render `jobs` (each due as if the turn ran at its occurrence) until `stop()`;
        returns how many are kept. Those already kept are not rendered again."""
        files = fingerprint(self._dirs)
        if files != self._files:
            self._ahead.clear()  # rendered from other files
            self._files = files
        kept = 0
        for stored, due in jobs:
            if stop():
                break
            key = (stored, due.occurrence)
            if key in self._ahead:
                continue
            reads = time_of_day_reads()
            drafts = self._prepare((stored, due), limits)
            if isinstance(drafts, str) or time_of_day_reads() != reads:
                continue
            if any(d.post is None for d in drafts):
                continue
            self._ahead[key] = _Ahead(tuple(drafts), dict(limits))
            kept += 1
        if self._ahead and fingerprint(self._dirs) != files:
            self._ahead.clear()  # a file changed while we rendered: which render saw it?
        return kept

    def check(self, now: dt.datetime, grace: dt.timedelta) -> None:
        """At the start of a turn that queues: forget what the files no longer make,
        and occurrences too old to be sent."""
        if not self._ahead:
            return
        if fingerprint(self._dirs) != self._files:
            self._ahead.clear()
            return
        old = [k for k in self._ahead if k[1] < now - grace]
        for k in old:
            del self._ahead[k]

    def take(self, stored: Any, due: schedule.Due, limits: Mapping[str, int]) -> list[Draft] | None:
        """The drafts rendered ahead for this occurrence, due when this turn says; None when
        they cannot stand for a render now (then render)."""
        ahead = self._ahead.pop((stored, due.occurrence), None)
        if ahead is None or ahead.limits != limits:
            return None
        sends = {s.channel_id: s.not_before for s in due.sends}
        if {d.channel_id for d in ahead.drafts} != set(sends) or len(ahead.drafts) != len(sends):
            return None
        out = []
        for d in ahead.drafts:
            at = sends[d.channel_id]
            if self._day(at) != self._day(d.due_at):
                return None
            out.append(replace(d, due_at=at))
        return out

    def _day(self, moment: dt.datetime) -> dt.date:
        return moment.astimezone(self._tz).date()

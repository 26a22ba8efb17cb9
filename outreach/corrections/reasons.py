"""Why a post is left as it is, or what to expect of it: a key and its values, not a sentence.

A plan's Change and a report's Line carry a Reason; each front end words it
in its own language. The CLI and the admin bot speak English: `str(reason)`
is their sentence, from ENGLISH below. The web console words each key in
be/ru/en/fr (outreach/web/strings.yaml, `reason.<key>`) and formats its
values itself (times in the campaign's zone, states in the reader's words).

Values are plain: `state` is a delivery state (pending, failed, ...), times
are datetimes in UTC as the ledger keeps them, `hours` and `id` are ints, `by`
and `network` are as the ledger keeps them. tests/test_web_reasons.py checks every key has its words
in every language with the same values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

ENGLISH: Mapping[str, str] = {
    # a takedown's or correction's plan: why a post is left as it is
    "dry_run": "dry run: it was printed, never posted",
    "no_remote_id": "sent, but the platform gave no id to act on: do it by hand",
    "being_sent": "being sent right now: run this again once it has gone",
    "unknown": (
        "its outcome is unknown, so it may be on the channel: `outreach lookup {id}` "
        "where the network allows, or look at the channel and do it by hand"
    ),
    "never_out": "{state}: it never went out",
    "removed_before": "removed before, at {at:%Y-%m-%d %H:%M} UTC by {by}",
    "removal_under_way": "its removal, asked by {by}, is under way",
    "removed_by_takedown": "removed by a takedown",
    "reads_so": "it already reads so",
    "queued_as_rendered": (
        "{state}: it will go out as it was rendered when queued; to change it, "
        "`outreach cancel`/`takedown` it and queue it again"
    ),
    # what to expect
    "will_not_go_out": "{state}: will not go out",
    "past_delete_window": (
        "sent {sent:%Y-%m-%d %H:%M} UTC, more than {hours} hours ago: {network} usually refuses then; "
        "outreach asks anyway and reports its answer"
    ),
    # a report
    "left_queue": "it had left the queue meanwhile: run the takedown again",
    "still_trying": (
        "(next try {next:%H:%M:%S} UTC); `outreach run` keeps trying, and `outreach history` "
        "shows the outcome"
    ),
    "still_trying_later": "`outreach run` keeps trying, and `outreach history` shows the outcome",
}


@dataclass(frozen=True)
class Reason:
    key: str
    values: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if self.key not in ENGLISH:
            raise KeyError(f"no words for the reason {self.key!r}: add it to ENGLISH")

    def __str__(self) -> str:
        return ENGLISH[self.key].format(**self.values)

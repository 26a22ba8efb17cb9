"""Our exceptions. Every message is written for the person who has to act on it.

OutreachError                    anything outreach raises on purpose
├── ConfigError                  a config / YAML / data file is wrong (file, line, field)
├── ContentError                 an unknown page or news id, a broken feed
├── ShareError                   an unknown network, a bad share template
├── TemplateError                a message template fails (file, line)
│   └── ClockError               an unknown campaign date, a date not in YYYY-MM-DD form
├── FitError                     a message cannot fit a network's limit
├── ScheduleError                an announcement's time, cron or time zone is wrong
├── StoreError                   the ledger cannot do what was asked
└── PublishError                 a publisher could not deliver
    ├── TransientError           worth retrying (connection, 5xx)
    │   └── RateLimited          the platform asked us to wait (retry_after seconds)
    ├── PermanentError           retrying will not help (bad token, no rights, 422)
    │   └── Gone                 the post to edit or delete is not there (any more)
    └── UnknownOutcome           the request may or may not have gone through
"""

from __future__ import annotations


class OutreachError(Exception):
    """Base of every error outreach raises on purpose."""

    field: str | None = None
    """The one input the error is about ('at', 'template'...), when there is one.

    The message itself names no front end's spelling of it: the CLI prefixes
    its option (--at), the admin bot its own words, so neither leaks into the other.
    """


class ConfigError(OutreachError):
    """A configuration or data file is wrong.

    `problems` holds one line per problem, each naming file, line and field,
    so that all of them can be fixed in one go rather than one per run.
    """

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        self.problems = problems or []
        full = (
            message
            if not self.problems
            else message + "\n" + "\n".join(f"  - {p}" for p in self.problems)
        )
        super().__init__(full)


class ContentError(OutreachError):
    """A page or news item cannot be found or read."""


class ShareError(OutreachError):
    """A share target is unknown or cannot build a link."""


class TemplateError(OutreachError):
    """A message template cannot be rendered."""


class ClockError(TemplateError):
    """The campaign clock was asked for a date it does not have or cannot read."""


class FitError(OutreachError):
    """A message cannot be made to fit a network's limit without losing what must stay."""


class ScheduleError(OutreachError):
    """An announcement's date, cron expression or time zone cannot be used."""


class StoreError(OutreachError):
    """The ledger refused an operation (unknown id, wrong state)."""


class PublishError(OutreachError):
    """A publisher could not deliver a post."""


class TransientError(PublishError):
    """A failure that may pass: retry later."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RateLimited(TransientError):
    """The platform refused for flooding and said when to come back."""


class PermanentError(PublishError):
    """A failure that will not pass by itself: an organiser must act."""


class Gone(PermanentError):
    """The post to edit or delete is not on the platform: deleted by hand or before.

    For a deletion this is success (it is not visible); for an edit, a refusal.
    """


class UnknownOutcome(PublishError):
    """The request may have reached the platform; we cannot tell whether it posted."""

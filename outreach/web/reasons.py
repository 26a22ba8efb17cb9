"""A correction's or takedown's reason (outreach/corrections/reasons.py) in the reader's words.

The corrections code gives a key and its values; the console words the key
from strings.yaml (`reason.<key>`), shows times in the campaign's zone and
language and states in the reader's words. The platform's own answer, as the
delivery loop recorded it, is not ours to translate: the page shows it as
quoted, marked as English (the language outreach records it in).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from jinja2 import pass_context
from markupsafe import Markup, escape

from .shown import shown

if TYPE_CHECKING:
    from jinja2.runtime import Context

    from ..corrections import Reason


@pass_context
def worded(ctx: Context, reason: Reason | None) -> Markup:
    """`{{ change.reason|reason }}`: the sentence, every value escaped and cleaned."""
    if reason is None:
        return Markup("")
    t, when = ctx["t"], ctx["when"]
    values: dict[str, Any] = {}
    for name, value in reason.values.items():
        if isinstance(value, dt.datetime):
            text = when(value)
        elif name == "state" and t.has(f"state.{value}"):
            text = t(f"state.{value}")
        elif name == "network":  # as a reader names it: Telegram, Mastodon
            text = str(value).capitalize()
        else:
            text = str(value)
        values[name] = shown(text)
    # the words are ours, the values are not: Markup.format escapes each value
    return Markup(escape(t(f"reason.{reason.key}"))).format(**values)

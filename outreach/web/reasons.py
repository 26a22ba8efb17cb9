"""A correction's or takedown's reason (outreach/corrections/reasons.py), and what outreach
said of a channel or a post (outreach/said.py), in the reader's words.

The corrections code gives a key and its values; the console words the key
from strings.yaml (`reason.<key>`, `said.<key>`), shows times in the campaign's
zone and language and states in the reader's words. The platform's own answer,
as the delivery loop recorded it, is not ours to translate: the page shows it
as quoted, marked as English (the language outreach records it in). A text
that is not a Said (a row written before outreach kept the key) is shown as it is.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from jinja2 import pass_context
from markupsafe import Markup, escape

from ..fit_words import number
from ..said import FIGURES, Quoted, Said
from .shown import shown

if TYPE_CHECKING:
    from jinja2.runtime import Context

    from ..corrections import Reason


@pass_context
def worded(ctx: Context, reason: Reason | None) -> Markup:
    """`{{ change.reason|reason }}`: the sentence, every value escaped and cleaned."""
    if reason is None:
        return Markup("")
    return _worded(ctx["t"], ctx["when"], f"reason.{reason.key}", reason.values)


@pass_context
def said(ctx: Context, text: str | None, quote: bool = False, english: bool = True) -> Markup:
    """`{{ fact|said }}`: a Said in the reader's words; any other text as it is (a row from
    before outreach kept the key), escaped and marked as English: quoted when `quote` (the
    platform's answer) or Quoted (words that are not ours). `english=False`: a text that is
    not a Said is a name, not English words (who did something: 'web:anna')."""
    if not text:
        return Markup("")
    if isinstance(text, Said):
        return _said(ctx["t"], ctx["when"], text)
    if quote or isinstance(text, Quoted):
        return _quoted(text)
    if not english:
        return Markup("{}").format(shown(str(text)))
    return Markup('<span lang="en">{}</span>').format(shown(str(text)))


def _quoted(text: str) -> Markup:
    return Markup('<q lang="en">{}</q>').format(shown(str(text)))


def _said(t: Any, when: Any, text: Said) -> Markup:
    return _worded(t, when, f"said.{text.key}", text.values)


def _worded(t: Any, when: Any, key: str, given: Any) -> Markup:
    values: dict[str, Any] = {}
    for name, value in given.items():
        if isinstance(value, Said):
            values[name] = _said(t, when, value)
            continue
        if isinstance(value, Quoted):  # not ours: as recorded, marked as English
            values[name] = _quoted(value)
            continue
        if isinstance(value, dt.datetime):
            text = when(value)
        elif name in ("state", "role") and t.has(f"{name}.{value}"):
            text = t(f"{name}.{value}")  # a delivery's state, a console user's role
        elif name == "network":  # as a reader names it: Telegram, Mastodon
            text = str(value).capitalize()
        elif name in FIGURES and isinstance(value, (int, float)) and not isinstance(value, bool):
            text = number(value, t.lang)  # '5 000' for a Russian reader, '5,000' in English
        else:
            text = str(value)
        values[name] = shown(text)
    # the words are ours, the values are not: Markup.format escapes each value
    return Markup(escape(t(key))).format(**values)

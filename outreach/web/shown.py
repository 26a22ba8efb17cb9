"""What a page shows of text it did not write (titles, posts, reasons, feed errors, names).

Jinja2 escapes every value (autoescape), so markup in a title is shown as
text. This is the rest, applied to every `{{ value }}` by the templates'
`finalize`: NUL and the other control characters (a feed or a platform may
send them; browsers draw some as nothing) and the bidirectional overrides
and isolates (U+202A-U+202E, U+2066-U+2069: one in a title can make the rest
of a line read backwards, e.g. a link's end shown as its start) are each
replaced by U+FFFD, so an organiser sees that something odd was there.
Line breaks and tabs stay; long words are wrapped by the stylesheet.

What an organiser typed into a form is the exception: it goes back into its
field exactly (`typed`), or a Preview would hand back U+FFFD and a Save then
store it. The composer refuses such characters in a one-off text instead,
naming each and its line (`unshown`), since the text goes out to subscribers.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from markupsafe import Markup, escape

REPLACEMENT = "\ufffd"
BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""The bidirectional overrides and isolates among them."""
_UNSHOWN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def shown(value: Any) -> Any:
    """`value` as a page may show it (templates' finalize: markup we made passes untouched)."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return _UNSHOWN.sub(REPLACEMENT, value)
    return value


def typed(value: str) -> Markup:
    """A form field's value as the organiser typed it: escaped, and nothing replaced."""
    return escape(value)


def unshown(text: str) -> list[tuple[int, str]]:
    """(line number, character) for each character `shown` would replace, in order."""
    found = []
    for n, line in enumerate(text.split("\n"), 1):
        for char in dict.fromkeys(_UNSHOWN.findall(line)):
            found.append((n, char))
    return found


def named(char: str) -> str:
    """'U+202E RIGHT-TO-LEFT OVERRIDE'."""
    return f"U+{ord(char):04X} {unicodedata.name(char, 'control character')}"


def hidden(char: str) -> str:
    """What an organiser is told of one of `unshown`'s characters in their text."""
    what = (
        "a hidden control of text direction (it can make a line read backwards)"
        if char in BIDI
        else "a control character readers do not see"
    )
    return f"{named(char)}, {what}; delete it"


def web_link(url: str | None) -> str | None:
    """`url` when a browser may follow it from our pages (http or https), else None."""
    if url and re.match(r"https?://[^\s\x00-\x1f]+\Z", url, flags=re.IGNORECASE):
        return url
    return None

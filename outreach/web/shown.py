"""What a page shows of text it did not write (titles, posts, reasons, feed errors, names).

Jinja2 escapes every value (autoescape), so markup in a title is shown as
text. This is the rest, applied to every `{{ value }}` by the templates'
`finalize`: each character readers do not see and that changes what they
read (outreach/hidden_text.py: control characters, bidirectional overrides
and isolates) is replaced by U+FFFD, so an organiser sees that something odd
was there. Line breaks and tabs stay; long words are wrapped by the stylesheet.

What an organiser typed into a form is the exception: it goes back into its
field exactly (`typed`), or a Preview would hand back U+FFFD and a Save then
store it. The composer refuses such characters in a one-off text instead,
naming each and its line (hidden_text.unshown), since the text goes out to
subscribers.
"""

from __future__ import annotations

import re
from typing import Any

from markupsafe import Markup, escape

from ..hidden_text import UNSHOWN

REPLACEMENT = "\ufffd"


def shown(value: Any) -> Any:
    """`value` as a page may show it (templates' finalize: markup we made passes untouched)."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return UNSHOWN.sub(REPLACEMENT, value)
    return value


def typed(value: str) -> Markup:
    """A form field's value as the organiser typed it: escaped, and nothing replaced."""
    return escape(value)


def web_link(url: str | None) -> str | None:
    """`url` when a browser may follow it from our pages (http or https), else None."""
    if url and re.match(r"https?://[^\s\x00-\x1f]+\Z", url, flags=re.IGNORECASE):
        return url
    return None

"""Characters in a text that readers do not see and that change what they read.

The control characters (NUL and the rest of C0 and C1 but line breaks and
tabs: a feed or a platform may send them, browsers draw some as nothing)
and the bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069:
one in a title can make the rest of a line read backwards, e.g. a link's end
shown as its start). Zero-width spaces and direction marks (U+200E, U+200F)
are ordinary text and are not among them.

One rule for every place that meets such text: the web console shows each as
U+FFFD (web/shown.py), the composer refuses them in a one-off text and `check`
names each in the campaign file (config/file_problems.py); both say it with
`hidden`, naming the character and its line.
"""

from __future__ import annotations

import re
import unicodedata

BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""The bidirectional overrides and isolates among them."""
UNSHOWN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""Every such character."""


def unshown(text: str) -> list[tuple[int, str]]:
    """(line number, character) for each such character in `text`, once a line, in order."""
    found = []
    for n, line in enumerate(text.split("\n"), 1):
        for char in dict.fromkeys(UNSHOWN.findall(line)):
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

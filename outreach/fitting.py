"""Make a text fit a limit by shortening the one part that may be shortened.

The caller renders the whole text around a shortenable part (a summary, a
title); URLs, hashtags and markup stay whole because they are never in that
part. Cuts fall at word boundaries (grapheme boundaries for text without
spaces, such as Chinese) and end with an ellipsis.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import grapheme

from .errors import FitError

ELLIPSIS = "…"


_TRAILING = " \t\n,;:.-–—"


class _Forms:
    """The shortened forms of a text, longest first, each made only when asked for.

    Only the cut positions are kept: a whole article in a feed's summary has
    thousands of words, and all its prefixes at once would take gigabytes.
    """

    def __init__(self, text: str) -> None:
        self.text = text.strip()
        if not self.text:
            self.ends: list[int] = []
            return
        bounds = [m.start() for m in re.finditer(r"\s+", self.text)]
        if not bounds:
            # No spaces: cut between user-perceived characters, never inside one.
            bounds, at = [], 0
            for cluster in grapheme.graphemes(self.text):
                at += len(cluster)
                bounds.append(at)
            bounds.pop()  # the whole text is the first form already
        ends = []
        text = self.text
        for b in reversed(bounds):
            while b > 0 and (text[b - 1] in _TRAILING or _joined(text, b)):
                b -= 1
            if b > 0:
                ends.append(b)
        self.ends = ends

    def __len__(self) -> int:
        return len(self.ends) + (2 if self.text else 1)

    def __getitem__(self, i: int) -> str:
        if i < 0:
            i += len(self)
        if i == len(self) - 1:
            return ""
        if i == 0:
            return self.text
        return self.text[: self.ends[i - 1]] + ELLIPSIS


# UAX #29's Prepend characters (the grapheme library's data): each joins what follows
# it into one user-perceived character, a space or punctuation included (GB9b).
_PREPEND = frozenset(
    "\u0600\u0601\u0602\u0603\u0604\u0605\u06dd\u070f\u0890\u0891\u08e2\u0d4e"
    "\U000110bd\U000110cd\U000111c2\U000111c3\U000113d1\U0001193f\U00011941"
    "\U00011a84\U00011a85\U00011a86\U00011a87\U00011a88\U00011a89\U00011d46\U00011f02"
)


def _joined(text: str, at: int) -> bool:
    """Whether text[at - 1] and text[at] are one user-perceived character, so no cut may
    fall between them: before white space or `_TRAILING`, only after a Prepend character
    ("\u0600 " is one). Grapheme bounds (text without spaces) are right as they are."""
    if at >= len(text) or text[at - 1] not in _PREPEND:
        return False
    return grapheme.length(text[at - 1 : at + 1]) == 1


def cut_points(text: str) -> list[str]:
    """Every shortened form of `text`, longest first, ending with ''."""
    forms = _Forms(text)
    return [forms[i] for i in range(len(forms))]


def fit(
    render: Callable[[str], str],
    part: str,
    measure: Callable[[str], int],
    limit: int,
    what: str = "the message",
) -> str:
    """The longest `render(shortened part)` whose `measure` is within `limit`.

    Raises FitError when even `render('')` is too long: the fixed parts alone
    (URL, hashtags, title) exceed the limit, which an organiser must fix.
    """
    full = render(part)
    if measure(full) <= limit:
        return full
    forms = _Forms(part)
    # Lengths shrink as forms shorten, so the first fitting form can be bisected.
    lo, hi = 1, len(forms) - 1
    if measure(render(forms[hi])) > limit:
        bare = measure(render(forms[hi]))
        raise FitError(
            f"{what} is {bare} long without its shortenable text, over the limit of {limit}: "
            "shorten the title or the template"
        )
    while lo < hi:
        mid = (lo + hi) // 2
        if measure(render(forms[mid])) <= limit:
            hi = mid
        else:
            lo = mid + 1
    return render(forms[lo])

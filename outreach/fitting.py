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


def cut_points(text: str) -> list[str]:
    """Every shortened form of `text`, longest first, ending with ''."""
    text = text.strip()
    if not text:
        return [""]
    bounds = [m.start() for m in re.finditer(r"\s+", text)]
    if not bounds:
        # No spaces: cut between user-perceived characters, never inside one.
        clusters = list(grapheme.graphemes(text))
        prefixes = ["".join(clusters[:n]) for n in range(len(clusters) - 1, 0, -1)]
    else:
        prefixes = [text[:b] for b in reversed(bounds)]
    forms = [text]
    for p in prefixes:
        p = p.rstrip(" \t\n,;:.-–—")
        if p:
            forms.append(p + ELLIPSIS)
    forms.append("")
    return forms


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
    forms = cut_points(part)
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

"""What a reader sees of a console page, and the English words that must not be in it:
shared by the tests that read be/ru/fr pages for English (test_web_reasons, test_web_said)."""

from __future__ import annotations

import html
import re
import string
from collections.abc import Iterable, Mapping

from outreach.web import i18n


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def text_of(page: str) -> str:
    """What a reader sees, without words that are not ours (quoted, marked as English)."""
    page = re.sub(r'<q lang="en">.*?</q>', " ", page, flags=re.S)
    blocks = re.sub(r"</?(li|p|td|th|tr|h\d|ul|div|section|dt|dd|article|br)\b[^>]*>", " ", page)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", blocks)).split())


def english_fragments(
    english: Mapping[str, str], prefix: str, *, strip: str, sentences_only: bool
) -> set[str]:
    """The fixed words of every sentence in English: the CLI's (`english`) and the
    console's (its strings under `prefix`), at least 8 characters long; with
    `sentences_only`, only those with a space (a sentence's words, not a config name)."""
    texts: Iterable[str] = [*english.values()] + [
        v for k, v in i18n.table()["en"].items() if k.startswith(prefix)
    ]
    out = set()
    for text in texts:
        for literal, *_ in string.Formatter().parse(text):
            words = literal.strip(strip)
            if len(words) >= 8 and (" " in words or not sentences_only):
                out.add(words)
    return out

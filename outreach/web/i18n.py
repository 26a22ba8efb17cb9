"""The console's words in Belarusian, Russian, English and French, and the language of a request.

A per-language table (strings.yaml beside this file), as the share bars do
(outreach/share/templates/strings.yaml): the console has a few hundred words,
all of them ours, so gettext catalogs would add a build step and no safety.
tests/test_web_i18n.py checks that every language has every key and the same
{placeholders}.

The language of a request: `?lang=xx` (remembered in a cookie by /lang), else
the cookie, else the browser's Accept-Language, else the campaign's default.
Dates are formatted by Babel in that language, in the campaign's time zone.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..yamlfile import parse_yaml

LANGS = ("be", "ru", "en", "fr")
NAMES = {"be": "Беларуская", "ru": "Русский", "en": "English", "fr": "Français"}
COOKIE = "outreach_lang"
STRINGS = Path(__file__).parent / "strings.yaml"


@functools.cache
def table() -> dict[str, dict[str, str]]:
    data = parse_yaml(STRINGS.read_text(encoding="utf-8"), STRINGS).data
    return {lang: dict(data[lang]) for lang in LANGS}


class Words:
    """`t("queue.title")`, `t("done.pause", held=3)` in one language (English where one is missing)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGS else "en"
        self._own = table()[self.lang]
        self._en = table()["en"]

    def __call__(self, key: str, **values: Any) -> str:
        text = self._own.get(key) or self._en.get(key)
        if text is None:
            raise KeyError(f"outreach/web/strings.yaml has no {key!r}")
        return text.format(**values) if values else text

    def has(self, key: str) -> bool:
        return key in self._en


def choose(query: str | None, cookie: str | None, accept: str | None, default: str) -> str:
    """The first of: ?lang=, the cookie, the browser's preference, the campaign's language."""
    for lang in (query, cookie):
        if lang in LANGS:
            return lang
    for lang in _accepted(accept or ""):
        if lang in LANGS:
            return lang
    return default if default in LANGS else "en"


def _accepted(header: str) -> list[str]:
    """Accept-Language, best first, as bare language codes ('be-BY;q=0.9' -> 'be')."""
    out: list[tuple[float, int, str]] = []
    for i, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if tag:
            out.append((-q, i, tag.split("-")[0].lower()))
    return [t for _, _, t in sorted(out)]


def when(moment: dt.datetime | None, lang: str, tz: Any) -> str:
    """'Mon 2 Mar 2026, 10:00' — the campaign's wall time, in the reader's language.

    One pattern for every language (names and order of words from Babel's data), with a
    24-hour clock: the organisers compare times across languages.
    """
    if moment is None:
        return "—"
    from babel.dates import format_datetime

    return format_datetime(moment, "EEE d MMM y, HH:mm", tzinfo=tz, locale=lang)


def iso_local(moment: dt.datetime | None, tz: Any) -> str:
    """For <time datetime=...>: the exact instant, machine-readable."""
    return moment.astimezone(tz).isoformat() if moment else ""


def language_links(path: str, current: str) -> list[Mapping[str, str | bool]]:
    return [
        {"lang": lang, "name": NAMES[lang], "current": lang == current, "path": path}
        for lang in LANGS
    ]

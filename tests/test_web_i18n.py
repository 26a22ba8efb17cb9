"""Every word of the web console exists in be, ru, en and fr, with the same placeholders,
and every key the templates and pages use is in the table."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from outreach.web import i18n

WEB = Path(i18n.__file__).parent


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_every_language_has_every_key_with_the_same_placeholders(lang):
    table = i18n.table()
    assert set(table[lang]) == set(table["en"])
    for key, text in table["en"].items():
        assert placeholders(table[lang][key]) == placeholders(text), (lang, key)
        assert table[lang][key].strip(), (lang, key)


def test_the_translations_are_not_english_left_in_place():
    table = i18n.table()
    same = {
        lang: [k for k, v in table[lang].items() if v == table["en"][k] and len(v) > 12]
        for lang in ("be", "ru", "fr")
    }
    assert same == {"be": [], "ru": [], "fr": []}


def used_keys() -> set[str]:
    keys: set[str] = set()
    # __init__.py is left out: its how-to invents a page and its keys
    for path in [
        *WEB.glob("templates/*.html"),
        *(p for p in WEB.glob("*.py") if p.name != "__init__.py"),
    ]:
        text = path.read_text(encoding="utf-8")
        keys |= set(re.findall(r"""\bt\(\s*["']([a-z_]+\.[a-z_.]+)["']""", text))
        keys |= set(re.findall(r"""["']((?:done|err|signin)\.[a-z_]+)["']""", text))
    return {k for k in keys if not k.endswith(".html")}


def test_every_key_in_use_is_in_the_table():
    used = used_keys()
    assert len(used) > 60
    assert used - set(i18n.table()["en"]) == set()


@pytest.mark.parametrize(
    ("query", "cookie", "accept", "default", "chosen"),
    [
        ("fr", "be", "ru", "en", "fr"),
        (None, "be", "ru", "en", "be"),
        (None, None, "de-DE,ru;q=0.8,be;q=0.9", "en", "be"),
        (None, "xx", "de", "ru", "ru"),
        ("<script>", None, None, "de", "en"),
    ],
)
def test_the_language_of_a_request(query, cookie, accept, default, chosen):
    assert i18n.choose(query, cookie, accept, default) == chosen

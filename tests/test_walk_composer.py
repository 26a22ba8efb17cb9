"""Hostile or pasted text in the composer's one-off text: what was typed comes back exactly,
and an invisible character that would reach subscribers is refused, naming the field and the
line. The console replaces control characters and bidi overrides with U+FFFD in everything it
shows (web/shown.py), the text field included: a Preview handed "\u202eevil\u202c" back as
"\ufffdevil\ufffd", and Save then stored the replacement characters, not what was typed."""

from __future__ import annotations

import html
import re

import pytest
from markupsafe import escape
from webkit import Site

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: what follows reads backwards
PDF = "\u202c"
HOSTILE = "<script>alert(1)</script> **bold** [x](http://evil) & {{ item.url }}"


@pytest.fixture
def site(tmp_path):
    s = Site(tmp_path)
    yield s
    s.close()


def form(text: str, do: str) -> dict[str, str]:
    return {
        "id": "vigil", "source": "text", "template": "announcement", "text": text,
        "page": "ales", "ch:mastodon-en": "1", "ch:telegram-be": "1", "when": "recurring",
        "at": "", "cron": "0 10 * * mon", "do": do,
    }  # fmt: skip


def typed_back(page: str) -> str:
    m = re.search(r'<textarea id="f-text"[^>]*>(.*?)</textarea>', page, re.S)
    assert m, "no text field"
    return html.unescape(m.group(1))


def slot(page: str, name: str) -> str:
    m = re.search(rf'<div class="field-error" id="err-{name}"[^>]*>(.*?)</div>', page, re.S)
    assert m, f"no error slot for {name}"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", m.group(1))).split())


def test_a_bidi_override_is_refused_naming_its_line_and_the_text_comes_back_as_typed(site):
    text = f"Vigil tonight\nat the {RLO}embassy{PDF} 19:00\n{{{{ item.url }}}}"
    olga = site.signed_in("olga")
    olga.get("/compose")
    r = olga.post("/compose", form(text, "preview"))
    assert r.status_code == 200
    assert typed_back(r.text) == text
    errors = slot(r.text, "text")
    assert "line 2: U+202E RIGHT-TO-LEFT OVERRIDE" in errors, errors
    assert "U+202C POP DIRECTIONAL FORMATTING" in errors, errors
    saved = olga.post("/compose", form(text, "save"))
    assert saved.status_code == 422 and typed_back(saved.text) == text
    assert site.ledger.announcements() == []


def test_markup_and_a_zero_width_space_are_plain_text_and_saved_as_typed(site):
    text = f"{HOSTILE}\nzero\u200bwidth, \u200fright-to-left mark"
    olga = site.signed_in("olga")
    olga.get("/compose")
    r = olga.post("/compose", form(text, "preview"))
    assert typed_back(r.text) == text and "<script>alert" not in r.text
    assert str(escape("<script>alert(1)</script>")) in r.text
    assert slot(r.text, "text") == ""
    saved = olga.post("/compose", form(text, "save"))
    assert saved.status_code == 303, slot(saved.text, "text")
    (ann,) = site.ledger.announcements()
    assert ann.text == text

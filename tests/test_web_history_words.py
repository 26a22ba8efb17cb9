"""The history's list of organisers' actions reads the same whoever acted: in Belarusian and
Russian the action is a noun ("скасаванне", "отмена"), not a past-tense verb that would
make every organiser a man ("скасаваў", "отменил")."""

from __future__ import annotations

import re

import pytest
from webkit import Site

from outreach.web import i18n

# a masculine past tense ends so: be "скасаваў", "перанёс"; ru "отменил", "вошёл", "перенёс"
MASCULINE_PAST = {"be": re.compile(r"(ў|ёс)$"), "ru": re.compile(r"(л|ёс)$")}


@pytest.mark.parametrize("lang", ["be", "ru"])
def test_no_action_word_is_a_masculine_past_tense(lang):
    words = {k: v for k, v in i18n.table()[lang].items() if k.startswith("action.")}
    assert len(words) >= 12
    gendered = {k: v for k, v in words.items() if MASCULINE_PAST[lang].search(v.split()[0])}
    assert gendered == {}


def test_the_rule_catches_the_old_wording():
    assert MASCULINE_PAST["be"].search("скасаваў") and MASCULINE_PAST["be"].search("перанёс")
    assert MASCULINE_PAST["ru"].search("отменил") and MASCULINE_PAST["ru"].search("вошёл")


@pytest.fixture
def site(tmp_path):
    s = Site(tmp_path)
    yield s
    s.close()


@pytest.mark.parametrize(
    ("lang", "cancel", "pause"),
    [("be", "скасаванне", "паўза"), ("ru", "отмена", "пауза"), ("en", "cancelled", "paused")],
)
def test_the_history_names_who_did_what_in_the_readers_language(site, lang, cancel, pause):
    ident = site.queue(1)
    olga = site.signed_in("olga")
    olga.get("/queue")
    assert olga.post(f"/deliveries/{ident}/cancel", {"back": "/queue"}).status_code == 303
    site.ledger.pause("web:anna", why="verdict")
    page = olga.get(f"/history?lang={lang}").text
    rows = [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", r, re.S)]
        for r in re.findall(r"<tr>(.*?)</tr>", page.split('id="actions-h"')[1], re.S)
    ]
    trail = {(r[1], r[2]) for r in rows if len(r) == 5}
    assert ("web:olga", cancel) in trail and ("web:anna", pause) in trail

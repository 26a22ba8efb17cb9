"""What an organiser reads when their own one-off text (typed in the composer) is too long for a
channel. It said "mastodon-en (one-off/mastodon.j2): the message is 600 long even with no title
or summary ... shorten the template, the hashtags or the content warning": no unit, and a
template, hashtags and a file name the organiser never wrote. It now says how long the text is
in the unit the network counts (Mastodon: characters, a link as 23; Telegram: UTF-16 units, an
emoji as 2), the limit, and by how much to shorten their text."""

from __future__ import annotations

import pytest
from test_web_composer import card, form, slot
from webkit import Site


@pytest.fixture
def site(tmp_path):
    s = Site(tmp_path)
    yield s
    s.close()


def preview(site: Site, text: str) -> str:
    olga = site.signed_in("olga")
    olga.get("/compose")
    return olga.post("/compose", form(text=text, do="preview")).text


def test_too_long_on_mastodon_says_characters_the_limit_and_by_how_much(site):
    page = preview(site, "{{ 'word ' * 120 }}")  # 599 characters: the last space is cut
    said = card(page, "mastodon-en")
    assert "mastodon-en: your text is 599 characters long" in said, said
    assert "every link as 23" in said
    assert "over the limit of 500" in said
    assert "shorten your text by at least 99 characters" in said
    assert "template" not in said and "one-off/" not in said and "hashtag" not in said
    assert "shorten your text by at least 99 characters" in slot(page, "text")
    assert site.ledger.announcement("weekly-count") is None


def test_too_long_on_telegram_says_utf16_units_and_the_caption_limit(site):
    page = preview(site, "🙂" * 600)  # 600 characters, 1200 UTF-16 units
    said = card(page, "telegram-be")
    assert "telegram-be: your text is 1,200 UTF-16 units long" in said, said
    assert "an emoji 2" in said
    # the page has an image: Telegram sends the text as the photo's caption, 1024 at most
    assert "over the limit of 1,024 for a post with an image" in said
    assert "shorten your text by at least 176 UTF-16 units" in said
    assert "template" not in said and "one-off/" not in said


def test_a_text_with_the_page_title_says_it_is_too_long_even_without_it(site):
    page = preview(site, "{{ item.title }}\n" + "x" * 600)
    said = card(page, "mastodon-en")
    assert "your text is 600 characters long even with the title and summary left out" in said, said
    assert "over the limit of 500:" in said  # Mastodon's limit is the same with an image
    assert "shorten your text by at least 100 characters" in said

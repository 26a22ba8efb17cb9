"""A Mastodon status is labelled with the language its text is in.

Readers' language filters and Mastodon's "translate" go by a status's `language`.
A news item from an English-only feed, sent to a Russian channel, is English text
(its title and summary: the news template adds only the link and hashtags), and
must not be labelled Russian; a page the campaign has in Russian, or a post in
the organisers' own Russian words, is.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml
from fakes.mastodon_server import FakeMastodon
from servicekit import write_campaign

from outreach.app import App
from outreach.content import all_items, find_item
from outreach.messages import ONE_OFF
from outreach.outbox import Outbox


def ru_channel(masto: FakeMastodon) -> dict[str, str]:
    return {"id": "ma-ru", "kind": "mastodon", "instance": masto.url, "token_env": "T",
            "language": "ru"}  # fmt: skip


def app_for(tmp_path: Path, masto: FakeMastodon, **sections) -> App:
    config = write_campaign(
        tmp_path,
        channels=[ru_channel(masto)],
        store={"url": f"sqlite:///{tmp_path / 'ledger.sqlite3'}"},
        **sections,
    )
    return App(str(config), {"T": "token"})


def only_status(tmp_path: Path, masto: FakeMastodon, **sections) -> dict:
    """`outreach run --once` on a campaign of one Russian Mastodon channel; what it posted."""
    app = app_for(tmp_path, masto, **sections)
    try:
        app.service().run_once(max_wait=10)
    finally:
        app.close()
    [status] = masto.statuses
    return status


def test_an_english_only_news_item_on_a_russian_channel_is_labelled_english(tmp_path: Path):
    with FakeMastodon() as masto:
        feeds = [{"id": "news", "path": "news.xml", "backlog": 1}]
        status = only_status(tmp_path, masto, feeds=feeds, announcements=[])
    assert "Under pressure even behind bars" in status["status"]
    assert status["language"] == "en"


def test_a_page_the_campaign_has_in_russian_is_labelled_russian(tmp_path: Path):
    with FakeMastodon() as masto:
        app = app_for(tmp_path, masto, feeds=[], announcements=[])
        try:
            outbox = Outbox(app.config, app.ledger)
            subject = outbox.messages.subject_for_item(find_item(all_items(app.config), "home"))
            outbox.queue(subject, dedupe_key=subject.about, due=app.clock.now())
            loop = app.delivery_loop()
            loop.start()
            loop.run_once(max_wait=10)
        finally:
            app.close()
    [status] = masto.statuses
    assert "Беларусь: правозащитники под давлением" in status["status"]
    assert status["language"] == "ru"


def test_an_announcement_in_the_organisers_words_is_in_the_channels_language(tmp_path: Path):
    due = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    vigil = {"id": "vigil", "template": ONE_OFF, "at": due, "channels": ["ma-ru"],
             "text": "Пикет сегодня вечером"}  # fmt: skip
    with FakeMastodon() as masto:
        status = only_status(tmp_path, masto, feeds=[], announcements=[vigil])
    assert "Пикет сегодня вечером" in status["status"]
    assert status["language"] == "ru"


def test_a_correction_of_an_english_only_page_is_rendered_again_in_the_channels_language(
    tmp_path: Path,
):
    from correctionkit import campaign_file, make_app, send
    from fakes.telegram_server import FakeTelegram

    from outreach.corrections import plan_correction

    report = {"id": "report", "url": "https://freeales.fidh.net/report/",
              "title": {"en": "The FIDH report"}, "summary": {"en": "Restrictions after 2010."}}  # fmt: skip

    def with_report(path: Path) -> Path:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["pages"].append(report)
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        return path

    with FakeMastodon() as ma, FakeTelegram() as tg:
        app = make_app(with_report(campaign_file(tmp_path, ma, tg)))
        try:
            send(app, "report")
        finally:
            app.close()
        assert {s["language"] for s in ma.live()} == {"en"}  # mastodon-ru too: it is English
        # the organisers fix the Russian Telegram template; the correction uses it
        folder = tmp_path / "messages" / "page"
        folder.mkdir(parents=True)
        (folder / "telegram.ru.j2").write_text("<b>ИСПРАВЛЕНО</b> {{ item.title }}\n")
        fixed = campaign_file(tmp_path, ma, tg, messages_dir=str(folder.parent))
        app2 = make_app(with_report(fixed))
        try:
            plan = plan_correction(app2, "report")
        finally:
            app2.close()
    edits = {c.channel_id: c for c in plan.changes if c.what == "edit"}
    assert set(edits) == {"telegram-ru"}
    assert edits["telegram-ru"].new_text == "<b>ИСПРАВЛЕНО</b> The FIDH report"


def test_a_feed_declaring_no_real_language_is_in_the_campaigns_default(tmp_path: Path):
    # a feed's <language> labels its posts: text that is no ISO 639 code never does
    feed = tmp_path / "odd.xml"
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        "<language>&lt;b&gt;Русский язык&lt;/b&gt; x-y</language>"
        "<item><title>Новость</title><link>https://example.org/n/</link><guid>n</guid></item>"
        "</channel></rss>",
        encoding="utf-8",
    )
    with FakeMastodon() as masto:
        feeds = [{"id": "odd", "path": "odd.xml", "backlog": 1}]
        status = only_status(tmp_path, masto, feeds=feeds, announcements=[])
    assert "Новость" in status["status"]
    assert status["language"] == "en"  # the campaign's default language, as an item's key

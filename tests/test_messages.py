"""Posts made from pages, news items and announcements: what each channel receives."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from outreach.channel_posts import render_for_channels
from outreach.config import AnnouncementConfig, Config
from outreach.content import Image, Item, all_items, find_item
from outreach.errors import ConfigError, ContentError, FitError, TemplateError
from outreach.messages import BUNDLED_DIR, Messages
from outreach.networks.mastodon import MastodonChannel
from outreach.networks.telegram import Button, TelegramChannel
from outreach.post import LinkButton
from outreach.textlimits import mastodon_length, telegram_length

NOW = dt.datetime(2025, 8, 4, 7, 0, tzinfo=dt.UTC)  # 10:00 in Minsk, the arrest anniversary
URL = "https://freeales.fidh.net/news/2025/08/long-read/?lang=en&utm=no"


def item(title="A title", summary="A summary.", image=None, url=URL) -> Item:
    return Item(
        kind="page",
        id="t",
        url=url,
        title={"en": title, "ru": title},
        summary={"en": summary, "ru": summary},
        image=image,
    )


def mastodon(**kw) -> MastodonChannel:
    return MastodonChannel(
        **{"id": "m", "kind": "mastodon", "instance": "https://mastodon.example.org", **kw}
    )


def telegram(**kw) -> TelegramChannel:
    return TelegramChannel(**{"id": "t", "kind": "telegram", "chat": "@x", "language": "ru", **kw})


def with_channels(cfg: Config, *channels) -> Config:
    return cfg.model_copy(update={"channels": list(channels)})


def posts(m: Messages, subject, now: dt.datetime):
    """Every channel's post (render_for_channels); the first channel's error raised."""
    made = render_for_channels(m, subject, at=now)
    for cp in made:
        if cp.error is not None:
            raise cp.error
    return [cp.post for cp in made]


def posts_for_item(cfg: Config, it: Item, *, now: dt.datetime):
    m = Messages(cfg)
    return posts(m, m.subject_for_item(it), now)


def posts_for_announcement(cfg: Config, ann, *, now: dt.datetime):
    m = Messages(cfg)
    return posts(m, m.subject_for_announcement(ann), now)


def render(cfg: Config, it: Item, channel, kind: str | None = None, lang: str | None = None):
    m = Messages(cfg)
    return m.render_post(channel, m.subject_for_item(it, kind), now=NOW, lang=lang)


def test_a_page_goes_to_every_channel_in_its_language(bundled_config):
    ales = find_item(all_items(bundled_config), "ales")
    posts = posts_for_item(bundled_config, ales, now=NOW)
    assert [(p.channel_id, p.network, p.language) for p in posts] == [
        ("mastodon-en", "mastodon", "en"),
        ("telegram-ru", "telegram", "ru"),
        ("telegram-be", "telegram", "be"),
    ]
    en, ru, be = posts
    assert en.text.startswith("About Ales Bialiatski\n\n")
    assert ales.url in en.text and en.text.endswith("#FreeAles #Belarus")
    assert ru.text.startswith("<b>Об Алесе Беляцком</b>")
    assert f'<a href="{ales.url}">Читать далее →</a>' in ru.text
    assert "<b>Пра Алеся Бяляцкага</b>" in be.text
    # Buttons from the config, labelled in each channel's language.
    assert ru.buttons == (LinkButton("Подписать обращение", "https://freeales.fidh.net/appeal/"),)
    assert be.buttons == (LinkButton("Падпісаць зварот", "https://freeales.fidh.net/appeal/"),)
    assert en.image_url == ru.image_url == "https://freeales.fidh.net/images/ales-bialiatski.jpg"
    assert (en.image_alt, ru.image_alt) == (
        "Portrait of Ales Bialiatski",
        "Портрет Алеся Беляцкого",
    )
    assert {p.about for p in posts} == {"page:ales"}


def test_a_news_item_uses_its_feed_template_and_channels(bundled_config):
    news = find_item(all_items(bundled_config), "news:freeales-2011-08-arrest")
    m = Messages(bundled_config)
    subject = m.subject_for_item(news)
    assert (subject.kind, subject.about) == ("news", "news:freeales-2011-08-arrest")
    rendered = m.render_post(bundled_config.channels[0], subject, now=NOW)
    assert rendered.template == str(BUNDLED_DIR / "news" / "mastodon.en.j2")
    assert rendered.post.text.startswith("📰 Ales Bialiatski arrested in Minsk")


def test_anniversary_counts_in_the_post_language(bundled_config):
    posts = posts_for_announcement(bundled_config, "arrest-anniversary", now=NOW)
    en, ru, be = (p.text for p in posts)
    assert "14 years since August 4, 2011 (5,114 days)." in en
    assert "14 лет с 4 августа 2011\u202fг. (5\u00a0114 дней)." in ru
    assert "14 гадоў з 4 жніўня 2011\u202fг. (5\u00a0114 дзён)." in be
    assert {p.about for p in posts} == {"announcement:arrest-anniversary"}


@pytest.mark.parametrize(
    ("day", "ru_words"),
    [
        (dt.date(2025, 8, 1), "5\u00a0111 дней"),  # 11: many
        (dt.date(2025, 8, 11), "5\u00a0121 день"),  # ends in 1: one
        (dt.date(2025, 8, 12), "5\u00a0122 дня"),  # ends in 2: few
    ],
)
def test_reminder_plural_forms_follow_the_day(bundled_config, day, ru_words):
    now = dt.datetime.combine(day, dt.time(10), tzinfo=bundled_config.campaign.tz)
    posts = posts_for_announcement(bundled_config, "weekly-day-count", now=now)
    ru = next(p for p in posts if p.language == "ru")
    assert f"<b>{ru_words} с 4 августа 2011\u202fг.</b>\nСвободу Алесю Беляцкому" in ru.text


def test_announcement_without_a_page_is_about_the_campaign(bundled_config):
    ann = AnnouncementConfig(
        id="vigil", template="announcement", channels=["telegram-be"], at=dt.datetime(2025, 9, 1)
    )
    cfg = bundled_config.model_copy(update={"announcements": [ann]})
    (post,) = posts_for_announcement(cfg, ann, now=NOW)
    assert post.channel_id == "telegram-be" and post.about == "announcement:vigil"
    assert "<b>Волю Алесю Бяляцкаму</b>" in post.text
    assert '<a href="https://freeales.fidh.net/">Чытаць далей →</a>' in post.text


def test_preview_ids_resolve_pages_news_and_announcements(bundled_config):
    m = Messages(bundled_config)
    assert m.subject("ales").kind == "page"
    assert m.subject("ales", kind="reminder").kind == "reminder"
    assert m.subject("news:freeales-2011-11-sentence").item.kind == "news"
    ann = m.subject("arrest-anniversary")
    assert (ann.kind, ann.item.id, ann.announcement.id) == (
        "anniversary",
        "ales",
        "arrest-anniversary",
    )
    with pytest.raises(ContentError, match="no page or news item with id 'nope'"):
        m.subject("nope")


def test_unknown_announcement_is_named(bundled_config):
    with pytest.raises(TemplateError, match="no announcement 'nope'; known: arrest-anniversary"):
        posts_for_announcement(bundled_config, "nope", now=NOW)


def test_mastodon_post_carries_cw_language_and_visibility(bundled_config):
    cfg = with_channels(
        bundled_config,
        mastodon(language="fr", visibility="unlisted", content_warning="Prison, répression"),
    )
    page = Item(
        kind="page", id="t", url=URL, title={"fr": "Un titre"}, summary={"fr": "Un résumé."}
    )
    r = render(cfg, page, cfg.channels[0], lang=None)
    assert (r.post.language, r.post.visibility) == ("fr", "unlisted")
    assert r.post.spoiler_text == "Prison, répression"
    assert r.length == mastodon_length(r.post.text, "Prison, répression")
    assert r.limit == 500
    # the same page without French: its English title and summary are what goes out
    r = render(cfg, item(), cfg.channels[0], lang=None)
    assert r.post.language == "en"


def test_long_summary_is_shortened_at_a_word_with_an_ellipsis(bundled_config):
    cfg = with_channels(bundled_config, mastodon(max_characters=200, content_warning="cw " * 10))
    summary = " ".join(f"word{i}" for i in range(200))
    r = render(cfg, item(summary=summary), cfg.channels[0])
    assert r.shortened and r.length <= 200 == r.limit
    body = r.post.text.split("\n\n")[1]
    assert body.endswith("…")
    assert summary.startswith(body[:-1])
    assert summary[len(body) - 1] == " "  # cut where a word ended
    assert URL in r.post.text and r.post.text.endswith("#FreeAles #Belarus")
    # The CW counts: one character more and the text would not fit.
    assert mastodon_length(r.post.text, r.post.spoiler_text) == r.length


def test_title_is_shortened_only_once_the_summary_is_gone(bundled_config):
    cfg = with_channels(bundled_config, mastodon(max_characters=80))
    title = "A very long title " * 10
    r = render(cfg, item(title=title, summary="Some summary that will go."), cfg.channels[0])
    lines = r.post.text.split("\n\n")
    assert lines[0].endswith("…") and "Some summary" not in r.post.text
    assert lines[1:] == [URL, "#FreeAles #Belarus"]
    assert r.length <= 80


def test_what_cannot_fit_is_a_fit_error_naming_channel_and_template(bundled_config):
    cfg = with_channels(bundled_config, mastodon(id="tiny", max_characters=30))
    with pytest.raises(FitError) as exc:
        render(cfg, item(), cfg.channels[0])
    message = str(exc.value)
    assert "tiny" in message and "page/mastodon.en.j2" in message
    assert "over the limit of 30" in message


def test_telegram_caption_limit_applies_only_with_an_image(bundled_config):
    cfg = with_channels(bundled_config, telegram())
    long_summary = "Слово " * 800
    plain = render(cfg, item(summary=long_summary), cfg.channels[0])
    photo = render(
        cfg, item(summary=long_summary, image=Image("https://e.org/i.jpg")), cfg.channels[0]
    )
    assert (plain.limit, photo.limit) == (4096, 1024)
    assert 4000 < plain.length <= 4096 and 1000 < photo.length <= 1024
    assert photo.post.image_url == "https://e.org/i.jpg"
    assert photo.length == telegram_length(photo.post.text)
    # The link survives in full, '&' escaped as HTML needs.
    assert f'<a href="{URL.replace("&", "&amp;")}">' in photo.post.text


def test_telegram_flags_come_from_the_channel(bundled_config):
    ch = telegram(
        silent=True, link_preview=False, buttons=[Button(label="Go", url="https://e.org/")]
    )
    cfg = with_channels(bundled_config, ch)
    post = render(cfg, item(), ch).post
    assert (post.silent, post.link_preview) == (True, False)
    assert post.buttons == (LinkButton("Go", "https://e.org/"),)


def test_share_text_is_plain_and_can_be_fitted(bundled_config):
    it = item(title="Tom & Jerry <b>not bold</b>")
    m = Messages(bundled_config)
    text = m.share_text(it, "en", now=NOW)
    assert text == "Tom & Jerry <b>not bold</b> — Free Ales Bialiatski"
    ru = m.share_text(it, "ru", now=NOW, kind="reminder")
    assert ru == "5\u00a0114 дней с 4 августа 2011\u202fг. — Свободу Алесю Беляцкому"
    fitted = m.share_text(item(title="word " * 40), "en", now=NOW, rule="x_weighted", limit=60)
    assert fitted.endswith("— Free Ales Bialiatski") and "…" in fitted
    assert len(fitted) <= 60


def test_share_texts_for_many_items_are_each_items_share_text(bundled_config):
    m = Messages(bundled_config)
    texts = m.share_texts(NOW)
    odd = item(title="Tom & Jerry <b>not bold</b>")
    for it in [*all_items(bundled_config), odd]:
        for lang in bundled_config.campaign.languages:
            assert texts(it, lang) == m.share_text(it, lang, now=NOW)
    with pytest.raises(TemplateError, match="'de' is not one of the campaign's languages"):
        texts(odd, "de")


# --- organisers' own templates ---------------------------------------------------


def own_templates(cfg: Config, tmp_path: Path, files: dict[str, str]) -> Config:
    for name, text in files.items():
        p = tmp_path / "my-messages" / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    return cfg.model_copy(
        update={"messages_dir": "my-messages", "source": tmp_path / "campaign.yaml"}
    )


def test_organiser_template_overrides_and_reaches_the_default(bundled_config, tmp_path):
    cfg = own_templates(
        bundled_config,
        tmp_path,
        {
            "page/telegram.ru.j2": (
                '{% import "default:_partials/telegram.j2" as tg with context %}'
                "Наше: <i>{{ item.title }}</i> {{ tg.hashtags() }}\n"
            ),
        },
    )
    cfg = with_channels(cfg, telegram(), telegram(id="t-be", language="be"))
    ru = render(cfg, item(), cfg.channels[0])
    assert ru.post.text == "Наше: <i>A title</i> #FreeAles #Belarus"
    assert ru.template == str(tmp_path / "my-messages" / "page" / "telegram.ru.j2")
    be = render(cfg, item(), cfg.channels[1])
    assert be.template == str(BUNDLED_DIR / "page" / "telegram.be.j2")


def test_new_kind_falls_back_to_the_default_language_then_no_language(bundled_config, tmp_path):
    cfg = own_templates(
        bundled_config,
        tmp_path,
        {
            "vigil/mastodon.en.j2": "Vigil: {{ item.title }} {{ item.url }}",
            "vigil/telegram.j2": "Vigil in {{ lang }}: <b>{{ item.title }}</b>",
        },
    )
    cfg = with_channels(cfg, mastodon(language="fr"), telegram(language="be"))
    m = Messages(cfg)
    assert "vigil" in m.kinds()
    fr = render(cfg, item(), cfg.channels[0], kind="vigil")
    assert fr.post.text == f"Vigil: A title {URL}" and fr.post.language == "fr"
    be = render(cfg, item(), cfg.channels[1], kind="vigil")
    assert be.post.text == "Vigil in be: <b>A title</b>"


def test_messages_dir_that_is_not_a_folder(bundled_config, tmp_path):
    cfg = bundled_config.model_copy(
        update={"messages_dir": "missing", "source": tmp_path / "campaign.yaml"}
    )
    with pytest.raises(ConfigError, match=r"messages_dir: .*missing is not a folder"):
        Messages(cfg)


def test_template_files_lists_messages_not_partials(bundled_config):
    names = Messages(bundled_config).template_files()
    assert "news/telegram.ru.j2" in names
    assert not [n for n in names if n.startswith("_")]
    assert len(names) == 5 * 3 * 4


def test_missing_bundled_templates_are_explained(bundled_config, tmp_path):
    with pytest.raises(
        ConfigError, match=r"bundled message templates are missing .*pip install -e"
    ):
        Messages(bundled_config, bundled_dir=tmp_path / "nowhere")


# Mastodon's own mention pattern (Account::MENTION_RE): '@' after start or a
# character that is neither a word character nor '/'.
MASTODON_MENTION = __import__("re").compile(r"(?:^|[^/\w])@(\w+(?:@[\w.-]+\w)?)")


def test_outside_text_never_mentions_anyone_on_mastodon(bundled_config):
    it = item(
        title="Thanks to @alice@example.org",
        summary="@bob and (@carol) spoke; see https://example.org/@dave and mail x@y.org",
    )
    cfg = with_channels(bundled_config, mastodon(), telegram())
    text = render(cfg, it, mastodon()).post.text
    assert MASTODON_MENTION.findall(text) == []
    assert "https://example.org/@dave" in text and "x@y.org" in text  # URLs and mail stay whole
    assert "alice@example.org" in text.replace("\u200b", "")  # still readable
    # Telegram has no mentions that notify from a channel post: its text is untouched.
    assert "@bob" in render(cfg, it, telegram()).post.text


def test_bidi_overrides_are_stripped_from_titles(bundled_config):
    cfg = with_channels(bundled_config, mastodon(), telegram())
    it = item(title="Free \u202eselA\u202c now", summary="a \u2066b\u2069 c")
    for ch in (mastodon(), telegram()):
        text = render(cfg, it, ch).post.text
        assert not any(c in text for c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
        assert "selA" in text


def test_every_channel_gets_its_post_or_its_own_error(bundled_config, tmp_path):
    """render_for_channels: one channel's broken template hides no other channel's post."""
    cfg = own_templates(bundled_config, tmp_path, {"page/telegram.ru.j2": "{{ item.nope }}"})
    m = Messages(cfg)
    subject = m.subject_for_item(find_item(all_items(bundled_config), "ales"))
    late = NOW + dt.timedelta(days=3)
    made = render_for_channels(
        m,
        subject,
        at=lambda ch: late if ch.id == "telegram-be" else NOW,
        limits={"mastodon-en": 200},
    )
    assert [(cp.channel.id, cp.at) for cp in made] == [
        ("mastodon-en", NOW),
        ("telegram-ru", NOW),
        ("telegram-be", late),
    ]
    en, ru, be = made
    assert en.rendered is not None and en.rendered.limit == 200 and en.rendered.shortened
    assert mastodon_length(en.post.text) <= 200
    assert ru.post is None and isinstance(ru.error, TemplateError)
    assert "page/telegram.ru.j2" in str(ru.error) and "nope" in str(ru.error)
    assert be.error is None and "<b>Пра Алеся Бяляцкага</b>" in be.post.text
    only = render_for_channels(m, subject, at=NOW, only={"telegram-be"}, lang="en")
    assert [(cp.channel.id, cp.post.language) for cp in only] == [("telegram-be", "en")]


def test_only_render_for_channels_renders_a_subject_channel_by_channel():
    """Previews, queueing and checks show the same posts because they share one function."""
    package = Path(__file__).resolve().parents[1] / "outreach"
    callers = {
        p.relative_to(package).as_posix()
        for p in package.rglob("*.py")
        if ".render_post(" in p.read_text(encoding="utf-8")
    }
    assert callers == {"channel_posts.py"}

"""Bad input: broken templates, unknown languages and dates, hostile text in titles."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import markupsafe
import pytest

from outreach import telegram_html
from outreach.config import Config
from outreach.content import Item
from outreach.errors import TemplateError
from outreach.messages import Messages
from outreach.networks.mastodon import MastodonChannel
from outreach.networks.telegram import TelegramChannel
from outreach.textlimits import telegram_plain

NOW = dt.datetime(2025, 8, 4, 7, 0, tzinfo=dt.UTC)
URL = "https://freeales.fidh.net/a/?x=1&y=2"
MASTODON = MastodonChannel(id="m", kind="mastodon", instance="https://mastodon.example.org")
TELEGRAM = TelegramChannel(id="t", kind="telegram", chat="@x", language="en")


def page(title: str, summary: str = "") -> Item:
    return Item(kind="page", id="t", url=URL, title={"en": title}, summary={"en": summary})


def organiser(cfg: Config, tmp_path: Path, files: dict[str, str]) -> Config:
    for name, text in files.items():
        p = tmp_path / "own" / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    return cfg.model_copy(
        update={
            "messages_dir": "own",
            "source": tmp_path / "campaign.yaml",
            "channels": [MASTODON, TELEGRAM],
        }
    )


def render(cfg: Config, channel, it: Item | None = None, kind: str = "page", lang=None):
    m = Messages(cfg)
    subject = m.subject_for_item(it or page("Title", "Summary"), kind)
    return m.render_post(channel, subject, now=NOW, lang=lang)


def error_of(cfg: Config, channel, **kw) -> str:
    with pytest.raises(TemplateError) as exc:
        render(cfg, channel, **kw)
    return str(exc.value)


# --- broken templates: the file and line are named ------------------------------------


def test_syntax_error_names_file_and_line(bundled_config, tmp_path):
    cfg = organiser(bundled_config, tmp_path, {"page/mastodon.en.j2": "ok\n{% if item.title %}\n"})
    message = error_of(cfg, MASTODON)
    assert message.startswith(f"{tmp_path / 'own' / 'page' / 'mastodon.en.j2'}:2: ")
    assert "template syntax error" in message and "endif" in message


def test_undefined_variable_is_an_error_not_an_empty_string(bundled_config, tmp_path):
    cfg = organiser(
        bundled_config, tmp_path, {"page/mastodon.en.j2": "{{ item.title }}\n\n{{ item.subtitle }}"}
    )
    message = error_of(cfg, MASTODON)
    assert message.startswith(f"{tmp_path / 'own' / 'page' / 'mastodon.en.j2'}:3: ")
    assert "has no attribute 'subtitle'" in message
    cfg = organiser(bundled_config, tmp_path, {"page/mastodon.en.j2": "{{ organisation }}"})
    assert error_of(cfg, MASTODON).endswith("mastodon.en.j2:1: 'organisation' is undefined")


def test_error_inside_a_partial_names_the_partial(bundled_config, tmp_path):
    cfg = organiser(
        bundled_config,
        tmp_path,
        {
            "_partials/mine.j2": "{% macro sign() %}\n{{ campaign.motto }}\n{% endmacro %}",
            "page/mastodon.en.j2": '{% import "_partials/mine.j2" as mine with context %}{{ mine.sign() }}',
        },
    )
    assert f"{tmp_path / 'own' / '_partials' / 'mine.j2'}:2: " in error_of(cfg, MASTODON)


def test_missing_partial_is_named(bundled_config, tmp_path):
    cfg = organiser(bundled_config, tmp_path, {"page/mastodon.en.j2": '\n{% include "_nope.j2" %}'})
    assert "mastodon.en.j2:2: no template named '_nope.j2'" in error_of(cfg, MASTODON)


def test_sandbox_refuses_python_internals(bundled_config, tmp_path):
    cfg = organiser(
        bundled_config,
        tmp_path,
        {"page/mastodon.en.j2": "{{ item.__class__.__init__.__globals__ }}"},
    )
    message = error_of(cfg, MASTODON)
    assert "mastodon.en.j2:1: " in message and "unsafe" in message


def test_template_cannot_mutate_lists(bundled_config, tmp_path):
    # The immutable sandbox: a template cannot change data it shares with other renders.
    cfg = organiser(
        bundled_config, tmp_path, {"page/mastodon.en.j2": "{% set l = [1] %}\n{{ l.append(2) }}"}
    )
    message = error_of(cfg, MASTODON)
    assert "mastodon.en.j2:2: " in message and "'append' of 'list' object is unsafe" in message


def test_runtime_error_in_a_template_is_located(bundled_config, tmp_path):
    cfg = organiser(bundled_config, tmp_path, {"page/mastodon.en.j2": "a\nb\n{{ 1 // 0 }}"})
    assert error_of(cfg, MASTODON).endswith(
        "mastodon.en.j2:3: ZeroDivisionError: integer division or modulo by zero"
    )


# --- unknown language, kind, date --------------------------------------------------------


def test_unknown_language(bundled_config):
    message = error_of(bundled_config, MASTODON, lang="de")
    assert message == (
        "language 'de' is not one of the campaign's languages (en, ru, be, fr); "
        "add it under campaign.languages"
    )


def test_language_babel_does_not_know(bundled_config):
    campaign = bundled_config.campaign.model_copy(update={"languages": ["en", "zz"]})
    cfg = bundled_config.model_copy(update={"campaign": campaign})
    assert "no locale data for language 'zz'" in error_of(cfg, MASTODON, lang="zz")


def test_unknown_kind_lists_the_known_ones(bundled_config):
    message = error_of(bundled_config, MASTODON, kind="vigil")
    assert "no mastodon template for 'vigil' in 'en'" in message
    assert "vigil/mastodon.en.j2, vigil/mastodon.j2" in message
    assert "known kinds: anniversary, announcement, news, page, reminder" in message


def test_date_in_the_wrong_form_in_a_template(bundled_config, tmp_path):
    cfg = organiser(
        bundled_config,
        tmp_path,
        {"page/mastodon.en.j2": "{{ item.title }}\n{{ clock.days_until('31.12.2025') }} days"},
    )
    message = error_of(cfg, MASTODON)
    assert "mastodon.en.j2:2: " in message
    assert "'31.12.2025' is neither a campaign date (known: arrest, sentence)" in message
    assert "YYYY-MM-DD" in message
    cfg = organiser(bundled_config, tmp_path, {"page/mastodon.en.j2": "{{ '2025-13-01'|date }}"})
    assert "'2025-13-01' is not a real date" in error_of(cfg, MASTODON)


def test_plural_without_the_needed_form_is_located(bundled_config, tmp_path):
    cfg = organiser(
        bundled_config,
        tmp_path,
        {"page/telegram.ru.j2": '{{ 5|plural(one="день", few="дня") }}'},
    )
    channel = TELEGRAM.model_copy(update={"language": "ru"})
    message = error_of(cfg, channel)
    assert "telegram.ru.j2:1: plural(5) in 'ru' needs the 'many' form" in message


# --- Telegram: escaping and the allowed tags ---------------------------------------------


HOSTILE = [
    "<script>alert(1)</script>",
    "</a><a href='javascript:alert(1)'>x",
    "&amp;amp;amp; &lt;b&gt;",
    "Quote \" and ' and & alone",
    "<b>bold?</b> <tg-spoiler>no</tg-spoiler>",
    "{{ 7*7 }} {% raw %}",
]


@pytest.mark.parametrize("title", HOSTILE)
def test_hostile_titles_reach_telegram_as_text(bundled_config, title):
    cfg = bundled_config.model_copy(update={"channels": [TELEGRAM]})
    post = render(cfg, TELEGRAM, page(title, f"summary {title}")).post
    assert telegram_html.problems(post.text) == []
    shown = telegram_plain(post.text)
    # Subscribers see exactly what the title said, nothing turned into markup.
    assert shown.startswith(title + "\n\n" + f"summary {title}")
    assert post.text.startswith(f"<b>{markupsafe.escape(title)}</b>")
    assert f'<a href="{URL.replace("&", "&amp;")}">' in post.text


@pytest.mark.parametrize("title", HOSTILE)
def test_hostile_titles_reach_mastodon_as_typed(bundled_config, title):
    cfg = bundled_config.model_copy(update={"channels": [MASTODON]})
    post = render(cfg, MASTODON, page(title)).post
    # Plain text: Mastodon escapes it itself; escaping here would show '&amp;' to readers.
    assert post.text.startswith(title + "\n\n" + URL)


def test_control_characters_in_titles_are_dropped(bundled_config):
    cfg = bundled_config.model_copy(update={"channels": [TELEGRAM]})
    post = render(cfg, TELEGRAM, page("Free\x00 Ales\x1b\n\nnow", "a\x07b")).post
    assert post.text.startswith("<b>Free Ales now</b>\n\nab\n\n")


def test_telegram_templates_may_not_switch_escaping_off(bundled_config, tmp_path):
    for source in (
        "{{ item.title|safe }}",
        "{% autoescape false %}{{ item.title }}{% endautoescape %}",
        "x\n{% filter safe %}{{ item.title }}{% endfilter %}",
    ):
        cfg = organiser(bundled_config, tmp_path, {"page/telegram.en.j2": source})
        message = error_of(cfg, TELEGRAM)
        assert "telegram.en.j2:" in message and "not allowed in Telegram templates" in message


def test_telegram_template_with_a_tag_telegram_refuses(bundled_config, tmp_path):
    cfg = organiser(
        bundled_config,
        tmp_path,
        {"page/telegram.en.j2": "<p>{{ item.title }}</p><br>\n{{ item.url }}"},
    )
    message = error_of(cfg, TELEGRAM)
    assert "telegram.en.j2: the text is not valid Telegram HTML" in message
    assert "<p> is not a tag Telegram allows" in message


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("<b>x", "<b> is never closed"),
        ("x</i>", "</i> does not close anything"),
        ("<b><i>x</b></i>", "</b> does not close anything (<i> is still open)"),
        ("a & b", "a bare '&'"),
        ("&nbsp;", "a bare '&'"),
        ("a < b", "a bare '<'"),
        ("<div>x</div>", "<div> is not a tag Telegram allows"),
        ('<a href="javascript:alert(1)">x</a>', "is not http(s), tg or mailto"),
        ('<a href="https://e.org" onclick="x">x</a>', "<a> may not have 'onclick'"),
        ('<span class="red">x</span>', 'class="tg-spoiler"'),
        ("<br/>", "no self-closing tags"),
        ("<!-- hidden -->", "comments are not allowed"),
        ("<code><b>x</b></code>", "inside <pre>/<code>"),
    ],
)
def test_telegram_html_check_names_each_problem(text, problem):
    assert any(problem in p for p in telegram_html.problems(text)), telegram_html.problems(text)


@pytest.mark.parametrize(
    "text",
    [
        "<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>i</ins><s>s</s>"
        "<strike>s</strike><del>d</del>",
        '<span class="tg-spoiler">x</span><tg-spoiler>y</tg-spoiler>',
        '<a href="https://e.org/?a=1&amp;b=2">x</a> <a href="tg://user?id=1">u</a>',
        '<pre><code class="language-python">x = 1 &lt; 2</code></pre>',
        "<blockquote>q</blockquote><blockquote expandable>e</blockquote>",
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>',
        "&lt; &gt; &amp; &quot; &#34; &#x1F600;",
        "<b>bold <i>and italic</i></b>",
    ],
)
def test_telegram_html_check_accepts_the_whole_subset(text):
    assert telegram_html.problems(text) == []

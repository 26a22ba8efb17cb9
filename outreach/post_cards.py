"""Posts drawn as their network shows them: the cards of `outreach preview --html` and of the
web console's composer, one drawing for both.

Each channel's outcome (a fitted post, or why there is none) becomes a PreviewRow;
`draw` turns rows into HTML cards. Each network draws its own text
(Network.preview_body: Telegram's checked HTML subset shown as HTML,
Mastodon's plain text escaped with links and hashtags as Mastodon draws them)
and picks one of two layouts (Network.preview_layout: a chat bubble or a
status card). The cards load nothing and need no script or inline style, so
they fit the CLI's self-contained page and the console's Content-Security-Policy;
their stylesheet is CSS, scoped to an element of class "drawn". The few words
on them are English unless the caller passes its own (the console's language).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .networks import network

if TYPE_CHECKING:
    from markupsafe import Markup

    from .channel_posts import ChannelPost
    from .config import Config
    from .messages import Messages, Rendered, Subject

__all__ = ["CSS", "WORDS", "PreviewRow", "draw", "preview_rows", "rows_of", "short_template_name"]


@dataclass(frozen=True)
class PreviewRow:
    """One channel's outcome: a fitted post, or the reason there is none."""

    channel_id: str
    network: str
    language: str
    template: str
    rendered: Rendered | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        r = self.rendered
        return {
            "channel": self.channel_id,
            "network": self.network,
            "language": self.language,
            "template": self.template,
            "ok": r is not None,
            "error": self.error,
            "length": r.length if r else None,
            "limit": r.limit if r else None,
            "shortened": r.shortened if r else None,
            "post": r.post.to_dict() if r else None,
        }


def short_template_name(messages: Messages, filename: str) -> str:
    """'page/telegram.ru.j2' for the bundled file, 'yours: page/telegram.ru.j2' for the organiser's."""
    path = Path(filename)
    for folder in messages.dirs:
        if path.is_relative_to(folder):
            rel = path.relative_to(folder).as_posix()
            return rel if folder == messages.bundled_dir else f"yours: {rel}"
    return filename


def rows_of(
    messages: Messages, posts: Iterable[ChannelPost], lang: str | None = None
) -> list[PreviewRow]:
    """What channel_posts.render_for_channels made, as rows to draw or print."""
    rows = []
    for cp in posts:
        ch, rendered = cp.channel, cp.rendered
        language = lang or ch.language
        if rendered is None:
            rows.append(PreviewRow(ch.id, ch.kind, language, "", error=str(cp.error)))
            continue
        name = short_template_name(messages, rendered.template)
        rows.append(PreviewRow(ch.id, ch.kind, language, name, rendered=rendered))
    return rows


def preview_rows(
    messages: Messages,
    subject: Subject,
    now: dt.datetime,
    lang: str | None,
    limits: Mapping[str, int] | None = None,
) -> list[PreviewRow]:
    """`limits`: each Mastodon instance's reported max_characters, by channel id."""
    from .channel_posts import render_for_channels

    posts = render_for_channels(messages, subject, at=now, limits=limits, lang=lang)
    return rows_of(messages, posts, lang)


WORDS = {
    "shortened": "shortened",
    "length": "{length} of {limit}",
    "image": "image",
    "link_preview": "link preview: Telegram fetches the page's title and image",
    "show_less": "Show less",
    "public": "🌐 Public",
    "unlisted": "🔓 Unlisted",
    "private": "🔒 Followers",
    "direct": "@ Direct",
}
"""The words on the cards, by key; a caller may pass them in its reader's language."""

CSS = """
.drawn .post { min-width: 0; }
.drawn .meta { display: flex; flex-wrap: wrap; gap: 6px 12px; align-items: center;
               font-size: 13px; color: #57606a; margin-bottom: 8px; }
.drawn .meta .ch { color: #1f2328; font-size: 14px; font-weight: 700; margin: 0; }
.drawn meter { flex: 1 0 100%; width: 100%; height: 8px; }
.drawn .badge { padding: 1px 7px; border-radius: 10px; border: 0; margin: 0;
                background: #ddf4ff; color: #0969da; font-size: 13px; font-weight: 400; }
.drawn .badge.warn { background: #fff8c5; color: #7d4e00; }
.drawn .error { background: #ffebe9; border: 1px solid #ff8182; color: #82071e; border-radius: 8px;
                padding: 12px 14px; white-space: pre-wrap; font-size: 14px; overflow-wrap: anywhere; }
/* Telegram */
.drawn .tg-chat { background: #9bb5cf linear-gradient(160deg, #a8c4a2 0%, #8fb3c9 100%);
                  border-radius: 10px; padding: 16px 14px 14px; }
.drawn .tg-bubble { background: #fff; border-radius: 14px 14px 14px 4px; max-width: 440px;
                    overflow: hidden; box-shadow: 0 1px 1px rgba(0,0,0,.15); }
.drawn .tg-name { color: #1f6fae; font-weight: 600; font-size: 14px; padding: 8px 12px 0; }
.drawn .tg-text { padding: 4px 12px 4px; white-space: pre-wrap; font-size: 15px; line-height: 1.35;
                  overflow-wrap: anywhere; }
.drawn .tg-text a { color: #2678b6; text-decoration: none; }
.drawn .tg-text code, .drawn .tg-text pre { font-family: ui-monospace, monospace; color: #c7254e; }
.drawn .tg-text blockquote { margin: 4px 0; padding: 2px 8px; border-left: 3px solid #3a8ed0;
                             background: #eef6fc; border-radius: 4px; }
.drawn .tg-text tg-spoiler { background: #b9c3cc; color: transparent; border-radius: 3px; }
.drawn .tg-foot { text-align: right; color: #5f6b76; font-size: 12px; padding: 0 10px 6px; }
.drawn .tg-preview { margin: 2px 12px 8px; border-left: 3px solid #3a8ed0; padding: 2px 8px;
                     font-size: 13px; color: #1f6fae; background: #eef6fc; border-radius: 4px; }
.drawn .tg-preview small { display: block; color: #57606a; }
.drawn .tg-buttons { display: grid; gap: 4px; margin-top: 4px; max-width: 440px; }
.drawn .tg-button { display: block; background: rgba(30, 55, 75, .7); color: #fff; text-align: center;
                    border-radius: 8px; padding: 9px; font-size: 14px; font-weight: 500;
                    text-decoration: none; position: relative; }
.drawn .tg-button::after { content: "↗"; position: absolute; right: 8px; top: 4px; font-size: 11px; }
.drawn .photo { background: repeating-linear-gradient(45deg, #d5dde4, #d5dde4 10px, #dfe6ec 10px, #dfe6ec 20px);
                aspect-ratio: 16 / 9; display: flex; flex-direction: column; align-items: center;
                justify-content: center; color: #4a5a68; font-size: 13px; text-align: center; padding: 8px;
                overflow-wrap: anywhere; }
.drawn .photo b { font-size: 28px; }
/* Mastodon */
.drawn .toot { background: #fff; border: 1px solid #d9e1e8; border-radius: 8px; padding: 14px 16px;
               max-width: 560px; color: #1f2328; }
.drawn .toot-head { display: flex; gap: 10px; align-items: center; margin-bottom: 10px; }
.drawn .avatar { width: 46px; height: 46px; border-radius: 8px; background: #6364ff; color: #fff;
                 display: flex; align-items: center; justify-content: center; font-weight: 700; }
.drawn .who b { display: block; font-size: 15px; }
.drawn .who span { color: #606984; font-size: 14px; }
.drawn .when { margin-left: auto; color: #606984; font-size: 13px; text-align: right; }
.drawn .toot-text { font-size: 15px; line-height: 1.45; overflow-wrap: anywhere; }
.drawn .toot-text p { margin: 0 0 12px; }
.drawn .toot-text a { color: #563acc; text-decoration: none; }
.drawn .cw { margin: 0 0 10px; font-size: 15px; }
.drawn .cw summary { list-style: none; cursor: pointer; margin-bottom: 12px; color: #1f2328;
                     min-height: 0; line-height: 1.45; }
.drawn .cw summary::after { content: attr(data-less); margin-left: 8px; font-size: 12px; font-weight: 600;
                            background: #d9e1e8; padding: 2px 8px; border-radius: 4px; color: #282c37; }
.drawn .toot .photo { border-radius: 8px; margin-bottom: 10px; position: relative; }
.drawn .alt { position: absolute; left: 8px; bottom: 8px; background: rgba(0,0,0,.65); color: #fff;
              font-size: 11px; font-weight: 700; padding: 2px 5px; border-radius: 4px; }
.drawn .toot-foot { display: flex; gap: 26px; color: #606984; font-size: 15px;
                    border-top: 1px solid #eef1f4; padding-top: 8px; }
.drawn .raw { font-family: ui-monospace, monospace; color: #82071e; }
"""
"""The cards' stylesheet: every rule under .drawn, so a page's own classes are left alone."""

CARDS = """
{% for row in rows %}
<section class="post" id="post-{{ row.channel_id }}" aria-labelledby="post-{{ row.channel_id }}-h">
  <div class="meta">
    <h{{ level }} class="ch" id="post-{{ row.channel_id }}-h">{{ row.channel_id }}</h{{ level }}>
    <span>{{ row.network|capitalize }} · {{ row.language }}</span>
    {% if row.template %}<span>{{ row.template }}</span>{% endif %}
    {% if row.rendered %}
      {% set r = row.rendered %}
      <span class="badge{{ ' warn' if r.shortened }}">{{ number(r.length) }} / {{ number(r.limit) }}{{ (' · ' ~ w.shortened) if r.shortened }}</span>
      <meter min="0" max="{{ r.limit }}" high="{{ (0.9 * r.limit)|round(0, 'floor')|int }}" value="{{ [r.length, r.limit]|min }}" aria-label="{{ w.length.format(length=number(r.length), limit=number(r.limit)) }}"></meter>
    {% endif %}
  </div>
  {% if not row.rendered %}
  <div class="error">{{ row.error }}</div>
  {% elif layouts[row.channel_id] == "chat" %}
  {% set p = row.rendered.post %}
  <div class="tg-chat">
    <div class="tg-bubble" lang="{{ p.language }}">
      {% if p.image_url %}<div class="photo"><b aria-hidden="true">🖼</b>{{ p.image_alt or w.image }}<small>{{ p.image_url }}</small></div>{% endif %}
      <div class="tg-name">{{ channel_names[row.channel_id] }}</div>
      <div class="tg-text">{{ body(p) }}</div>
      {% if p.link_preview and not p.image_url and links[row.channel_id] %}
      <div class="tg-preview">{{ links[row.channel_id] }}<small>{{ w.link_preview }}</small></div>
      {% endif %}
      <div class="tg-foot">{{ "🔕 " if p.silent }}{{ time }}</div>
    </div>
    {% if p.buttons %}
    <div class="tg-buttons">
      {% for b in p.buttons %}<a class="tg-button" href="{{ b.url }}" title="{{ b.url }}" rel="noopener noreferrer">{{ b.text }}</a>{% endfor %}
    </div>
    {% endif %}
  </div>
  {% else %}
  {% set p = row.rendered.post %}
  <article class="toot" lang="{{ p.language }}">
    <div class="toot-head">
      <div class="avatar" aria-hidden="true">{{ row.channel_id[:1]|upper }}</div>
      <div class="who"><b>{{ row.channel_id }}</b><span>{{ channel_names[row.channel_id] }}</span></div>
      <div class="when">{{ w[p.visibility] }} · {{ p.language }}<br>{{ time }}</div>
    </div>
    {% if p.spoiler_text %}
    <details class="cw" open><summary data-less="{{ w.show_less }}">{{ p.spoiler_text }}</summary>
    {% endif %}
    <div class="toot-text">{{ body(p) }}</div>
    {% if p.image_url %}<div class="photo" title="{{ p.image_alt }}"><b aria-hidden="true">🖼</b>{{ p.image_url }}<span class="alt">ALT</span></div>{% endif %}
    {% if p.spoiler_text %}</details>{% endif %}
    <div class="toot-foot" aria-hidden="true"><span>↩</span><span>⇄</span><span>☆</span><span>🔖</span></div>
  </article>
  {% endif %}
</section>
{% endfor %}
"""


def _channel_name(cfg: Config, channel_id: str) -> str:
    ch = cfg.channel(channel_id)
    return channel_id if ch is None else network(ch.kind).display_name(ch)


def _first_link(text: str) -> str:
    m = re.search(r'href="(https?://[^"]+)"', text)
    return (urlsplit(m.group(1)).hostname or "") if m else ""


_ENV: Any = None


def draw(
    cfg: Config,
    rows: list[PreviewRow],
    now: dt.datetime,
    *,
    words: Mapping[str, str] | None = None,
    level: int = 2,
) -> Markup:
    """The cards of `rows`, as of `now` (their clock), headed at <h`level`>; put them inside an
    element of class "drawn" on a page that has CSS. Lengths and limits are written in the
    campaign's default language's digits ("4 096"), as every figure told to organisers is
    (fit_words.number), so a card and its error say one number alike."""
    from .fit_words import number

    global _ENV
    from jinja2 import Environment
    from markupsafe import Markup

    if _ENV is None:  # one compiled template for the process: the console draws per keystroke
        _ENV = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
        _ENV.cards = _ENV.from_string(CARDS)
    local = now.astimezone(cfg.campaign.tz)
    html = _ENV.cards.render(
        rows=rows,
        level=level,
        w={**WORDS, **(words or {})},
        number=lambda n: number(n, cfg.campaign.default_language),
        time=f"{local:%H:%M}",
        channel_names={row.channel_id: _channel_name(cfg, row.channel_id) for row in rows},
        links={
            row.channel_id: _first_link(row.rendered.post.text) if row.rendered else ""
            for row in rows
        },
        layouts={row.channel_id: network(row.network).preview_layout for row in rows},
        body=lambda post: network(post.network).preview_body(post.text),
    )
    return Markup(html)

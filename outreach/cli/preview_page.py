"""The `preview --html` page: each post drawn the way its network will show it.

One self-contained file: no script, no font, no image fetched (a Content
Security Policy says so), so opening it tells nobody what is being prepared.
Each network draws its own text (Network.preview_body: Telegram's checked HTML
subset shown as HTML, Mastodon's plain text escaped with links and hashtags as
Mastodon draws them) and picks one of the page's two layouts
(Network.preview_layout: a chat bubble or a status card).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ..networks import network

if TYPE_CHECKING:
    from ..config import Config
    from ..messages import Subject
    from .message_cmds import PreviewRow

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<base target="_blank">
<title>Preview: {{ subject.about }}</title>
<style>
  :root { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
  body { margin: 0; background: #eef1f4; color: #1f2328; }
  header { padding: 18px 28px; background: #fff; border-bottom: 1px solid #d8dee4; }
  header h1 { margin: 0 0 4px; font-size: 20px; }
  header p { margin: 0; color: #57606a; font-size: 14px; }
  main { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 470px), 1fr));
         gap: 24px; padding: 24px 28px; align-items: start; }
  /* A phone: one column, the page's width (470 px columns overflowed to 498 at 390). */
  @media (max-width: 520px) { header { padding: 14px 12px; } main { padding: 16px 10px; gap: 16px; } }
  .post { min-width: 0; }
  .meta { display: flex; flex-wrap: wrap; gap: 6px 12px; align-items: center;
          font-size: 13px; color: #57606a; margin-bottom: 8px; }
  .meta b { color: #1f2328; font-size: 14px; }
  .meter { flex: 1 0 100%; height: 6px; background: #d8dee4; border-radius: 3px; overflow: hidden; }
  .meter span { display: block; height: 100%; background: #2da44e; }
  .meter.close span { background: #bf8700; }
  .badge { padding: 1px 7px; border-radius: 10px; background: #ddf4ff; color: #0969da; }
  .badge.warn { background: #fff8c5; color: #7d4e00; }
  .error { background: #ffebe9; border: 1px solid #ff8182; color: #82071e; border-radius: 8px;
           padding: 12px 14px; white-space: pre-wrap; font-size: 14px; }
  /* Telegram */
  .tg-chat { background: #9bb5cf linear-gradient(160deg, #a8c4a2 0%, #8fb3c9 100%);
             border-radius: 10px; padding: 16px 14px 14px; }
  .tg-bubble { background: #fff; border-radius: 14px 14px 14px 4px; max-width: 440px;
               overflow: hidden; box-shadow: 0 1px 1px rgba(0,0,0,.15); }
  .tg-name { color: #1f6fae; font-weight: 600; font-size: 14px; padding: 8px 12px 0; }
  .tg-text { padding: 4px 12px 4px; white-space: pre-wrap; font-size: 15px; line-height: 1.35;
             overflow-wrap: anywhere; }
  .tg-text a { color: #2678b6; text-decoration: none; }
  .tg-text code, .tg-text pre { font-family: ui-monospace, monospace; color: #c7254e; }
  .tg-text blockquote { margin: 4px 0; padding: 2px 8px; border-left: 3px solid #3a8ed0;
                        background: #eef6fc; border-radius: 4px; }
  .tg-text tg-spoiler { background: #b9c3cc; color: transparent; border-radius: 3px; }
  .tg-foot { text-align: right; color: #5f6b76; font-size: 12px; padding: 0 10px 6px; }
  .tg-preview { margin: 2px 12px 8px; border-left: 3px solid #3a8ed0; padding: 2px 8px;
                font-size: 13px; color: #1f6fae; background: #eef6fc; border-radius: 4px; }
  .tg-preview small { display: block; color: #57606a; }
  .tg-buttons { display: grid; gap: 4px; margin-top: 4px; max-width: 440px; }
  .tg-button { display: block; background: rgba(30, 55, 75, .7); color: #fff; text-align: center;
               border-radius: 8px; padding: 9px; font-size: 14px; font-weight: 500;
               text-decoration: none; position: relative; }
  .tg-button::after { content: "↗"; position: absolute; right: 8px; top: 4px; font-size: 11px; }
  .photo { background: repeating-linear-gradient(45deg, #d5dde4, #d5dde4 10px, #dfe6ec 10px, #dfe6ec 20px);
           aspect-ratio: 16 / 9; display: flex; flex-direction: column; align-items: center;
           justify-content: center; color: #4a5a68; font-size: 13px; text-align: center; padding: 8px; }
  .photo b { font-size: 28px; }
  /* Mastodon */
  .toot { background: #fff; border: 1px solid #d9e1e8; border-radius: 8px; padding: 14px 16px;
          max-width: 560px; }
  .toot-head { display: flex; gap: 10px; align-items: center; margin-bottom: 10px; }
  .avatar { width: 46px; height: 46px; border-radius: 8px; background: #6364ff; color: #fff;
            display: flex; align-items: center; justify-content: center; font-weight: 700; }
  .who b { display: block; font-size: 15px; }
  .who span { color: #606984; font-size: 14px; }
  .when { margin-left: auto; color: #606984; font-size: 13px; text-align: right; }
  .toot-text { font-size: 15px; line-height: 1.45; overflow-wrap: anywhere; }
  .toot-text p { margin: 0 0 12px; }
  .toot-text a { color: #563acc; text-decoration: none; }
  .cw { margin: 0 0 10px; font-size: 15px; }
  .cw summary { list-style: none; cursor: pointer; margin-bottom: 12px; }
  .cw summary::after { content: "Show less"; margin-left: 8px; font-size: 12px; font-weight: 600;
                       background: #d9e1e8; padding: 2px 8px; border-radius: 4px; color: #282c37; }
  .toot .photo { border-radius: 8px; margin-bottom: 10px; position: relative; }
  .alt { position: absolute; left: 8px; bottom: 8px; background: rgba(0,0,0,.65); color: #fff;
         font-size: 11px; font-weight: 700; padding: 2px 5px; border-radius: 4px; }
  .toot-foot { display: flex; gap: 26px; color: #606984; font-size: 15px; border-top: 1px solid #eef1f4;
               padding-top: 8px; }
  .raw { font-family: ui-monospace, monospace; color: #82071e; }
</style>
</head>
<body>
<header>
  <h1>{{ subject.about }} · {{ subject.kind }}</h1>
  <p>As of {{ at }}. Nothing has been sent: this is what each channel would receive.
     Links here open outside; nothing on this page loads from the network.</p>
</header>
<main>
{% for row in rows %}
<section class="post">
  <div class="meta">
    <b>{{ row.channel_id }}</b>
    <span>{{ row.network|capitalize }} · {{ row.language }}</span>
    {% if row.template %}<span>{{ row.template }}</span>{% endif %}
    {% if row.rendered %}
      {% set r = row.rendered %}
      <span class="badge{{ ' warn' if r.shortened }}">{{ r.length }} / {{ r.limit }}{{ ' · shortened' if r.shortened }}</span>
      <div class="meter{{ ' close' if r.length > 0.9 * r.limit }}"><span style="width: {{ (100 * r.length / r.limit)|round(1) }}%"></span></div>
    {% endif %}
  </div>
  {% if not row.rendered %}
  <div class="error">{{ row.error }}</div>
  {% elif layouts[row.channel_id] == "chat" %}
  {% set p = row.rendered.post %}
  <div class="tg-chat">
    <div class="tg-bubble">
      {% if p.image_url %}<div class="photo"><b>🖼</b>{{ p.image_alt or "image" }}<small>{{ p.image_url }}</small></div>{% endif %}
      <div class="tg-name">{{ channel_names[row.channel_id] }}</div>
      <div class="tg-text">{{ body(p) }}</div>
      {% if p.link_preview and not p.image_url and links[row.channel_id] %}
      <div class="tg-preview">{{ links[row.channel_id] }}<small>link preview: Telegram fetches the page's title and image</small></div>
      {% endif %}
      <div class="tg-foot">{{ "🔕 " if p.silent }}{{ time }}</div>
    </div>
    {% if p.buttons %}
    <div class="tg-buttons">
      {% for b in p.buttons %}<a class="tg-button" href="{{ b.url }}" title="{{ b.url }}">{{ b.text }}</a>{% endfor %}
    </div>
    {% endif %}
  </div>
  {% else %}
  {% set p = row.rendered.post %}
  <article class="toot" lang="{{ p.language }}">
    <div class="toot-head">
      <div class="avatar">{{ row.channel_id[:1]|upper }}</div>
      <div class="who"><b>{{ row.channel_id }}</b><span>{{ channel_names[row.channel_id] }}</span></div>
      <div class="when">{{ visibility[p.visibility] }} · {{ p.language }}<br>{{ time }}</div>
    </div>
    {% if p.spoiler_text %}
    <details class="cw" open><summary>{{ p.spoiler_text }}</summary>
    {% endif %}
    <div class="toot-text">{{ body(p) }}</div>
    {% if p.image_url %}<div class="photo" title="{{ p.image_alt }}"><b>🖼</b>{{ p.image_url }}<span class="alt">ALT</span></div>{% endif %}
    {% if p.spoiler_text %}</details>{% endif %}
    <div class="toot-foot"><span>↩</span><span>⇄</span><span>☆</span><span>🔖</span></div>
  </article>
  {% endif %}
</section>
{% endfor %}
</main>
</body>
</html>
"""

VISIBILITY = {
    "public": "🌐 Public",
    "unlisted": "🔓 Unlisted",
    "private": "🔒 Followers",
    "direct": "@ Direct",
}


def _channel_name(cfg: Config, channel_id: str) -> str:
    ch = cfg.channel(channel_id)
    return channel_id if ch is None else network(ch.kind).display_name(ch)


def _first_link(text: str) -> str:
    m = re.search(r'href="(https?://[^"]+)"', text)
    return (urlsplit(m.group(1)).hostname or "") if m else ""


def render_page(cfg: Config, subject: Subject, now: dt.datetime, rows: list[PreviewRow]) -> str:
    from jinja2 import Environment

    env = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    local = now.astimezone(cfg.campaign.tz)
    return env.from_string(PAGE).render(
        subject=subject,
        rows=rows,
        at=f"{local:%Y-%m-%d %H:%M} ({cfg.campaign.timezone})",
        time=f"{local:%H:%M}",
        channel_names={row.channel_id: _channel_name(cfg, row.channel_id) for row in rows},
        links={
            row.channel_id: _first_link(row.rendered.post.text) if row.rendered else ""
            for row in rows
        },
        layouts={row.channel_id: network(row.network).preview_layout for row in rows},
        visibility=VISIBILITY,
        body=lambda post: network(post.network).preview_body(post.text),
    )

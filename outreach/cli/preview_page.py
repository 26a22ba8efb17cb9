"""The `preview --html` page: each post drawn the way its network will show it.

One self-contained file: no script, no font, no image fetched (a Content
Security Policy says so), so opening it tells nobody what is being prepared.
The posts are drawn by outreach.post_cards, as the web console's composer
draws them; this page only lays them out and inlines their stylesheet.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from ..post_cards import CSS, draw

if TYPE_CHECKING:
    from ..config import Config
    from ..messages import Subject
    from ..post_cards import PreviewRow

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
{{ cards_css }}
</style>
</head>
<body>
<header>
  <h1>{{ subject.about }} · {{ subject.kind }}</h1>
  <p>As of {{ at }}. Nothing has been sent: this is what each channel would receive.
     Links here open outside; nothing on this page loads from the network.</p>
</header>
<main class="drawn">
{{ cards }}
</main>
</body>
</html>
"""


def render_page(cfg: Config, subject: Subject, now: dt.datetime, rows: list[PreviewRow]) -> str:
    from jinja2 import Environment
    from markupsafe import Markup

    env = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    local = now.astimezone(cfg.campaign.tz)
    return env.from_string(PAGE).render(
        subject=subject,
        at=f"{local:%Y-%m-%d %H:%M} ({cfg.campaign.timezone})",
        cards_css=Markup(CSS),  # ours, not escaped: inside <style> an entity stays as typed
        cards=draw(cfg, rows, now),
    )

"""Open Graph (and X card) meta tags for a page or news item, so a shared link shows a card.

Networks that draw a preview card (Facebook, Telegram, Mastodon, Bluesky,
LinkedIn, X, VK...) read the shared page's own <meta property="og:..."> tags;
the share link cannot carry them. `outreach buttons` writes them per item and
language (meta/<id>.<lang>.html, for the CMS's <head>) or prints them for one
item (--meta ID).
"""

from __future__ import annotations

import html

from ..config import Config
from ..content import Item, untracked
from ..fitting import cut_points

DESCRIPTION_LIMIT = 300
"""Facebook shows about 300 characters of og:description; longer is cut at a word."""

LOCALES = {"be": "be_BY", "ru": "ru_RU", "en": "en_GB", "fr": "fr_FR", "uk": "uk_UA", "pl": "pl_PL"}


def _locale(lang: str) -> str:
    return LOCALES.get(lang, lang)


def _short(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return next((form for form in cut_points(text) if len(form) <= limit), "")


def meta_tags(cfg: Config, item: Item, lang: str) -> str:
    """The <meta> lines for `item` in `lang`, escaped, one per line."""
    camp = cfg.campaign
    fallback = camp.default_language
    title = item.title_in(lang, fallback)
    description = _short(item.summary_in(lang, fallback), DESCRIPTION_LIMIT)
    site = camp.name.get(lang) or camp.name.get(fallback) or next(iter(camp.name.values()), "")
    tags: list[tuple[str, str, str]] = [
        ("property", "og:type", "article" if item.kind == "news" else "website"),
        ("property", "og:url", untracked(item.url)),
        ("property", "og:title", title),
    ]
    if description:
        tags.append(("property", "og:description", description))
    tags += [("property", "og:site_name", site), ("property", "og:locale", _locale(lang))]
    tags += [
        ("property", "og:locale:alternate", _locale(other))
        for other in camp.languages
        if other != lang
    ]
    image = item.image
    if image is not None and image.url.lower().startswith(("https://", "http://")):
        tags.append(("property", "og:image", image.url))
        alt = item.alt_in(lang, fallback)
        if alt:
            tags.append(("property", "og:image:alt", alt))
    if item.kind == "news" and item.published is not None:
        tags.append(("property", "article:published_time", item.published.isoformat()))
    card = "summary_large_image" if image is not None else "summary"
    tags.append(("name", "twitter:card", card))
    # html.escape rather than markupsafe's Markup.format: a fifth of an export's time.
    return "".join(
        f'<meta {attr}="{key}" content="{html.escape(value, quote=True)}">\n'
        for attr, key, value in tags
    )

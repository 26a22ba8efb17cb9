"""The first-party embed: one script that builds the share bar for the page it is on.

For a site with hundreds of CMS pages: the page carries one element and one
script from the campaign's own site (the export's assets/embed.js), and the
script builds the bar from the element's data- attributes or the page's own
metadata (canonical link, og:title, <html lang>). The script holds, as data
made here, everything the static bars are made from (the offered networks'
templates, limits and counting rules, labels, icons, the campaign's notes and
hashtags), so the links are the static bars' links: same templates, same
percent-encoding, same tracking-parameter removal, mirror and UTM rules.

Counting for fitting is done in the browser: code points, grapheme clusters
(Intl.Segmenter), Mastodon's (URLs as 23) and X's weights (URLs 23, most
non-Latin code points 2, which counts an emoji sequence at least as high as
twitter-text does). A text within its limit is never shortened, as here; a
text that must be shortened is cut at the same word boundaries, and may be cut
a word earlier than the static bar would, never later.

The script makes no request at all (the stylesheet is the one <link> it adds,
from the same folder), sets no cookie and stores nothing.
"""

from __future__ import annotations

from typing import Any

from ..config import Config
from .targets import Network

STRING_KEYS = (
    "bar_label",
    "copied",
    "copy_failed",
    "e2e",
    "ru_jurisdiction",
    "app_only",
    "more",
    "more_sr",
    "ru_badge",
    "new_tab",
)


def embed_config(
    cfg: Config,
    networks: list[Network],
    picker_url: str,
    strings: dict[str, dict[str, str]],
    notes: dict[str, str],
) -> dict[str, Any]:
    """The data embed.js builds bars from (JSON in the script)."""
    camp = cfg.campaign
    settings = cfg.share
    return {
        "languages": list(camp.languages),
        "default": camp.default_language,
        "hashtags": list(camp.hashtags),
        "base_url": camp.base_url,
        "mirror_url": camp.mirror_url if settings.use_mirror else None,
        "utm": (
            {
                "utm_source": settings.utm.source,
                "utm_medium": settings.utm.medium,
                "utm_campaign": settings.utm.campaign,
            }
            if settings.utm.enabled
            else None
        ),
        "picker": picker_url,
        "bar": settings.bar.model_dump(),
        "networks": [
            {
                "id": n.id,
                "label": n.label,
                "kind": n.kind,
                "status": n.status,
                "url": n.url,
                "params": {
                    name: {
                        "value": p.value,
                        "encode": p.encode,
                        "fit": p.fit.model_dump() if p.fit else None,
                    }
                    for name, p in n.params.items()
                },
                "e2e": n.e2e,
                "jurisdiction": n.jurisdiction,
                "icon": n.icon,
            }
            for n in networks
        ],
        "strings": {lang: {k: s[k] for k in STRING_KEYS} for lang, s in strings.items()},
        "notes": notes,
    }

"""Share links: one share URL per network for a page or news item, its text fitted.

Which networks exist and which a campaign offers is outreach/share/targets.py.
Here each network's link is built: every URL parameter is made from a small
template, fitted to the network's counted limit by shortening only the title
or summary (never the page URL), then percent-encoded on its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import grapheme

from ..config import Config, Utm
from ..content import Item, untracked
from ..errors import FitError, ShareError
from ..fitting import ELLIPSIS, fit
from ..textlimits import count, upper_bound
from .targets import Fit, Network, Param

__all__ = [
    "DEFAULT_PICKER",
    "ShareLink",
    "ShareOptions",
    "build_link",
    "item_fields",
    "item_for_url",
    "links_for",
    "shared_url",
]

DEFAULT_PICKER = "/share/fediverse.html"


@dataclass(frozen=True)
class ShareOptions:
    lang: str
    fallback: str = "en"
    mirror_url: str | None = None
    """Share the mirror instead of the main domain: base_url is swapped for it."""
    base_url: str | None = None
    utm: Utm | None = None
    """UTM tags to add; None (the default) adds none."""
    picker_url: str = DEFAULT_PICKER
    hashtags: tuple[str, ...] = ()

    @classmethod
    def from_config(cls, cfg: Config, lang: str | None = None, **overrides: Any) -> ShareOptions:
        camp = cfg.campaign
        opts: dict[str, Any] = dict(
            lang=lang or camp.default_language,
            fallback=camp.default_language,
            mirror_url=camp.mirror_url if cfg.share.use_mirror else None,
            base_url=camp.base_url,
            utm=cfg.share.utm if cfg.share.utm.enabled else None,
            hashtags=tuple(camp.hashtags),
        )
        opts.update(overrides)
        return cls(**opts)


@dataclass(frozen=True)
class ShareLink:
    network: str
    label: str
    kind: str
    status: str
    href: str
    """What the button opens: the share URL, or the page URL for copy and native share."""
    page_url: str
    """The page URL as shared (mirror and UTM applied)."""
    params: dict[str, str]
    """Each URL parameter's value exactly as sent, before percent-encoding."""
    e2e: bool = False
    jurisdiction: str | None = None

    def to_dict(self) -> dict[str, Any]:
        # Shallow: asdict() deep-copies every value, and exports make 17 of these per bar.
        return {**vars(self), "params": dict(self.params)}


def _on_site(url: str, base: str) -> str | None:
    """The rest of `url` after the campaign's `base`, or None when it is another site."""
    base = base.rstrip("/")
    if url == base or url.startswith(base + "/"):
        return url[len(base) :]
    return None


def shared_url(page_url: str, network_id: str, opts: ShareOptions) -> str:
    url = untracked(page_url)
    rest = _on_site(url, opts.base_url) if opts.mirror_url and opts.base_url else None
    if opts.mirror_url and rest is not None:
        url = opts.mirror_url.rstrip("/") + "/" + rest.lstrip("/")
    if opts.utm is not None:
        parts = urlsplit(url)
        tags = {
            "utm_source": opts.utm.source,
            "utm_medium": opts.utm.medium,
            "utm_campaign": opts.utm.campaign,
            "utm_content": network_id,
        }
        extra = urlencode({k: v for k, v in tags.items() if v})
        query = f"{parts.query}&{extra}" if parts.query else extra
        url = urlunsplit(parts._replace(query=query))
    return url


def item_fields(
    item: Item, page_url: str, opts: ShareOptions, share_text: str | None = None
) -> dict[str, str]:
    """The fields a network's parameter templates may use.

    `share_text` is the organisers' words for a reader's post (the `share`
    message template, rendered by the caller: this layer knows no templates);
    the title stands in for it when there is none.
    """
    title = item.title_in(opts.lang, opts.fallback)
    return {
        "url": page_url,
        "title": title,
        "share_text": share_text if share_text else title,
        "summary": item.summary_in(opts.lang, opts.fallback),
        "hashtags": " ".join(f"#{t}" for t in opts.hashtags),
        "hashtags_csv": ",".join(opts.hashtags),
        # A local path or another scheme (javascript:, data:) is no image to share.
        "image": item.image.url if item.image and _is_http(item.image.url) else "",
    }


def _is_http(url: str) -> bool:
    return re.match(r"^https?://[^\s/?#]+", url, re.I) is not None


def _as_sent(value: str, how: str) -> str:
    if how == "mailto":  # RFC 6068: line breaks in a body are CRLF
        value = value.replace("\r\n", "\n").replace("\n", "\r\n")
    return value.strip()


def _cap(part: str, limit: int) -> str:
    # No counting rule gives a grapheme less than 1 (URLs aside), so more than `limit`
    # graphemes can never be needed; capping first keeps fitting fast on a 10 kB text.
    if len(part) <= limit or grapheme.length(part) <= limit:  # code points first: cheap
        return part
    return grapheme.slice(part, 0, max(limit - 1, 0)) + ELLIPSIS


_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_PERCENT = {byte: f"%{byte:02X}" for byte in range(256) if byte not in _UNRESERVED}
"""Each byte but A-Z a-z 0-9 - . _ ~ as %XX, for str.translate over the UTF-8 bytes."""


@lru_cache(maxsize=256)
def _encoded(value: str) -> str:
    # Every byte but A-Z a-z 0-9 - . _ ~ is escaped, so nothing in a value can end or
    # split its parameter; spaces are %20, which every network decodes (unlike '+').
    # What quote(value, safe="") gives, by one str.translate over the UTF-8 bytes (read
    # as Latin-1, one character per byte) instead of quote's Python call per byte: a
    # Cyrillic title is all escapes. Cached: an item's URL and title recur in its links.
    return value.encode("utf-8").decode("latin-1").translate(_PERCENT)


def build_link(
    net: Network,
    item: Item,
    opts: ShareOptions,
    fields: Mapping[str, str] | None = None,
    share_text: str | None = None,
) -> ShareLink:
    """One network's share link for an item. Raises ShareError for a retired network.

    `fields` are item_fields() already made for this item, when no UTM tag makes
    the page URL differ from one network to the next.
    """
    if not net.offerable:
        raise ShareError(
            f"{net.id!r} is retired and has no share link: "
            f"{net.retired.reason if net.retired else ''}"
        )
    if fields is None or opts.utm is not None:
        fields = item_fields(item, shared_url(item.url, net.id, opts), opts, share_text)
    page_url = fields["url"]
    values: dict[str, str] = {}
    for name, p in net.params.items():
        if p.fit is None:
            values[name] = _as_sent(p.value.format_map(fields), p.encode)
    for name, p in net.params.items():
        if p.fit is not None:
            values[name] = _fit_param(net, name, p, p.fit, fields, values)
    if net.kind in ("copy", "native"):
        href = page_url
        values = {"url": page_url, "title": fields["title"]}
    else:
        assert net.url is not None
        encoded = {n: _encoded(v) for n, v in values.items()}
        href = net.url.format_map({**encoded, "picker": opts.picker_url})
    return ShareLink(
        network=net.id,
        label=net.label_in(opts.lang, opts.fallback),
        kind=net.kind,
        status=net.status,
        href=href,
        page_url=page_url,
        params=values,
        e2e=net.e2e,
        jurisdiction=net.jurisdiction,
    )


def _fit_param(
    net: Network,
    name: str,
    p: Param,
    spec: Fit,
    fields: Mapping[str, str],
    values: Mapping[str, str],
) -> str:
    part = _cap(fields[spec.shorten], spec.limit)
    whole = fields[spec.shorten] == part
    full = _as_sent(
        p.value.format_map(fields if whole else {**fields, spec.shorten: part}), p.encode
    )
    # Most texts are far inside their limit; a cheap bound spares them the exact count.
    if upper_bound(spec.counted.format_map({**values, "value": full}), spec.count) <= spec.limit:
        return full

    def render(part: str) -> str:
        return _as_sent(p.value.format_map({**fields, spec.shorten: part}), p.encode)

    def measure(text: str) -> int:
        return count(spec.counted.format_map({**values, "value": text}), spec.count)

    try:
        return fit(render, part, measure, spec.limit, what=f"the {net.id} {name!r} text")
    except FitError as exc:
        raise FitError(f"{net.id}: {exc}") from None


def links_for(
    item: Item, networks: Iterable[Network], opts: ShareOptions, share_text: str | None = None
) -> list[ShareLink]:
    # Without UTM tags every network shares the same page URL: its fields are made once.
    fields = (
        None
        if opts.utm is not None
        else item_fields(item, shared_url(item.url, "", opts), opts, share_text)
    )
    return [build_link(net, item, opts, fields, share_text) for net in networks]


def item_for_url(url: str, title: str = "", text: str = "") -> Item:
    """An ad-hoc item for `outreach share URL --title --text`."""
    if not re.match(r"^https?://[^\s/]+", url):
        raise ShareError(f"{url!r} is not an http(s) URL, nor a page or news id")
    return Item(kind="page", id="url", url=url, title={"*": title or text}, summary={"*": text})

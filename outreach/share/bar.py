"""Share bars and the pages around them, rendered from templates/ (Jinja2, autoescaped).

One bar per page and language (its links, buttons, notes and hints), the
demo pages, the fediverse picker, the CSS and embed.js. Which files an export
writes, and how, is exporter.py; a bar's HTML is made once per language and
filled in per page (skeleton.py).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..config import Config
from ..content import Item
from ..resources import share_templates
from ..yamlfile import parse_yaml
from .embed import embed_config
from .links import DEFAULT_PICKER, ShareLink, ShareOptions, links_for
from .picker import picker_context
from .skeleton import Skeleton
from .targets import Network

ShareText = Callable[[Item, str], str]
"""(item, language) -> the text a reader's post carries, before fitting."""

TEMPLATES = share_templates()

# No request can leave for another site: every fetch must be same-origin.
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "base-uri 'none'; form-action 'none'"
)


def _env():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


@functools.cache
def _strings() -> dict[str, dict[str, str]]:
    return parse_yaml(
        (TEMPLATES / "strings.yaml").read_text(encoding="utf-8"), TEMPLATES / "strings.yaml"
    ).data


def ui_strings(lang: str, fallback: str = "en") -> dict[str, str]:
    """The share bar's own words in `lang` (English where a word is missing)."""
    table = _strings()
    return {**table["en"], **table.get(fallback, {}), **table.get(lang, {})}


def slug(item_id: str) -> str:
    return re.sub(r"[^a-z0-9_-]+", "--", item_id.lower()).strip("-") or "item"


def picker_href(base: str, lang: str, default_lang: str) -> str:
    """The picker page for a language: fediverse.html, fediverse.be.html, ..."""
    if lang == default_lang:
        return base
    stem, dot, ext = base.rpartition(".")
    return f"{stem}.{lang}.{ext}" if dot and "/" not in ext else f"{base}.{lang}"


@dataclass(frozen=True)
class Bar:
    item: Item
    lang: str
    links: list[ShareLink]
    html: str

    @property
    def name(self) -> str:
        return f"{slug(self.item.id)}.{self.lang}"

    def manifest(self) -> dict[str, Any]:
        return {
            "item": self.item.id,
            "kind": self.item.kind,
            "lang": self.lang,
            "title": self.item.title_in(self.lang),
            "url": self.item.url,
            "fragment": f"bars/{self.name}.html",
            "meta": f"meta/{self.name}.html",
            "links": [
                {k: v for k, v in link.to_dict().items() if k != "params"} | {"text": link.params}
                for link in self.links
            ],
        }


@dataclass(frozen=True)
class Button:
    """One entry of a bar, as the template draws it."""

    link: ShareLink
    icon: str | None
    title: str
    new_tab: bool


@dataclass
class _Lang:
    strings: dict[str, str]
    options: ShareOptions
    note: str
    order: list[str] | None
    skeleton: Skeleton | None = None
    tried: bool = False


@dataclass
class Renderer:
    """Renders bars for one campaign and one set of offered networks."""

    cfg: Config
    networks: list[Network]
    picker_url: str = DEFAULT_PICKER
    share_text: ShareText | None = None
    """The organisers' words for readers' posts (the `share` templates); the title without."""
    env: Any = field(default_factory=_env)

    fast: bool = True
    """Fill each language's skeleton (skeleton.py); False renders every bar in full."""
    _per_lang: dict[str, _Lang] = field(default_factory=dict, init=False, repr=False)

    def options(self, lang: str) -> ShareOptions:
        picker = picker_href(self.picker_url, lang, self.cfg.campaign.default_language)
        return ShareOptions.from_config(self.cfg, lang, picker_url=picker)

    def note(self, lang: str) -> str:
        # Only the campaign's own words in this very language: a note in the wrong
        # language would be worse than none.
        notes = self.cfg.share.before_you_share
        return notes.get(lang) or notes.get("*", "")

    def first_ids(self, lang: str) -> list[str] | None:
        """The networks in view before "More", in order; None: no "More" at all."""
        settings = self.cfg.share.bar
        if not settings.compact:
            return None
        chosen = settings.first.get(lang, settings.first.get("*"))
        if chosen is not None:
            return chosen
        return [n.id for n in self.networks[: settings.compact_size]]

    def _lang(self, lang: str) -> _Lang:
        # What every bar of a language shares, worked out once.
        known = self._per_lang.get(lang)
        if known is None:
            known = self._per_lang[lang] = _Lang(
                strings=ui_strings(lang, self.cfg.campaign.default_language),
                options=self.options(lang),
                note=self.note(lang),
                order=self.first_ids(lang),
            )
        return known

    def buttons(self, links: list[ShareLink], lang: str) -> tuple[list[Button], list[Button]]:
        """The buttons in view and those behind "More", in the order the bar shows them."""
        s = self._lang(lang).strings
        settings = self.cfg.share.bar
        icons = {n.id: n.icon for n in self.networks}
        buttons: list[Button] = []
        for link in links:
            hints = []
            if link.jurisdiction == "RU":
                hints.append(s["ru_jurisdiction"])
            if link.status == "app_only":
                hints.append(s["app_only"])
            if link.e2e:
                hints.append(s["e2e"])
            title = f"{link.label} ({', '.join(hints)})" if hints else ""
            if not title and settings.style == "icons":
                title = link.label  # the label is for screen readers only: show it on hover
            # Only web pages open in a new tab: mailto: and app schemes would leave an empty one.
            web = link.kind in ("link", "picker") and not link.href.startswith(("mailto:",))
            web = web and link.status == "active"
            buttons.append(Button(link, icons[link.network], title, settings.new_tab and web))
        order = self._lang(lang).order
        if order is None:
            first, rest = buttons, []
        else:
            by_id = {b.link.network: b for b in buttons}
            first = [by_id[nid] for nid in order if nid in by_id]
            rest = [b for b in buttons if b.link.network not in order]
        if len(rest) == 1:  # a "More" for one button takes the room of the button itself
            first, rest = first + rest, []
        return first, rest

    def render_bar(
        self, first: list[Button], rest: list[Button], lang: str, uid: str, title: str
    ) -> str:
        """One bar by Jinja2 in full."""
        settings = self.cfg.share.bar
        return self.env.get_template("sharebar.html.j2").render(
            lang=lang,
            s=self._lang(lang).strings,
            note=self._lang(lang).note,
            first=first,
            rest=rest,
            any_e2e=any(b.link.e2e for b in first + rest),
            e2e_in_view=any(b.link.e2e for b in first),
            style=settings.style,
            direction=settings.direction,
            uid=uid,
            title=title,
        )

    def bar(self, item: Item, lang: str) -> Bar:
        known = self._lang(lang)
        text = self.share_text(item, lang) if self.share_text else None
        links = links_for(item, self.networks, known.options, text)
        uid = f"sb-{slug(item.id)}-{lang}"
        title = item.title_in(lang, self.cfg.campaign.default_language)
        if self.fast and known.skeleton is not None:
            html, shown = known.skeleton.fill(uid, title, links)
            return Bar(item=item, lang=lang, links=shown, html=html)
        first, rest = self.buttons(links, lang)
        html = self.render_bar(first, rest, lang, uid, title)
        if self.fast and not known.tried:
            # The first bar of a language makes its skeleton, kept only if it gives
            # this very bar as Jinja2 did.
            known.tried = True
            skeleton = Skeleton.make(self, links, lang)
            if skeleton is not None and skeleton.fill(uid, title, links)[0] == html:
                known.skeleton = skeleton
        # The manifest lists the links in the order the bar shows them.
        return Bar(item=item, lang=lang, links=[b.link for b in first + rest], html=html)

    def css(self) -> str:
        return self.env.get_template("sharebar.css.j2").render(networks=self.networks)

    def demo(self, bars: list[Bar], more: int = 0) -> str:
        """The demo page: these bars, and how many more items are in bars/ only."""
        lang = self.cfg.campaign.default_language
        cards: dict[str, dict[str, Any]] = {}
        for bar in bars:
            card = cards.setdefault(
                bar.item.id,
                {
                    "uid": f"item-{slug(bar.item.id)}",
                    "title": bar.item.title_in(lang),
                    "kind": bar.item.kind,
                    "url": bar.item.url,
                    "bars": [],
                },
            )
            card["bars"].append({"lang": bar.lang, "html": _markup(bar.html)})
        return self.env.get_template("demo.html.j2").render(
            lang=lang,
            s=ui_strings(lang),
            csp=PAGE_CSP,
            cards=list(cards.values()),
            more=more,
            campaign=self.cfg.campaign.name.get(lang)
            or next(iter(self.cfg.campaign.name.values())),
        )

    def embed_js(self, langs: list[str]) -> str:
        strings = {lang: ui_strings(lang, self.cfg.campaign.default_language) for lang in langs}
        notes = {lang: self.note(lang) for lang in langs}
        config = embed_config(self.cfg, self.networks, self.picker_url, strings, notes)
        code = (TEMPLATES / "embed.js").read_text(encoding="utf-8")
        enhance = (TEMPLATES / "sharebar.js").read_text(encoding="utf-8")
        # The JSON goes where the script reads it; then the bars it drew are enhanced.
        return code.replace("/*CONFIG*/null", json.dumps(config, ensure_ascii=False)) + enhance

    def embed_demo(self, bars: list[Bar], snippet: str) -> str:
        """The embed demo page: bars built by embed.js, each over its static fallback."""
        lang = self.cfg.campaign.default_language
        cards: dict[str, dict[str, Any]] = {}
        first = bars[0] if bars else None
        for bar in bars:
            if first is not None and bar.item.id == first.item.id:
                continue  # its bar is the one built from the page's own metadata
            card = cards.setdefault(
                bar.item.id,
                {"uid": slug(bar.item.id), "title": bar.item.title_in(lang), "bars": []},
            )
            card["bars"].append(
                {
                    "lang": bar.lang,
                    "url": bar.item.url,
                    "title": bar.item.title_in(bar.lang),
                    "text": self.share_text(bar.item, bar.lang) if self.share_text else "",
                    "summary": bar.item.summary_in(bar.lang, self.cfg.campaign.default_language),
                    "fallback": _markup(bar.html),
                }
            )
        page = {
            "url": first.item.url if first else self.cfg.campaign.base_url,
            "title": first.item.title_in(lang) if first else "",
            "fallback": _markup(first.html) if first and first.lang == lang else "",
        }
        return self.env.get_template("embed.html.j2").render(
            lang=lang,
            s=ui_strings(lang),
            csp=PAGE_CSP,
            cards=list(cards.values()),
            page=page,
            snippet=snippet,
        )

    def picker(self, lang: str, fediverse: Network) -> str:
        s = ui_strings(lang, self.cfg.campaign.default_language)
        return self.env.get_template("fediverse.html.j2").render(
            lang=lang, s=s, **picker_context(self.cfg, fediverse, s)
        )


def _markup(html: str):
    from markupsafe import Markup

    return Markup(html)  # our own autoescaped output, rendered a moment ago

"""Static share bars: HTML fragments, JSON manifests, a demo page and the fediverse picker.

Everything is rendered in memory first (Jinja2, autoescaped), then written to a
temporary folder beside the target and moved into place, so a failure leaves
the previous export as it was and never half a new one.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import Config
from ..content import Item
from ..errors import ConfigError, ShareError
from ..resources import share_templates
from ..yamlfile import parse_yaml
from .embed import embed_config
from .links import DEFAULT_PICKER, ShareLink, ShareOptions, links_for
from .meta import meta_tags
from .picker import picker_context
from .targets import Network, ShareTargets, select

ShareText = Callable[[Item, str], str]
"""(item, language) -> the text a reader's post carries, before fitting."""

TEMPLATES = share_templates()
MARKER = ".outreach-share-bars"
"""Marks a folder as ours: only such a folder (or an empty one) is ever replaced."""

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
class Renderer:
    """Renders bars for one campaign and one set of offered networks."""

    cfg: Config
    networks: list[Network]
    picker_url: str = DEFAULT_PICKER
    share_text: ShareText | None = None
    """The organisers' words for readers' posts (the `share` templates); the title without."""
    env: Any = field(default_factory=_env)

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

    def bar(self, item: Item, lang: str) -> Bar:
        s = ui_strings(lang, self.cfg.campaign.default_language)
        settings = self.cfg.share.bar
        text = self.share_text(item, lang) if self.share_text else None
        links = links_for(item, self.networks, self.options(lang), text)
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
        order = self.first_ids(lang)
        if order is None:
            first, rest = buttons, []
        else:
            by_id = {b.link.network: b for b in buttons}
            first = [by_id[nid] for nid in order if nid in by_id]
            rest = [b for b in buttons if b.link.network not in order]
        if len(rest) == 1:  # a "More" for one button takes the room of the button itself
            first, rest = first + rest, []
        html = self.env.get_template("sharebar.html.j2").render(
            lang=lang,
            s=s,
            note=self.note(lang),
            first=first,
            rest=rest,
            any_e2e=any(link.e2e for link in links),
            e2e_in_view=any(b.link.e2e for b in first),
            style=settings.style,
            direction=settings.direction,
            uid=f"sb-{slug(item.id)}-{lang}",
            title=item.title_in(lang, self.cfg.campaign.default_language),
        )
        # The manifest lists the links in the order the bar shows them.
        shown = [b.link for b in first + rest]
        return Bar(item=item, lang=lang, links=shown, html=html)

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


@dataclass(frozen=True)
class Export:
    out_dir: Path
    files: list[str]
    bars: int
    networks: list[str]


EMBED_DEMO_ITEMS = 3
"""Items whose bars the embed demo page builds (and checks against the static ones)."""

EMBED_SNIPPET = '<div data-outreach-share></div><script src="{assets}embed.js" defer></script>'

DEMO_ITEMS = 50
"""Items whose bars the demo page shows. With every item of a large site it would be
hundreds of megabytes that no browser opens (850 MB for 10,000 pages); the rest are in
bars/, and the page says how many."""

PICKER_PAGE = "share/fediverse.html"
"""Where the export writes the picker page, from its root. The demo page (index.html)
links to it relatively, so that it works opened from disk (file://), where the site-root
path the fragments carry (--picker-url) would point at the root of the file system."""


def render_export(
    cfg: Config,
    targets: ShareTargets,
    items: Iterable[Item],
    picker_url: str = DEFAULT_PICKER,
    languages: Iterable[str] | None = None,
    share_text: ShareText | None = None,
) -> dict[str, str]:
    """Every file of the export, path -> text, all in memory. Raises before anything is written."""
    return dict(iter_export(cfg, targets, items, picker_url, languages, share_text))


def iter_export(
    cfg: Config,
    targets: ShareTargets,
    items: Iterable[Item],
    picker_url: str = DEFAULT_PICKER,
    languages: Iterable[str] | None = None,
    share_text: ShareText | None = None,
) -> Iterator[tuple[str, str]]:
    """Every file of the export as (path, text), made one bar at a time as it is consumed.

    Memory stays flat however many items there are. The settings are checked
    now, before the first file is made; a bar that cannot be made raises midway.
    """
    sel = select(cfg, targets)
    if sel.problems:
        raise ConfigError(f"{cfg.source}: the share settings are not valid", sel.problems)
    langs = list(languages or cfg.campaign.languages)
    unknown = [lang for lang in langs if lang not in cfg.campaign.languages]
    if unknown:
        raise ShareError(f"language(s) {unknown} are not in campaign.languages")
    return _files(cfg, targets, sel.offered, items, picker_url, langs, share_text)


def _files(
    cfg: Config,
    targets: ShareTargets,
    offered: list[Network],
    items: Iterable[Item],
    picker_url: str,
    langs: list[str],
    share_text: ShareText | None = None,
) -> Iterator[tuple[str, str]]:
    r = Renderer(cfg, offered, picker_url, share_text)
    summaries = []
    shown: list[Bar] = []
    on_demo: list[Item] = []
    items_seen = 0
    for item in items:
        items_seen += 1
        for lang in langs:
            bar = r.bar(item, lang)
            manifest = bar.manifest()  # once per bar: it is the slow part of an export
            yield f"bars/{bar.name}.html", bar.html
            yield f"bars/{bar.name}.json", _json(manifest, indent=None)
            yield f"meta/{bar.name}.html", meta_tags(cfg, item, lang)
            summaries.append(manifest | {"links": len(bar.links)})
            if items_seen <= DEMO_ITEMS:
                shown.append(bar)
        if items_seen <= DEMO_ITEMS:
            on_demo.append(item)
    yield "assets/sharebar.css", r.css()
    yield "assets/sharebar.js", (TEMPLATES / "sharebar.js").read_text(encoding="utf-8")
    yield "assets/embed.js", r.embed_js(langs)
    assets = cfg.campaign.base_url.rstrip("/") + "/assets/"
    demo_items = list(dict.fromkeys(b.item.id for b in shown))[:EMBED_DEMO_ITEMS]
    yield (
        "embed.html",
        r.embed_demo(
            [b for b in shown if b.item.id in demo_items], EMBED_SNIPPET.format(assets=assets)
        ),
    )
    fediverse = next((n for n in offered if n.kind == "picker"), None)
    if fediverse is not None:
        yield "assets/fediverse.js", (TEMPLATES / "fediverse.js").read_text(encoding="utf-8")
        for lang in langs:
            name = picker_href(PICKER_PAGE, lang, cfg.campaign.default_language)
            yield name, r.picker(lang, fediverse)
    # The demo's bars again, their picker links relative to index.html (see PICKER_PAGE).
    local = Renderer(cfg, offered, PICKER_PAGE, share_text, env=r.env)
    demo_bars = [local.bar(item, lang) for item in on_demo for lang in langs]
    yield "index.html", r.demo(demo_bars, more=max(0, items_seen - DEMO_ITEMS))
    yield (
        "manifest.json",
        _json(
            {
                "campaign": cfg.campaign.base_url,
                "networks": [n.id for n in offered],
                "retired": {
                    n.id: {"date": str(n.retired.date), "reason": n.retired.reason}
                    for n in targets.retired
                    if n.retired
                },
                "assets": ["assets/sharebar.css", "assets/sharebar.js", "assets/embed.js"],
                "picker": picker_url if fediverse is not None else None,
                "bars": summaries,
            }
        ),
    )
    yield MARKER, "Written by `outreach buttons`; the whole folder is replaced on export.\n"


def _json(data: Mapping[str, Any], indent: int | None = 2) -> str:
    # indent=None for the per-bar files, read by programs: only it uses json's C encoder.
    return json.dumps(data, ensure_ascii=False, indent=indent, default=str) + "\n"


def write_export(files: Mapping[str, str] | Iterable[tuple[str, str]], out_dir: Path) -> Export:
    """Write into a temporary folder beside `out_dir`, then move it into place.

    `files` is path -> text, or (path, text) pairs as iter_export makes them; if
    making them fails midway, the temporary folder goes and `out_dir` stays as it was.
    """
    out_dir = Path(out_dir)
    parent = out_dir.resolve().parent
    if out_dir.exists():
        if not out_dir.is_dir():
            raise ShareError(f"{out_dir} exists and is not a folder")
        if any(out_dir.iterdir()) and not (out_dir / MARKER).exists():
            raise ShareError(
                f"{out_dir} is not empty and was not written by `outreach buttons`: "
                "choose a new or empty folder"
            )
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=parent))
    pairs = files.items() if isinstance(files, Mapping) else files
    written: list[str] = []
    try:
        for rel, text in pairs:
            written.append(rel)
            path = tmp / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        os.chmod(tmp, 0o755)  # mkdtemp makes it private; a web server must read it
        old = None
        if out_dir.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old.", dir=parent))
            os.replace(out_dir, old / "previous")
        try:
            os.replace(tmp, out_dir)
        except OSError:
            if old is not None:  # put the previous export back
                os.replace(old / "previous", out_dir)
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    bars = sum(1 for rel in written if rel.startswith("bars/") and rel.endswith(".html"))
    return Export(out_dir=out_dir, files=sorted(written), bars=bars, networks=[])


def export(
    cfg: Config,
    targets: ShareTargets,
    items: Iterable[Item],
    out_dir: Path,
    picker_url: str = DEFAULT_PICKER,
    languages: Iterable[str] | None = None,
    share_text: ShareText | None = None,
) -> Export:
    files = iter_export(cfg, targets, items, picker_url, languages, share_text)
    result = write_export(files, out_dir)
    offered = [n.id for n in select(cfg, targets).offered]
    return Export(result.out_dir, result.files, result.bars, offered)

"""The export `outreach buttons` writes: every file, made one bar at a time, moved into place.

Per page and language a fragment, a manifest and Open Graph tags (bar.py
renders them); then the assets, the picker pages, the demo pages and
manifest.json. Written to a temporary folder beside the target and moved into
place, so a failure leaves the previous export as it was and never half a new one.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import Config
from ..content import Item
from ..errors import ConfigError, ShareError
from .bar import TEMPLATES, Bar, Renderer, ShareText, picker_href
from .links import DEFAULT_PICKER
from .meta import meta_tags
from .targets import Network, ShareTargets, select

MARKER = ".outreach-share-bars"
"""Marks a folder as ours: only such a folder (or an empty one) is ever replaced."""


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
    made: set[str] = set()
    try:
        for rel, text in pairs:
            written.append(rel)
            folder = rel.rpartition("/")[0]
            if folder not in made:  # once per folder, not once per file (120,000 at 10,000 pages)
                os.makedirs(os.path.join(tmp, folder), exist_ok=True)
                made.add(folder)
            with open(os.path.join(tmp, rel), "w", encoding="utf-8") as out:
                out.write(text)
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

"""Share links for N pages x every network the bundled campaign offers, with their share text.

outreach: what `outreach share`, `buttons` and `check` run for each page and
language: the organisers' share template (messages/<kind>/share.<lang>.j2,
through cli.share_cmds.share_texts, as those commands call it) gives the
text, then links_for builds every network's link with it.

Baseline: a bare loop over the same pages and networks that makes the same
share text with an f-string (what the bundled template writes: title, a dash,
the campaign's name), fills each parameter's template with str.format_map and
builds the URL with urllib.parse.urlencode and an f-string: no template, no
validation, no fitting, no ShareLink. Target (issues 7 and 15): outreach
within 1.5x of it.

    .venv/bin/python bench/share_links.py [--pages 10000] [--quick] [--profile] [--no-text]
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import compare, parser, report, synthetic_items

TARGET = 1.5


def setup(pages: int) -> tuple[list[Any], list[Any], list[Any]]:
    from outreach.config import BUNDLED_CONFIG
    from outreach.share import ShareOptions, load_targets, select, targets_path

    cfg = _app().config
    assert cfg.source == BUNDLED_CONFIG
    networks = select(cfg, load_targets(targets_path(cfg))).offered
    items = synthetic_items(pages)
    langs = cfg.campaign.languages
    opts = [ShareOptions.from_config(cfg, lang) for lang in langs]
    # Each page in one of the campaign's languages, in turn.
    work = [(item, opts[i % len(opts)]) for i, item in enumerate(items)]
    return work, networks, opts


def _app() -> Any:
    from outreach.app import App
    from outreach.config import BUNDLED_CONFIG

    return App(BUNDLED_CONFIG, {})


def outreach_links(work: list[Any], networks: list[Any], with_text: bool = True) -> int:
    """As `outreach share`/`buttons`/`check` do it: the share template's text, then the links."""
    from outreach.cli.share_cmds import share_texts
    from outreach.share import links_for

    texts = share_texts(_app()) if with_text else None
    n = 0
    for item, opts in work:
        text = texts(item, opts.lang) if texts else None
        n += len(links_for(item, networks, opts, text))
    return n


def baseline_links(work: list[Any], networks: list[Any], with_text: bool = False) -> list[str]:
    """The floor: an f-string share text + template fill + urlencode + f-string, nothing else."""
    plan = []
    for net in networks:
        if net.kind in ("copy", "native"):
            plan.append((None, None, None))
            continue
        base, _, _query = net.url.partition("?")
        sep = "#" if net.kind == "picker" else "?"
        if net.kind == "picker":
            base = net.url.split("#")[0]
        plan.append((base, sep, [(k, p.value) for k, p in net.params.items()]))
    from outreach.config import BUNDLED_CONFIG, load_config

    names = load_config(BUNDLED_CONFIG, {}).campaign.name
    out = []
    for item, opts in work:
        title = item.title_in(opts.lang, opts.fallback)
        summary = item.summary_in(opts.lang, opts.fallback)
        fields = {
            "url": item.url,
            "title": title,
            # what the bundled share template writes; the title alone without one
            "share_text": f"{title} — {names[opts.lang]}" if with_text else title,
            "summary": summary,
            "hashtags": " ".join(f"#{t}" for t in opts.hashtags),
            "hashtags_csv": ",".join(opts.hashtags),
            "image": "",
        }
        for base, sep, params in plan:
            if base is None:
                out.append(item.url)
                continue
            query = urlencode(
                [(k, v.format_map(fields)) for k, v in params], quote_via=quote, safe=""
            )
            out.append(f"{base.replace('{picker}', opts.picker_url)}{sep}{query}")
    return out


def run(
    quick: bool = False, pages: int = 10_000, repeat: int = 5, with_text: bool = True
) -> dict[str, Any]:
    if quick:
        pages, repeat = 20, 1
    work, networks, _ = setup(pages)
    outreach_links(work[:50], networks)  # warm the lazy imports (Mastodon.py, twitter-text)
    t = compare(
        {
            "baseline": lambda: baseline_links(work, networks, with_text),
            "outreach": lambda: outreach_links(work, networks, with_text),
        },
        repeat,
    )
    links = pages * len(networks)
    ratio = t["outreach"]["cpu"] / t["baseline"]["cpu"]
    return {
        "pages": pages,
        "share_text": with_text,
        "networks": len(networks),
        "links": links,
        "baseline_cpu_s": t["baseline"]["cpu"],
        "outreach_cpu_s": t["outreach"]["cpu"],
        "baseline_wall_s": t["baseline"]["wall"],
        "outreach_wall_s": t["outreach"]["wall"],
        "outreach_links_per_s": links / t["outreach"]["wall"],
        "ratio": ratio,
        "ratio_wall": t["outreach"]["wall"] / t["baseline"]["wall"],
        "target": f"<= {TARGET}x",
        "met": ratio <= TARGET,
    }


def profile(pages: int, with_text: bool = True) -> None:
    from pyinstrument import Profiler

    work, networks, _ = setup(pages)
    outreach_links(work[:50], networks)
    prof = Profiler(interval=0.0005)
    prof.start()
    outreach_links(work, networks, with_text)
    prof.stop()
    print(prof.output_text(unicode=True, color=False, show_all=False))


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--pages", type=int, default=10_000)
    p.add_argument("--profile", action="store_true", help="pyinstrument profile of outreach's side")
    p.add_argument("--no-text", action="store_true", help="without the share template's text")
    a = p.parse_args()
    if a.profile:
        profile(a.pages, not a.no_text)
        return
    report("share links", run(a.quick, a.pages, with_text=not a.no_text), a.json)


if __name__ == "__main__":
    main()

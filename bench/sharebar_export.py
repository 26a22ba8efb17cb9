"""Static export of share bars for N pages, in every campaign language: pages/s and peak memory.

Files go to tmpfs (/dev/shm) when there is one, so that disk noise from
other work on the machine stays out of the figures. Each side runs in its own fresh process, so its peak resident memory (from
wait4) is its own. Baseline: the same pages, languages and networks written
as the bare floor: one f-string <a> per link (hrefs from the urlencode loop
of bench/share_links.py, html.escape'd) and a json.dumps manifest per bar,
each file written straight to disk. outreach: share.bar.export, as `outreach
buttons` does (Jinja2, icons, notes, manifests, demo page, picker pages,
written to a temporary folder, then moved into place).

    .venv/bin/python bench/sharebar_export.py [--pages 10000] [--quick]
"""

from __future__ import annotations

import html
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import parser, report, run_measured, scratch_dir, synthetic_items


def _child(side: str, pages: int, out: Path) -> dict[str, Any]:
    from outreach.config import load_config
    from outreach.share import ShareOptions, load_targets, select, targets_path

    cfg = load_config(None, {})
    targets = load_targets(targets_path(cfg))
    items = synthetic_items(pages)
    c0, t0 = time.process_time(), time.perf_counter()
    if side == "outreach":
        from outreach.share import export

        n_files = len(export(cfg, targets, items, out).files)  # as `outreach buttons` does
    else:
        from bench.share_links import baseline_links

        networks = select(cfg, targets).offered
        (out / "bars").mkdir(parents=True)
        n_files = 0
        for lang in cfg.campaign.languages:
            opts = ShareOptions.from_config(cfg, lang)
            hrefs = baseline_links([(item, opts) for item in items], networks)
            k = len(networks)
            for i, item in enumerate(items):
                links = hrefs[i * k : (i + 1) * k]
                anchors = "".join(
                    f'<li><a href="{html.escape(h)}">{html.escape(n.label_in(lang))}</a></li>'
                    for n, h in zip(networks, links, strict=True)
                )
                name = out / "bars" / f"{item.id}.{lang}"
                Path(f"{name}.html").write_text(f"<nav><ul>{anchors}</ul></nav>\n", "utf-8")
                manifest = {"item": item.id, "lang": lang, "links": links}
                Path(f"{name}.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
                n_files += 2
    return {"seconds": time.perf_counter() - t0, "cpu": time.process_time() - c0, "files": n_files}


def _side(side: str, pages: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-export-", dir=scratch_dir()) as tmp:
        out = Path(tmp) / "out"
        child = run_measured([__file__, "--child", side, "--pages", str(pages), "--out", str(out)])
        size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    res = json.loads(child.out.strip().splitlines()[-1])
    return {**res, "peak_rss_mib": child.maxrss_mib, "process_cpu_s": child.cpu, "bytes": size}


def run(quick: bool = False, pages: int = 10_000, repeat: int = 2) -> dict[str, Any]:
    if quick:
        pages, repeat = 10, 1
    base: dict[str, Any] = {}
    ours: dict[str, Any] = {}
    for _ in range(repeat):  # interleaved; the least disturbed run of each counts
        b, o = _side("baseline", pages), _side("outreach", pages)
        base = b if not base or b["cpu"] < base["cpu"] else base
        ours = o if not ours or o["cpu"] < ours["cpu"] else ours
    langs = 4  # the bundled campaign's
    return {
        "pages": pages,
        "bars": pages * langs,
        "baseline_cpu_s": base["cpu"],
        "outreach_cpu_s": ours["cpu"],
        "baseline_wall_s": base["seconds"],
        "outreach_wall_s": ours["seconds"],
        "baseline_pages_per_s": pages / base["seconds"],
        "outreach_pages_per_s": pages / ours["seconds"],
        "ratio_cpu": ours["cpu"] / base["cpu"],
        "baseline_peak_rss_mib": base["peak_rss_mib"],
        "outreach_peak_rss_mib": ours["peak_rss_mib"],
        "ratio_peak_rss": ours["peak_rss_mib"] / base["peak_rss_mib"],
        "outreach_files": ours["files"],
        "outreach_mib_written": ours["bytes"] / 2**20,
    }


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--pages", type=int, default=10_000)
    p.add_argument(
        "--child", choices=["outreach", "baseline"], help=__import__("argparse").SUPPRESS
    )
    p.add_argument("--out", type=Path, help=__import__("argparse").SUPPRESS)
    a = p.parse_args()
    if a.child:
        print(json.dumps(_child(a.child, a.pages, a.out)))
        return
    report("share-bar export", run(a.quick, a.pages), a.json)


if __name__ == "__main__":
    main()

"""Against peers: announce the 500 items of one RSS feed on one Mastodon account.

All three read the same RSS file and post to the same kind of fake Mastodon
on 127.0.0.1 (tests/fakes/mastodon_server.py, a fresh one per tool, run by
this process), each tool in a fresh process whose wall time and peak
resident memory (wait4) are measured:

- outreach: the `outreach run --once` wiring (outreach.app.App.service)
  with a campaign whose one feed has backlog 500 and one Mastodon channel.
  Its pacer keeps Mastodon's 300 statuses per 3 hours per account; the
  peers know no such limit and the fake does not enforce it, so for this
  comparison outreach's pacing windows are shrunk to nothing.
- feed2toot (PyPI): its own command line and INI file, --limit 500.
- apprise (PyPI): it posts but does not read feeds, so the script a user
  would write: feedparser for the items, Apprise.notify per item to a
  mastodon:// URL.

The peers are installed only for the benchmark, into a venv of their own
(`--peers-venv`, default /tmp/outreach-bench-peers; created with pip when
missing, never into the project's dependencies). The ratios are outreach's
time and memory over each peer's.

    .venv/bin/python bench/peers.py [--items 500] [--quick]
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from bench._common import parser, report, run_measured  # noqa: E402

PEERS_VENV = Path("/tmp/outreach-bench-peers")
TOKEN = "bench-mastodon-token"

APPRISE_SCRIPT = textwrap.dedent(
    """
    import sys
    import apprise
    import feedparser

    feed, url = sys.argv[1], sys.argv[2]
    ap = apprise.Apprise()
    if not ap.add(url):
        sys.exit(f"apprise refused the URL {url!r}")
    failed = 0
    for entry in reversed(feedparser.parse(feed).entries):  # oldest first
        if not ap.notify(body=f"{entry.title} {entry.link}"):
            failed += 1
    print(failed)
    sys.exit(1 if failed else 0)
    """
)


def write_feed(path: Path, items: int) -> None:
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    entries = []
    for i in range(items):
        when = email.utils.format_datetime(start + dt.timedelta(hours=i))
        entries.append(
            f"<item><title>{escape(f'Belarus: human rights defender sentenced, day {i}')}</title>"
            f"<link>https://freeales.fidh.net/news/{i}/</link>"
            f'<guid isPermaLink="false">news-{i}</guid><pubDate>{when}</pubDate>'
            f"<description>{escape(f'Update {i} on the trial of Ales Bialiatski.')}</description>"
            "</item>"
        )
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        "<title>Free Ales</title><link>https://freeales.fidh.net/</link>"
        "<description>news</description><language>en</language>"
        + "".join(entries)
        + "</channel></rss>",
        encoding="utf-8",
    )


def ensure_peers(venv: Path, install: bool) -> str | None:
    """The peers' python, creating the venv when missing (and allowed); None if unavailable."""
    python = venv / "bin" / "python"
    probe = [str(python), "-c", "import feed2toot, apprise"]
    if python.exists() and subprocess.run(probe, capture_output=True).returncode == 0:
        return str(python)
    if not install:
        return None
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(python), "-m", "pip", "install", "-q", "feed2toot", "apprise"]
    subprocess.run(pip, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return str(python)


def outreach_child(cfg: str, items: int) -> dict[str, Any]:
    from outreach.app import App

    app = App(cfg, {"BENCH_MASTODON_TOKEN": TOKEN})
    app.dry_run_out = open(os.devnull, "w")  # noqa: SIM115
    service = app.service()
    service.delivery.pacer.scale = 1e-9  # the peers keep no rate limit; see the docstring
    turn = service.run_once(max_wait=60)
    sent = turn.delivered.count("sent") if turn.delivered else 0
    return {"sent": sent}


def outreach_config(tmp: Path, feed: Path, instance: str, items: int) -> Path:
    import yaml

    from outreach.config import load_config

    data = yaml.safe_load(Path(load_config(None, {}).source).read_text(encoding="utf-8"))
    data["feeds"] = [{"id": "news", "path": str(feed), "backlog": items, "channels": ["masto"]}]
    data["channels"] = [
        {
            "id": "masto",
            "kind": "mastodon",
            "instance": instance,
            "token_env": "BENCH_MASTODON_TOKEN",
            "language": "en",
        }
    ]
    data["announcements"] = []
    data["store"] = {"url": f"sqlite:///{tmp / 'store.sqlite3'}"}
    path = tmp / "outreach.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def feed2toot_config(tmp: Path, feed: Path, instance: str) -> Path:
    # Mastodon.py reads client credentials from a file: id, secret, instance.
    client = tmp / "feed2toot_clientcred.secret"
    client.write_text(f"bench-client\nbench-secret\n{instance}\n", encoding="utf-8")
    path = tmp / "feed2toot.ini"
    path.write_text(
        textwrap.dedent(
            f"""
            [mastodon]
            instance_url={instance}
            user_credentials={TOKEN}
            client_credentials={client}
            toot_visibility=public

            [cache]
            cachefile={tmp / "feed2toot.db"}

            [rss]
            uri={feed}
            toot={{title}} {{link}}
            """
        ),
        encoding="utf-8",
    )
    return path


def one_tool(tool: str, items: int, peers_python: str | None) -> dict[str, Any]:
    from fakes.mastodon_server import FakeMastodon

    with tempfile.TemporaryDirectory(prefix=f"bench-peers-{tool}-") as d, FakeMastodon() as fake:
        tmp = Path(d)
        feed = tmp / "feed.xml"
        write_feed(feed, items)
        if tool == "outreach":
            cfg = outreach_config(tmp, feed, fake.url, items)
            args, python = [__file__, "--child", str(cfg), "--items", str(items)], sys.executable
        elif tool == "feed2toot":
            assert peers_python
            ini = feed2toot_config(tmp, feed, fake.url)
            script = str(Path(peers_python).with_name("feed2toot"))
            args = [script, "-c", str(ini), "--limit", str(items)]
            args += ["--lockfile", str(tmp / "feed2toot.lock")]
            python = peers_python
        else:
            assert peers_python
            (tmp / "notify.py").write_text(APPRISE_SCRIPT, encoding="utf-8")
            host = fake.url.removeprefix("http://")
            args = [str(tmp / "notify.py"), str(feed), f"mastodon://{TOKEN}@{host}"]
            python = peers_python
        t0 = time.perf_counter()
        try:
            child = run_measured(args, python=python, cwd=tmp)
        except RuntimeError as exc:
            return {"error": str(exc)[-600:], "posted": len(fake.statuses)}
        wall = time.perf_counter() - t0
        posted = len(fake.statuses)
    return {
        "wall_s": wall,
        "cpu_s": child.cpu,
        "peak_rss_mib": child.maxrss_mib,
        "posted": posted,
    }


def run(quick: bool = False, items: int = 500, install: bool = True) -> dict[str, Any]:
    if quick:
        items, install = 5, False
    peers_python = ensure_peers(PEERS_VENV, install)
    tools = ["outreach"] + (["feed2toot", "apprise"] if peers_python else [])
    results = {tool: one_tool(tool, items, peers_python) for tool in tools}
    out: dict[str, Any] = {"items": items}
    base = results["outreach"]
    for tool, r in results.items():
        if "error" in r:
            out[tool] = f"FAILED: {r['error']} (posted {r['posted']})"
            continue
        out[tool] = (
            f"{r['wall_s']:.2f} s wall, {r['cpu_s']:.2f} s CPU, {r['peak_rss_mib']:.0f} MiB peak, "
            f"{r['posted']} posted"
        )
        if tool != "outreach" and "error" not in base:
            out[f"outreach_time_vs_{tool}"] = base["wall_s"] / r["wall_s"]
            out[f"outreach_memory_vs_{tool}"] = base["peak_rss_mib"] / r["peak_rss_mib"]
    if not peers_python:
        out["peers"] = f"not installed in {PEERS_VENV} (run without --quick to install them)"
    out["raw"] = json.dumps(results, default=str)
    return out


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--items", type=int, default=500)
    p.add_argument("--child", help=__import__("argparse").SUPPRESS)
    a = p.parse_args()
    if a.child:
        print(json.dumps(outreach_child(a.child, a.items)))
        return
    report("peers", run(a.quick, a.items), a.json)


if __name__ == "__main__":
    main()

"""Against the floor and the peers: announce the N items of one RSS feed on one Mastodon account.

Every tool reads the same RSS file on disk and posts to the same kind of fake
Mastodon on 127.0.0.1 (tests/fakes/mastodon_server.py, a fresh one per run,
answering with Mastodon's status JSON and rate-limit headers), each in a
fresh process whose wall time, CPU time (wait4) and peak resident memory
(VmHWM) are measured:

- outreach: `outreach --config outreach.yaml run --once`, the command line
  as a user runs it, on a campaign file with that feed and one Mastodon
  channel. Untimed before it: a first run while the feed was empty (so the
  store exists and the feed was read before, as from a campaign's second run
  on; a first read would announce only the newest `backlog`, at most 1,000),
  then the N items appear in the file. Its pacer keeps Mastodon's 300
  statuses per 3 hours per account; the peers know no such limit and the
  fake does not enforce it, so for this comparison the CLI runs with its
  pacing windows shrunk to nothing (`pacing_scale` 1e-9, set by the few
  lines that start the CLI, OUTREACH_SCRIPT; the crash tests do the same),
  and nothing else differs.
- bare: the floor. A Mastodon.py `status_post` loop over the very texts
  outreach posted (taken from the fake after outreach's run of the same
  round), in this project's environment: no feed, no store, no templates.
- libraries: what would remain if outreach's own code cost nothing. A process that only
  imports every module outreach's run of the same round had imported (its
  `sys.modules` at exit, in import order, without outreach's own: Mastodon.py,
  SQLAlchemy, pydantic, Jinja2, feedparser, PyYAML, click and the standard
  library's modules they bring), and posts nothing. The memory target (1.5x
  bare) is printed against its peak; outreach's CPU above it is its own code
  and the posts.
- agreed: a smaller floor still. A process that imports only the libraries the
  agreed design puts on this path, one for each job outreach cannot do without
  here: Mastodon.py (posting), feedparser (the feed), PyYAML (the campaign
  file), Jinja2's sandbox (the templates) and SQLAlchemy with its SQLite
  dialect (the ledger: DESIGN.md's "the one store: SQLAlchemy + Alembic").
  If it alone is over the memory target, no outreach built on those
  libraries can meet the target; printed as `memory_target`.
- feed2toot (PyPI): its own command line and INI file, --limit N.
- feediverse (PyPI): its own command line and YAML file.
- apprise (PyPI): it posts but does not read feeds, so the script a user
  would write: feedparser for the items, Apprise.notify per item to a
  mastodon:// URL.

`--against DIR` adds "before": another checkout's outreach (a `git archive
<commit>` unpacked in DIR), run exactly as outreach is, through PYTHONPATH,
interleaved with the rest: a before and after in one run on a shared machine.

Each size runs `--rounds` times (2 by default), the tools interleaved
(outreach, bare, feed2toot, feediverse, apprise, then again), and each
figure is the best of its rounds. The ratios are outreach's over each other
tool's. The peers are installed only for the benchmark, into a venv of their
own (`--peers-venv`, default /tmp/outreach-bench-peers; created with pip when
missing, never into the project's dependencies).

    .venv/bin/python bench/peers.py [--items 200,1000,5000] [--rounds 2] [--quick]
        [--only outreach,bare,feediverse,apprise] [--against /tmp/before]
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from bench._common import parser, report, run_measured, scratch_dir  # noqa: E402

PEERS_VENV = Path("/tmp/outreach-bench-peers")
PEERS = ("feed2toot", "feediverse", "apprise")
TOOLS = ("outreach", "bare", "libraries", "agreed", *PEERS)
TOKEN = "bench-mastodon-token"

# The CLI exactly as `outreach` runs it, with the pacing windows shrunk (see the docstring).
OUTREACH_SCRIPT = textwrap.dedent(
    """
    import sys
    from outreach import app

    made = app.App.__init__

    def burst(self, *args, **kwargs):
        made(self, *args, **kwargs)
        self.delivery_tuning = {"pacing_scale": 1e-9}

    app.App.__init__ = burst
    if len(sys.argv) > 1 and sys.argv[1] == "--modules-to":
        import atexit, json

        # What the "libraries" floor imports: every module loaded, but outreach's own.
        out = sys.argv[2]
        del sys.argv[1:3]

        def modules():
            names = [m for m in sys.modules if m != "__main__" and m.split(".")[0] != "outreach"]
            with open(out, "w", encoding="utf-8") as f:
                json.dump(names, f)

        atexit.register(modules)
    from outreach.cli import main

    main(sys.argv[1:])
    """
)

BARE_SCRIPT = textwrap.dedent(
    """
    import json
    import sys
    from mastodon import Mastodon

    texts = json.load(open(sys.argv[1], encoding="utf-8"))
    api = Mastodon(access_token=sys.argv[3], api_base_url=sys.argv[2])
    for text in texts:
        api.status_post(text)
    """
)

# Only the imports: every module outreach's run had loaded, in the order it loaded them.
LIBRARIES_SCRIPT = textwrap.dedent(
    """
    import importlib
    import json
    import sys

    for name in json.load(open(sys.argv[1], encoding="utf-8")):
        try:
            importlib.import_module(name)
        except Exception:
            pass  # a module only its package's own import can make (a shim, an alias)
    """
)

# Only the libraries the agreed design needs on this path, one per job (see the docstring).
AGREED_SCRIPT = "import mastodon, feedparser, yaml, jinja2.sandbox, sqlalchemy.dialects.sqlite\n"

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
        when = email.utils.format_datetime(start + dt.timedelta(minutes=i))
        entries.append(
            f"<item><title>{escape(f'Belarus: human rights defender sentenced, day {i}')}</title>"
            f"<link>https://freeales.fidh.net/news/{i}/</link>"
            f'<guid isPermaLink="false">news-{i}</guid><pubDate>{when}</pubDate>'
            f"<dc:date>{(start + dt.timedelta(minutes=i)).isoformat()}</dc:date>"
            f"<description>{escape(f'Update {i} on the trial of Ales Bialiatski.')}</description>"
            "</item>"
        )
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?>'
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
        "<title>Free Ales</title><link>https://freeales.fidh.net/</link>"
        "<description>news</description><language>en</language>"
        + "".join(reversed(entries))  # newest first, as feeds are
        + "</channel></rss>",
        encoding="utf-8",
    )


def ensure_peers(venv: Path, install: bool) -> str | None:
    """The peers' python, creating the venv when missing (and allowed); None if unavailable."""
    python = venv / "bin" / "python"
    probe = [str(python), "-c", "import feed2toot, feediverse, apprise"]
    if python.exists() and subprocess.run(probe, capture_output=True).returncode == 0:
        return str(python)
    if not install:
        return None
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(python), "-m", "pip", "install", "-q", *PEERS]
    subprocess.run(pip, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return str(python)


def outreach_config(tmp: Path, feed: Path, instance: str, items: int) -> Path:
    import yaml

    from outreach.config import load_config

    data = yaml.safe_load(Path(load_config(None, {}).source).read_text(encoding="utf-8"))
    data["feeds"] = [{"id": "news", "path": str(feed), "channels": ["masto"]}]
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


def prepare_outreach(args: list[str], env: dict[str, str], tmp: Path, feed: Path, n: int) -> None:
    """Untimed: a first run on the feed while it is empty, then its n items appear.

    The store exists and the feed was read before, as from a campaign's second run
    on; and a first read would announce only the newest `backlog` (at most 1,000).
    """
    write_feed(feed, 0)
    run_measured(args, env=env, cwd=tmp)
    write_feed(feed, n)


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


def feediverse_config(tmp: Path, feed: Path, instance: str) -> Path:
    import yaml

    path = tmp / "feediverse.yaml"
    config = {
        "url": instance,
        "client_id": "bench-client",
        "client_secret": "bench-secret",
        "access_token": TOKEN,
        "feeds": [{"url": str(feed), "template": "{title} {link}"}],
    }
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def one_run(
    tool: str, items: int, peers_python: str | None, texts: Path, against: str | None = None
) -> dict[str, Any]:
    """One tool, one size, a fresh fake and folder; outreach's run also writes `texts`.
    "before" is outreach from the checkout `against`."""
    from fakes.mastodon_server import FakeMastodon

    prefix = f"bench-peers-{tool}-"
    with (
        tempfile.TemporaryDirectory(prefix=prefix, dir=scratch_dir()) as d,
        FakeMastodon(realistic=True) as fake,
    ):
        tmp = Path(d)
        feed = tmp / "feed.xml"
        write_feed(feed, items)
        python, env = sys.executable, {}
        if tool in ("outreach", "before"):
            cfg = outreach_config(tmp, feed, fake.url, items)
            (tmp / "outreach_cli.py").write_text(OUTREACH_SCRIPT, encoding="utf-8")
            args = [str(tmp / "outreach_cli.py"), "--config", str(cfg), "run", "--once"]
            env = {"BENCH_MASTODON_TOKEN": TOKEN}
            if tool == "outreach":
                args[1:1] = ["--modules-to", str(texts.with_name("modules.json"))]
            if tool == "before":
                assert against, "before needs --against"
                env["PYTHONPATH"] = str(Path(against).resolve())
            prepare_outreach(args, env, tmp, feed, items)
        elif tool == "bare":
            (tmp / "bare.py").write_text(BARE_SCRIPT, encoding="utf-8")
            args = [str(tmp / "bare.py"), str(texts), fake.url, TOKEN]
        elif tool == "libraries":
            (tmp / "libraries.py").write_text(LIBRARIES_SCRIPT, encoding="utf-8")
            args = [str(tmp / "libraries.py"), str(texts.with_name("modules.json"))]
        elif tool == "agreed":
            (tmp / "agreed.py").write_text(AGREED_SCRIPT, encoding="utf-8")
            args = [str(tmp / "agreed.py")]
        elif tool == "feed2toot":
            assert peers_python
            ini = feed2toot_config(tmp, feed, fake.url)
            script = str(Path(peers_python).with_name("feed2toot"))
            args = [script, "-c", str(ini), "--limit", str(items)]
            args += ["--lockfile", str(tmp / "feed2toot.lock")]
            python = peers_python
        elif tool == "feediverse":
            assert peers_python
            cfg = feediverse_config(tmp, feed, fake.url)
            args = [str(Path(peers_python).with_name("feediverse")), "-c", str(cfg)]
            python = peers_python
        else:
            assert peers_python
            (tmp / "notify.py").write_text(APPRISE_SCRIPT, encoding="utf-8")
            host = fake.url.removeprefix("http://")
            args = [str(tmp / "notify.py"), str(feed), f"mastodon://{TOKEN}@{host}"]
            python = peers_python
        t0 = time.perf_counter()
        try:
            child = run_measured(args, env=env, python=python, cwd=tmp)
        except RuntimeError as exc:
            return {"error": str(exc)[-600:], "posted": len(fake.statuses)}
        wall = time.perf_counter() - t0
        posted = fake.texts()
        if tool == "outreach":
            texts.write_text(json.dumps(posted), encoding="utf-8")
    return {"wall_s": wall, "cpu_s": child.cpu, "peak_rss_mib": child.maxrss_mib,
            "posted": len(posted)}  # fmt: skip


def best(runs: list[dict[str, Any]]) -> dict[str, Any]:
    ok = [r for r in runs if "error" not in r]
    if not ok:
        return runs[-1]
    return {
        "wall_s": min(r["wall_s"] for r in ok),
        "cpu_s": min(r["cpu_s"] for r in ok),
        "peak_rss_mib": min(r["peak_rss_mib"] for r in ok),
        "posted": min(r["posted"] for r in ok),
        "runs": [(round(r["wall_s"], 2), round(r["cpu_s"], 2), r.get("load")) for r in ok],
    }


def one_size(
    items: int,
    rounds: int,
    peers_python: str | None,
    only: Sequence[str] = TOOLS,
    against: str | None = None,
) -> dict[str, Any]:
    tools = [t for t in TOOLS if t in only and (peers_python or t not in PEERS)]
    if against:
        tools.insert(0, "before")
    runs: dict[str, list[dict[str, Any]]] = {t: [] for t in tools}
    with tempfile.TemporaryDirectory(prefix="bench-peers-texts-") as d:
        texts = Path(d) / "texts.json"
        for _ in range(rounds):
            for tool in tools:
                if tool in ("bare", "libraries") and not texts.exists():
                    runs[tool].append({"error": "outreach posted nothing to repeat", "posted": 0})
                    continue
                load = Path("/proc/loadavg").read_text().split()[0]
                runs[tool].append(one_run(tool, items, peers_python, texts, against))
                runs[tool][-1]["load"] = load
    results = {tool: best(r) for tool, r in runs.items()}
    out: dict[str, Any] = {}
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
            out[f"outreach_vs_{tool}"] = (
                f"wall {base['wall_s'] / r['wall_s']:.2f}x, cpu {base['cpu_s'] / r['cpu_s']:.2f}x,"
                f" memory {base['peak_rss_mib'] / r['peak_rss_mib']:.2f}x"
            )
    floor, bare = results.get("libraries", {}), results.get("bare", {})
    if "cpu_s" in floor and "cpu_s" in base:
        out["outreach_above_libraries"] = (
            f"{base['cpu_s'] - floor['cpu_s']:.2f} s CPU (its own code and the posts), "
            f"{base['peak_rss_mib'] - floor['peak_rss_mib']:.0f} MiB"
        )
    agreed = results.get("agreed", {})
    if "peak_rss_mib" in bare and ("peak_rss_mib" in floor or "peak_rss_mib" in agreed):
        cap = 1.5 * bare["peak_rss_mib"]
        said = [f"1.5x bare = {cap:.0f} MiB"]
        for name, r in (("the libraries", floor), ("the agreed five", agreed)):
            if "peak_rss_mib" in r:
                said.append(
                    f"{name} alone take {r['peak_rss_mib']:.0f} MiB"
                    f" ({r['peak_rss_mib'] / bare['peak_rss_mib']:.2f}x bare)"
                )
        lowest = min(r["peak_rss_mib"] for r in (floor, agreed) if "peak_rss_mib" in r)
        out["memory_target"] = (
            "; ".join(said)
            + ": "
            + ("reachable" if lowest < cap else "out of reach with these libraries")
        )
    out["raw"] = json.dumps(results, default=str)
    return out


def run(
    quick: bool = False,
    items: str | int = "200,1000,5000",
    rounds: int = 2,
    install: bool = True,
    tools: Sequence[str] = TOOLS,
    against: str | None = None,
) -> dict[str, Any]:
    sizes = [int(n) for n in str(items).split(",")]
    if quick:
        sizes, rounds, install = [5], 1, False
    peers_python = ensure_peers(PEERS_VENV, install)
    out: dict[str, Any] = {"load": Path("/proc/loadavg").read_text().split()[:3]}
    for n in sizes:
        for key, value in one_size(n, rounds, peers_python, tools, against).items():
            out[key if len(sizes) == 1 else f"{n}: {key}"] = value
    if len(sizes) == 1:
        out["items"] = sizes[0]
    else:  # the cost of one more post: the slope between the smallest and largest size
        lo, hi = min(sizes), max(sizes)
        small, large = (json.loads(out[f"{n}: raw"]) for n in (lo, hi))
        for tool in large:
            if tool in ("libraries", "agreed"):
                continue  # posts nothing: no per-post cost
            a, b = small.get(tool, {}), large[tool]
            if "wall_s" in a and "wall_s" in b:
                wall = (b["wall_s"] - a["wall_s"]) / (hi - lo) * 1e3
                cpu = (b["cpu_s"] - a["cpu_s"]) / (hi - lo) * 1e3
                out[f"per post {lo}-{hi}: {tool}"] = f"{wall:.2f} ms wall, {cpu:.2f} ms CPU"
    if not peers_python:
        out["peers"] = f"not installed in {PEERS_VENV} (run without --quick to install them)"
    out["load_after"] = Path("/proc/loadavg").read_text().split()[:3]
    return out


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--items", default="200,1000,5000", help="sizes, comma-separated")
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--only", help="tools, comma-separated: " + ", ".join(TOOLS))
    p.add_argument("--against", help="another checkout's outreach, run as 'before' beside")
    a = p.parse_args()
    tools = a.only.split(",") if a.only else TOOLS
    report("peers", run(a.quick, a.items, a.rounds, tools=tools, against=a.against), a.json)


if __name__ == "__main__":
    main()

"""Fan-out: one news item to 20 channels whose servers each answer a post after 200 ms.

Ten Mastodon and ten Telegram channels, each on its own fake server on
127.0.0.1 that holds every post (POST /api/v1/statuses, sendMessage) for
`--delay` seconds before answering. outreach: the 20 posts queued in the
ledger, delivered by the real delivery loop (one thread per channel) through
Mastodon.py and python-telegram-bot. Baseline: the same 20 posts published
one channel after another by the same publishers. Target (issue 7): total
within 2x one round trip (400 ms for 200 ms servers).

Through the command line as users run it (issue 15): `outreach run --once` in
a fresh process, a campaign file whose feed (a file) has one item, the same 20
channels and fake servers, nothing imported beforehand. Its fan-out is what the
servers saw: from the first post to reach one of them to the last answer,
against the same target; the process's wall and CPU time and the machine's load
beside it. `--cli-runs N` runs it N times and reports the best and the second;
`--against DIR` runs another checkout's outreach (a `git archive <commit>`
unpacked in DIR: its package imported instead of this one's) interleaved with
this one, against the same fakes, for a before and after in one run on a
shared machine; `--cli-only` leaves the in-process part out.

    .venv/bin/python bench/fanout.py [--channels 20] [--delay 0.2] [--quick]
    .venv/bin/python bench/fanout.py --cli-only --cli-runs 4 --against /tmp/before
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from bench._common import parser, report  # noqa: E402  (after the sys.path lines)

TARGET = 2.0
TG_TOKEN = "123456:BENCH-TOKEN"
MA_TOKEN = "bench-mastodon-token"
POSTING = ("/api/v1/statuses", "/sendMessage")


POSTS: list[tuple[float, float]] = []
"""(arrived, answered) of every post any slow fake took, on the monotonic clock."""


def slow_fakes(delay: float) -> tuple[type, type]:
    from fakes.mastodon_server import FakeMastodon
    from fakes.telegram_server import FakeTelegram

    class SlowMastodon(FakeMastodon):
        def route(self, req: Any) -> Any:
            if req.path.rstrip("/").endswith(POSTING):
                arrived = time.monotonic()
                time.sleep(delay)
                POSTS.append((arrived, time.monotonic()))
            return super().route(req)

    class SlowTelegram(FakeTelegram):
        def route(self, req: Any) -> Any:
            if req.path.endswith(POSTING):
                arrived = time.monotonic()
                time.sleep(delay)
                POSTS.append((arrived, time.monotonic()))
            return super().route(req)

    return SlowMastodon, SlowTelegram


def run(
    quick: bool = False,
    channels: int = 20,
    delay: float = 0.2,
    *,
    cli_runs: int = 1,
    against: str | None = None,
    cli_only: bool = False,
) -> dict[str, Any]:
    if quick:
        channels, delay = 4, 0.05
    SlowMastodon, SlowTelegram = slow_fakes(delay)
    figures: dict[str, Any] = {"channels": channels, "server_delay_s": delay}
    met = True
    if not cli_only:
        figures |= in_process(channels, delay, SlowMastodon, SlowTelegram)
        met = figures.pop("met")
    cli = best_runs(channels, delay, SlowMastodon, SlowTelegram, cli_runs, against)
    figures |= cli
    figures["target"] = f"<= {TARGET}x one round trip ({TARGET * delay * 1000:.0f} ms)"
    figures["met"] = met and cli["cli_sent"] == channels and cli["cli_fanout_s"] <= TARGET * delay
    return figures


def in_process(
    channels: int, delay: float, SlowMastodon: type, SlowTelegram: type
) -> dict[str, Any]:
    """The delivery loop in this process: cold and warm publishers, and the sequential baseline."""
    from outreach.config import DeliverySettings
    from outreach.delivery import DeliveryLoop
    from outreach.ledger import open_ledger
    from outreach.networks.mastodon import MastodonChannel
    from outreach.networks.telegram import TelegramChannel
    from outreach.post import Post
    from outreach.publishers import publisher_for
    from outreach.secret import Secret

    settings = DeliverySettings(timeout_seconds=10.0)

    def utcnow() -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    with ExitStack() as stack:
        tmp = stack.enter_context(tempfile.TemporaryDirectory())
        chans: list[MastodonChannel | TelegramChannel] = []
        tokens: dict[str, str] = {}
        for i in range(channels):
            if i % 2 == 0:
                fake = stack.enter_context(SlowMastodon())
                chans.append(MastodonChannel(id=f"ma{i}", kind="mastodon", instance=fake.url))
                tokens[f"ma{i}"] = MA_TOKEN
            else:
                fake = stack.enter_context(SlowTelegram())
                chans.append(
                    TelegramChannel(
                        id=f"tg{i}",
                        kind="telegram",
                        chat="@freeales_ru",
                        api_base_url=fake.url,
                    )
                )
                tokens[f"tg{i}"] = TG_TOKEN

        def post(ch: Any, n: int) -> Post:
            text = "<b>Ales Bialiatski sentenced</b> https://freeales.fidh.net/news/1/"
            if ch.kind == "mastodon":
                text = "Ales Bialiatski sentenced https://freeales.fidh.net/news/1/"
            return Post(ch.id, ch.kind, text, "en", about=f"news:{n}")

        def publishers() -> dict[str, Any]:
            return {ch.id: publisher_for(ch, Secret(tokens[ch.id]), timeout=10.0) for ch in chans}

        ledger = open_ledger(f"sqlite:///{tmp}/ledger.sqlite3", utcnow)

        def fan_out(n: int, pubs: dict[str, Any]) -> tuple[float, Any]:
            now = utcnow()
            for ch in chans:
                ledger.enqueue(post(ch, n), due_at=now)
            loop = DeliveryLoop(ledger, pubs, settings, rng=random.Random(1))
            loop.start()
            t0 = time.perf_counter()
            result = loop.run_once(max_wait=0)
            return time.perf_counter() - t0, result

        import mastodon  # noqa: F401  (imports are start-up's cost, not a post's)
        import telegram  # noqa: F401

        # Cold: new publishers (HTTP sessions, Mastodon.py set-up), as just after start-up.
        pubs = publishers()
        cold, cold_result = fan_out(0, pubs)
        # Warm: the same publishers again, as in a service that has been running. (After
        # Telegram's one-a-second per chat: pacing would rightly hold the posts back.)
        time.sleep(1.1)
        fanout, result = fan_out(1, pubs)
        ledger.close()
        # Baseline: one channel after another, by the same (warm) publishers.
        t0 = time.perf_counter()
        for ch in chans:
            pubs[ch.id].publish(post(ch, 2), f"seq-{ch.id}")
        sequential = time.perf_counter() - t0
    sent = result.count("sent")
    return {
        "sent": sent,
        "sequential_s": sequential,
        "outreach_fanout_s": fanout,
        "outreach_fanout_cold_s": cold,
        "cold_sent": cold_result.count("sent"),
        "ratio_to_one_round_trip": fanout / delay,
        "ratio_to_sequential": fanout / sequential,
        "cold_ratio_to_one_round_trip": cold / delay,
        "met": sent == channels
        and fanout <= TARGET * delay
        and cold_result.count("sent") == channels,
    }


def best_runs(
    channels: int,
    delay: float,
    mastodon: type,
    telegram: type,
    runs: int,
    against: str | None,
) -> dict[str, Any]:
    """`run --once` `runs` times (this checkout and `against` in turn, each round's order
    swapped): each one's best and second fan-out, with the load each was measured at."""
    contenders: dict[str, Path | None] = {"cli": None}
    if against:
        contenders["against"] = Path(against).resolve()
    seen: dict[str, list[dict[str, Any]]] = {name: [] for name in contenders}
    for n in range(max(1, runs)):
        order = list(contenders.items())
        for name, root in order[::-1] if n % 2 else order:
            seen[name].append(run_cli(channels, delay, mastodon, telegram, root))
    out: dict[str, Any] = {}
    for name, results in seen.items():
        results.sort(key=lambda r: r["fanout_s"])
        best = results[0]
        out |= {
            f"{name}_sent": min(r["sent"] for r in results),
            f"{name}_fanout_s": best["fanout_s"],
            f"{name}_ratio_to_one_round_trip": best["fanout_s"] / delay,
            f"{name}_process_wall_s": best["wall_s"],
            f"{name}_process_cpu_s": best["cpu_s"],
            f"{name}_load": best["load"],
        }
        if len(results) > 1:
            second = results[1]
            out[f"{name}_second"] = (
                f"{second['fanout_s'] / delay:.2f}x ({second['fanout_s'] * 1000:.0f} ms, "
                f"load {second['load']:.1f})"
            )
        out[f"{name}_all_ms"] = [round(r["fanout_s"] * 1000) for r in results]
    return out


FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Viasna</title><link>https://spring96.org/</link>
<description>News</description>
<item><title>Ales Bialiatski sentenced</title><link>https://spring96.org/news/1</link>
<guid>https://spring96.org/news/1</guid><pubDate>Tue, 03 Mar 2026 09:00:00 GMT</pubDate>
<description>The court in Minsk sentenced Ales Bialiatski.</description></item>
</channel></rss>
"""


def run_cli(
    channels: int,
    delay: float,
    mastodon: type,
    telegram: type,
    root: Path | None = None,
) -> dict[str, Any]:
    """`outreach run --once` in a fresh process: one feed item to every channel.

    `root`: a checkout whose `outreach` the process imports instead of this one's
    (the editable install's finder, which would win over sys.path, taken out)."""
    import subprocess

    from servicekit import write_campaign

    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        chans: list[dict[str, Any]] = []
        for i in range(channels):
            if i % 2 == 0:
                fake = stack.enter_context(mastodon())
                chans.append({"id": f"ma{i}", "kind": "mastodon", "instance": fake.url,
                              "token_env": "BENCH_MA", "language": "en"})  # fmt: skip
            else:
                fake = stack.enter_context(telegram())
                chans.append({"id": f"tg{i}", "kind": "telegram", "chat": "@freeales_ru",
                              "api_base_url": fake.url, "token_env": "BENCH_TG",
                              "language": "ru"})  # fmt: skip
        (tmp / "feed.xml").write_text(FEED, encoding="utf-8")
        config = write_campaign(
            tmp,
            channels=chans,
            announcements=[],
            feeds=[{"id": "news", "path": "feed.xml", "backlog": 1}],
            store={"url": f"sqlite:///{tmp / 'store.sqlite3'}"},
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("OUTREACH_")}
        env |= {
            "OUTREACH_CONFIG": str(config),
            "BENCH_MA": MA_TOKEN,
            "BENCH_TG": TG_TOKEN,
        }
        code = "from outreach.cli import main; main()"
        if root is not None:
            code = (
                "import sys; sys.meta_path[:] = [f for f in sys.meta_path "
                f"if 'editable' not in repr(f)]; sys.path.insert(0, {str(root)!r}); " + code
            )
        POSTS.clear()
        load = os.getloadavg()[0]
        cpu0 = _children_cpu()
        t0 = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", code, "run", "--once"],
            env=env, cwd=tmp, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        wall = time.perf_counter() - t0
        cpu = _children_cpu() - cpu0
        if done.returncode != 0:
            raise RuntimeError(
                f"outreach run --once exited {done.returncode}: {done.stderr[-2000:]}"
            )
        posts = list(POSTS)
    fanout = max(a for _, a in posts) - min(r for r, _ in posts) if posts else float("nan")
    return {
        "sent": len(posts),
        "fanout_s": fanout,
        "wall_s": wall,
        "cpu_s": cpu,
        "load": load,
    }


def _children_cpu() -> float:
    t = os.times()
    return t.children_user + t.children_system


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--channels", type=int, default=20)
    p.add_argument("--delay", type=float, default=0.2)
    p.add_argument("--cli-runs", type=int, default=1, help="run --once this many times")
    p.add_argument("--against", help="another checkout, run --once interleaved with this one")
    p.add_argument("--cli-only", action="store_true", help="leave the in-process part out")
    a = p.parse_args()
    figures = run(
        a.quick,
        a.channels,
        a.delay,
        cli_runs=a.cli_runs,
        against=a.against,
        cli_only=a.cli_only,
    )
    report("fan-out", figures, a.json)


if __name__ == "__main__":
    main()

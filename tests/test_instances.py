"""Several `outreach run` processes on one PostgreSQL store (issue 13), and one on SQLite.

Real processes (tests/instancekit.py, as bench/takeover.py starts them), real
PostgreSQL (a fresh schema each), fake Mastodon and Telegram servers in this
process. A simulated clock (OUTREACH_CLOCK_SPEED) shortens pacing and retries;
the leases are real seconds (store.lease_seconds), shortened by the campaign file.
"""

from __future__ import annotations

import collections
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fakes import postgres_schema_url
from fakes.mastodon_server import FakeMastodon
from fakes.telegram_server import FakeTelegram
from instancekit import T0, Instance, campaign_env, held_by_pid, holder, poll

from outreach.ledger import CHANNEL, open_ledger
from outreach.post import Post

SECRETS = {  # the fake servers take any token
    "MI_MA1": "masto-token-1",
    "MI_MA2": "masto-token-2",
    "MI_TG": "123456:SECRET-TOKEN-xyz",
}


@pytest.fixture
def pg_url():
    yield from postgres_schema_url()


@pytest.mark.postgres
@pytest.mark.parametrize("count", [2, 3])
def test_instances_started_together_on_an_empty_database_all_come_up(tmp_path, pg_url, count):
    with FakeTelegram() as tg:
        channels = [
            {"id": f"tg{n}", "kind": "telegram", "chat": f"@freeales_{lang}",
             "api_base_url": tg.url, "token_env": "MI_TG", "language": lang}
            for n, lang in enumerate(("ru", "be"))
        ]  # fmt: skip
        env = campaign_env(tmp_path, pg_url, channels, speed=1, secrets=SECRETS)
        logs = [tmp_path / f"i{n}.log" for n in range(count)]
        procs = [Instance(env, log) for log in logs]
        try:
            poll(
                f"{count} instances to join",
                lambda: len(held_by_pid(pg_url)) == count,
                120,
                logs,
            )
            assert all(p.proc.poll() is None for p in procs)
            held = held_by_pid(pg_url)
            # each channel held by exactly one of them
            names = [n for names in held.values() for n in names if n.startswith(CHANNEL)]
            poll("both channels held", lambda: len(_channels(pg_url)) == 2, 60, logs)
            assert len(names) == len(set(names))
            # a channel handed from one instance to another is held by no one for a beat
            shows: list[str] = []

            def everyone_shown() -> bool:
                shows.append(outreach(env, "instances").stdout)
                pids = all(f"(pid {p.pid})" in shows[-1] for p in procs)
                return pids and "tg0" in shows[-1] and "tg1" in shows[-1]

            poll("outreach instances to show every instance and channel", everyone_shown, 60, logs)
            shown = shows[-1]
            status = subprocess.run(
                [sys.executable, "-c", "from outreach.cli import main; main()", "status"],
                env=env, capture_output=True, text=True, timeout=120,
            ).stdout  # fmt: skip
            assert all(f"(pid {p.pid})" in status for p in procs), status
            assert "last beat" in shown
        finally:
            for p in procs:
                p.stop()
        assert [p.proc.returncode for p in procs] == [0] * count


def outreach(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-c", "from outreach.cli import main; main()", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done


def _channels(url: str) -> list[str]:
    return [n for names in held_by_pid(url).values() for n in names if n.startswith(CHANNEL)]


def test_a_second_run_on_one_sqlite_store_is_refused(tmp_path):
    url = f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    with FakeTelegram() as tg:
        channels = [
            {"id": "tg", "kind": "telegram", "chat": "@freeales_ru", "api_base_url": tg.url,
             "token_env": "MI_TG", "language": "ru"}
        ]  # fmt: skip
        env = campaign_env(tmp_path, url, channels, speed=1, secrets=SECRETS)
        first = Instance(env, tmp_path / "first.log")
        try:
            lock = tmp_path / "ledger.sqlite3.run.lock"
            poll("the first to hold the store", lambda: lock.exists() and lock.read_text(), 60)
            second = subprocess.run(
                [sys.executable, "-c", "from outreach.cli import main; main()", "run"],
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert second.returncode != 0
            assert f"pid {first.pid}" in second.stderr
            assert "PostgreSQL" in second.stderr
            assert first.proc.poll() is None  # the first goes on
            shown = outreach(env, "instances").stdout
            assert f"one `outreach run` (pid {first.pid}) holds this SQLite store" in shown
        finally:
            first.stop()
        assert first.proc.returncode == 0


POSTS = 300  # 75 on each of four channels
KILLS = 5
SPEED = 10


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.timeout(900)  # about 90 s alone; far longer on a machine shared by six
def test_three_instances_killed_at_random_take_over_and_never_double(tmp_path, pg_url):
    rng = random.Random()
    seed = rng.randrange(10**6)
    rng.seed(seed)
    with FakeMastodon() as m1, FakeMastodon() as m2, FakeTelegram() as tg:
        channels = [
            {"id": "ma1", "kind": "mastodon", "instance": m1.url, "token_env": "MI_MA1",
             "language": "en"},
            {"id": "ma2", "kind": "mastodon", "instance": m2.url, "token_env": "MI_MA2",
             "language": "en"},
            {"id": "tg1", "kind": "telegram", "chat": "@freeales_ru", "api_base_url": tg.url,
             "token_env": "MI_TG", "language": "ru"},
            {"id": "tg2", "kind": "telegram", "chat": "@freeales_be", "api_base_url": tg.url,
             "token_env": "MI_TG", "language": "be"},
        ]  # fmt: skip
        # 10x: a Telegram chat's 75 posts take about 23 s at 20 a minute (a full window
        # waits 6 s); Mastodon, unpaced at this rate, answers in 0.25 s to last as long
        env = campaign_env(tmp_path, pg_url, channels, speed=SPEED, secrets=SECRETS)
        for m in (m1, m2):
            m.fail_next(2 * POSTS, "slow", delay=0.25, path="/statuses")
        ledger = open_ledger(pg_url, clock=lambda: T0)
        network = {c["id"]: c["kind"] for c in channels}
        for n in range(POSTS):
            ch = channels[n % 4]["id"]
            text = f"post {n}" if network[ch] == "mastodon" else f"<b>post {n}</b>"
            ledger.enqueue(Post(ch, network[ch], text, "en", about=f"news:{n}"), due_at=T0)
        ledger.close()

        def count(ch: str) -> int:
            if ch == "ma1":
                return len(m1.statuses)
            if ch == "ma2":
                return len(m2.statuses)
            return len(tg.texts("@freeales_ru" if ch == "tg1" else "@freeales_be"))

        logs: list[Path] = []

        def start() -> Instance:
            logs.append(tmp_path / f"i{len(logs)}.log")
            return Instance(env, logs[-1])

        procs = [start() for _ in range(3)]
        gaps: list[float] = []
        try:
            poll("all four channels held", lambda: len(_channels(pg_url)) == 4, 120, logs)
            kills = 0
            while kills < KILLS:
                time.sleep(rng.uniform(0.3, 1.5))
                # a channel still with work to do, and its holder
                live = [c for c in network if count(c) < POSTS // 4]
                if not live:
                    break
                victim_ch = rng.choice(live)
                pid = holder(pg_url, victim_ch)
                victim = next((p for p in procs if p.pid == pid), None)
                if victim is None:
                    continue  # between holders: try again
                before = count(victim_ch)
                killed_at = time.monotonic()
                victim.kill()
                kills += 1
                procs[procs.index(victim)] = start()
                poll(
                    f"a post on {victim_ch} after the kill",
                    lambda c=victim_ch, b=before: count(c) > b or count(c) >= POSTS // 4,
                    120,
                    logs,
                )
                gaps.append(time.monotonic() - killed_at)
            poll(
                "every post sent or settled",
                lambda: _settled(pg_url),
                240,
                logs,
            )
        finally:
            for p in procs:
                p.stop()

    assert kills >= KILLS, f"seed {seed}: the run ended after {kills} kills"
    ledger = open_ledger(pg_url)
    rows = ledger.deliveries(limit=10 * POSTS)
    ledger.close()
    states = collections.Counter(d.state for d in rows)
    assert set(states) <= {"sent", "unknown"}, f"seed {seed}: {states}"
    for name, server in (("ma1", m1), ("ma2", m2)):
        expected = {f"post {n}": 1 for n in range(POSTS) if channels[n % 4]["id"] == name}
        assert collections.Counter(server.texts()) == expected, f"seed {seed}: {name}"
        assert all(d.state == "sent" for d in rows if d.channel_id == name)
    texts = collections.Counter(tg.texts())
    assert max(texts.values()) == 1, f"seed {seed}: posted twice: {texts.most_common(3)}"
    for d in (d for d in rows if d.network == "telegram"):
        n = d.about.split(":")[1]
        if f"<b>post {n}</b>" not in texts:
            assert d.state == "unknown", f"seed {seed}: {d.about} lost silently ({d.state})"
    # A takeover: the lease runs out (LEASE), the next beat takes it (RENEW); then a
    # full pacing window at most (60 clock s), and one retry back-off (20 clock s).
    worst = max(gaps)
    print(f"seed {seed}: gaps after kills {[round(g, 1) for g in gaps]} s; {states}")
    assert worst <= 15 + 20 / SPEED, f"seed {seed}: gaps {gaps}"


def _settled(url: str) -> bool:
    ledger = open_ledger(url)
    try:
        counts = ledger.counts()
    finally:
        ledger.close()
    return sum(counts.get(s, 0) for s in ("sent", "unknown", "failed")) >= POSTS


# -- the leases in one process: sharing out, a silent death, a lost database --------


class Clock:
    """Real seconds, as the keeper counts them (the tests wait on a real database)."""

    def __call__(self) -> float:
        return time.monotonic()


def membership(url: str, channels: list[str], acquired: list[str] | None = None):
    from outreach.instances import Shared

    ledger = open_ledger(url)
    return Shared(
        ledger,
        channels,
        real_monotonic=Clock(),
        ttl=3.0,
        renew=0.5,
        margin=1.0,
        on_acquired=(acquired.append if acquired is not None else None),
    )


def held_channels(m) -> set[str]:
    return {n for n in m.held() if n.startswith(CHANNEL)}


@pytest.mark.postgres
def test_instances_share_the_channels_and_take_over_a_silent_one(pg_url):
    channels = ["ma1", "ma2", "tg1", "tg2"]
    a_got: list[str] = []
    a, b = membership(pg_url, channels, a_got), membership(pg_url, channels)
    a.start()
    poll("the first to hold every channel", lambda: len(held_channels(a)) == 4, 30)
    b.start()
    poll("the channels shared out 2 and 2", lambda: len(held_channels(b)) == 2, 30)
    poll("the first to give two back", lambda: len(held_channels(a)) == 2, 30)
    assert held_channels(a).isdisjoint(held_channels(b))
    members = {m.owner: m for m in a.leases.members()}
    assert set(members) == {a.owner, b.owner}
    assert len(members[b.owner].holds) >= 2 and members[b.owner].beat_age < 3.0
    assert sum(1 for m in members.values() if "queueing" in m.holds) == 1

    # b dies silently (no hand-back): a takes its channels once the leases run out
    b._stop.set()
    b._thread.join()
    died = time.monotonic()
    poll("a to hold every channel again", lambda: len(held_channels(a)) == 4, 30)
    assert time.monotonic() - died <= 3.0 + 0.5 + 5.0  # ttl + renew + a loaded machine
    assert {CHANNEL + c for c in channels} <= set(a_got)
    a.stop()
    assert a.leases.members() == []


@pytest.mark.postgres
def test_a_channel_busy_for_a_long_run_of_posts_is_handed_back_without_stalling_the_others(
    pg_url,
):
    """The delivery loop may hold a channel's busy lock across a run of posts, asking
    `holds` between two: a give-back must stop that run at its next post, not wait for
    the queue to drain while the keeper's beats (every other lease) wait behind it."""
    import threading

    channels = ["ma1", "ma2", "tg1", "tg2"]
    a, b = membership(pg_url, channels), membership(pg_url, channels)
    a.start()
    poll("the first to hold every channel", lambda: len(held_channels(a)) == 4, 30)
    done = threading.Event()
    dropped: list[str] = []  # channels a stopped holding, in the order it did

    def sending(name: str) -> None:  # a long backlog: a post every 10 ms while held
        while not done.is_set():
            with a.busy(name):
                while a.holds(name) and not done.is_set():
                    time.sleep(0.01)
                if not done.is_set():
                    dropped.append(name)
            while not a.holds(name) and not done.is_set():
                time.sleep(0.01)

    threads = [threading.Thread(target=sending, args=(CHANNEL + c,)) for c in channels]
    for t in threads:
        t.start()
    try:
        b.start()
        poll("the channels shared out 2 and 2", lambda: len(held_channels(b)) == 2, 30)
        poll("the first to give two back", lambda: len(held_channels(a)) == 2, 30)
        kept = held_channels(a)
        # only the two given back ever stopped: the kept ones' leases never ran out
        assert set(dropped) == set(a.channels) - kept, dropped
    finally:
        done.set()
        for t in threads:
            t.join()
        a.stop()
        b.stop()


class Unreachable:
    """The database gone: every call fails as the driver would."""

    shared = True

    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("server closed the connection unexpectedly")

        return fail


@pytest.mark.postgres
def test_an_instance_that_loses_the_database_stops_before_its_leases_can_pass(pg_url, caplog):
    m = membership(pg_url, ["tg1"])
    m.start()
    name = CHANNEL + "tg1"
    poll("the channel held", lambda: m.holds(name), 30)
    leases, m.leases = m.leases, Unreachable()
    with caplog.at_level("WARNING", logger="outreach.instances"):
        poll("sending to stop", lambda: not m.holds(name), 30)
        stopped = time.monotonic()
        # at that moment the store still counts the lease as ours: no one else can have it
        assert any(h.name == name and h.owner == m.owner for h in leases.held())
        assert "the store cannot be reached" in caplog.text
        m.leases = leases  # the database is back
        poll("the instance to rejoin", lambda: m.holds(name), 30)
        assert "the store is back" in caplog.text
    assert time.monotonic() - stopped < 30
    m.stop()

"""The delivery thread's own cost per post: the loop and the ledger, the network left out.

    .venv/bin/python bench/delivery_thread.py [--posts 1000] [--rounds 3] [--against DIR]

N posts queued on one Mastodon channel of an SQLite ledger (on /dev/shm), then
delivered by `DeliveryLoop.run_once` to a publisher that takes every post at once
(bench/ledger_pg.py's `instant_publisher`: a real publisher, so its posts are claimed,
paced, counted and finished as any other, only without the HTTP request). What is
measured is the CPU of the process over `run_once` divided by N: the main thread
waits meanwhile, so it is the delivery thread's.

The floor: the same N rows in a bare sqlite3 table with the ledger's pragmas (WAL,
synchronous=FULL), one transaction a post that finishes the previous post and claims
the next (two UPDATEs, the least a ledger that survives kill -9 can write), no
pacing, no leases, no recovery. `--against DIR` runs another checkout's loop
(`git archive <commit> | tar -x -C DIR`) interleaved with this one, round by round,
each in a fresh process, best of the rounds.

This is the figure of bench/README.md's "The ledger's transactions per post"
(issue 15), made repeatable: it was a script in /tmp.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import PYTHON, ROOT, parser, report

_OUTREACH = """
import json, random, sys, time
from outreach.config import DeliverySettings
from outreach.delivery import DeliveryLoop
from outreach.ledger import open_ledger
from outreach.post import Post
from bench.ledger_pg import instant_publisher

n, path = int(sys.argv[1]), sys.argv[2]
ledger = open_ledger(f"sqlite:///{path}")
with ledger.batch() as b:
    for i in range(n):
        b.enqueue(Post("ch", "mastodon", f"post {i}", "en", about=f"bench:{i}"))
loop = DeliveryLoop(ledger, {"ch": instant_publisher("ch")}, DeliverySettings(),
                    rng=random.Random(1), pacing_scale=0.0001)
loop.start()
c0 = time.process_time()
report = loop.run_once(max_wait=60)
cpu = time.process_time() - c0
print(json.dumps({"cpu_s": cpu, "sent": report.count("sent")}))
"""

_FLOOR = """
import json, sqlite3, sys, time
n, path = int(sys.argv[1]), sys.argv[2]
db = sqlite3.connect(path, isolation_level=None)
db.execute("PRAGMA journal_mode=WAL")
db.execute("PRAGMA synchronous=FULL")
db.execute("CREATE TABLE d (id INTEGER PRIMARY KEY, channel TEXT, state TEXT, text TEXT,"
           " claim TEXT, sent_at REAL, remote_id TEXT)")
db.execute("CREATE INDEX d_pending ON d (channel, id) WHERE state = 'pending'")
db.executemany("INSERT INTO d (channel, state, text) VALUES ('ch', 'pending', ?)",
               [(f"post {i}",) for i in range(n)])
claim = ("UPDATE d SET state = 'sending', claim = ? WHERE id = (SELECT min(id) FROM d"
         " WHERE channel = 'ch' AND state = 'pending') AND state = 'pending' RETURNING id, text")
finish = "UPDATE d SET state = 'sent', sent_at = ?, remote_id = ? WHERE id = ? AND claim = ?"
sent, prev, turn = 0, None, 0
c0 = time.process_time()
while True:
    turn += 1
    db.execute("BEGIN IMMEDIATE")
    if prev is not None:
        sent += db.execute(finish, (time.time(), f"r{prev[0]}", *prev)).rowcount
    row = db.execute(claim, (f"k{turn}",)).fetchone()
    db.execute("COMMIT")
    if row is None:
        break
    prev = (row[0], f"k{turn}")
cpu = time.process_time() - c0
print(json.dumps({"cpu_s": cpu, "sent": sent}))
"""


def _child(code: str, tree: Path, posts: int) -> dict[str, Any]:
    shm = "/dev/shm" if Path("/dev/shm").is_dir() else None
    with tempfile.TemporaryDirectory(dir=shm) as tmp:
        env = {**os.environ, "PYTHONPATH": f"{tree}{os.pathsep}{ROOT}"}
        out = subprocess.run(
            [PYTHON, "-c", code, str(posts), str(Path(tmp) / "ledger.sqlite3")],
            env=env,
            cwd=tree,
            capture_output=True,
            text=True,
            check=False,
        )
    if out.returncode != 0:
        raise RuntimeError(f"the child in {tree} failed:\n{out.stderr[-2000:]}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def run(
    quick: bool = False, posts: int = 1000, rounds: int = 3, against: str | None = None
) -> dict[str, Any]:
    if quick:
        posts, rounds = 20, 1
    trees = {"outreach": (_OUTREACH, ROOT), "floor": (_FLOOR, ROOT)}
    if against:
        trees["before"] = (_OUTREACH, Path(against).resolve())
    best = {name: float("inf") for name in trees}
    sent = {name: 0 for name in trees}
    for _ in range(rounds):
        for name, (code, tree) in trees.items():
            got = _child(code, tree, posts)
            best[name] = min(best[name], got["cpu_s"])
            sent[name] = got["sent"]
    figures: dict[str, Any] = {"posts": posts, "rounds": rounds}
    for name in trees:
        figures[f"{name}_cpu_ms_per_post"] = best[name] / posts * 1000
        figures[f"{name}_sent"] = sent[name]
    figures["outreach_vs_floor"] = best["outreach"] / best["floor"]
    if against:
        figures["outreach_vs_before"] = best["outreach"] / best["before"]
    figures["load"] = Path("/proc/loadavg").read_text().split()[0]
    return figures


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--posts", type=int, default=1000)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--against", help="another checkout, run interleaved as 'before'")
    a = p.parse_args()
    report("delivery_thread", run(a.quick, a.posts, a.rounds, a.against), a.json)


if __name__ == "__main__":
    main()

"""A takedown process for the crash test: `outreach takedown` as the application does it.

Run as `python takedown_worker.py '<json>'`. Mode "send" posts the subject's
posts (queued by the test) and exits; mode "takedown" calls
outreach.corrections.takedown, which records the removals once and does them
(a restarted worker finds them recorded and carries on), then prints the
report as JSON. The test kills it with SIGKILL at random moments. Pacing keeps
its rules, scaled down, and the lease is short, so a run takes seconds.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from outreach.app import App
from outreach.corrections import takedown


def main(args: dict) -> None:
    app = App(args["config"], args["env"])
    app.delivery_tuning = {
        "pacing_scale": args["pacing_scale"],
        "lease": dt.timedelta(seconds=args["lease"]),
    }
    if args["mode"] == "send":
        loop = app.delivery_loop()
        loop.start()
        loop.run_once(max_wait=60)
        return
    result = takedown(app, args["subject"], by="crash test", why="test", wait=60)
    print(json.dumps(asdict(result.report), default=str))


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))

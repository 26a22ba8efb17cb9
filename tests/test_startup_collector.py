"""The garbage collector the CLI holds while it starts is running again once it has started
(outreach/startup.py): a long command (buttons for 10,000 pages, `run` for weeks) never
runs without it. Each command runs as users run it, in a fresh process."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from servicekit import write_campaign

from outreach.startup import hold_collector, release_collector

# At exit, the collector's state: on or off, and how many objects start-up left frozen.
RUN = (
    "import atexit, gc, json, sys\n"
    "out = sys.argv.pop(1)\n"
    "atexit.register(lambda: open(out, 'w').write(json.dumps("
    "[gc.isenabled(), gc.get_freeze_count()])))\n"
    "from outreach.cli import main\n"
    "main()\n"
)


def collector_after(folder: Path, *args: str) -> tuple[bool, int]:
    state = folder / "gc.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("OUTREACH_")}
    env["OUTREACH_CONFIG"] = str(write_campaign(folder, feeds=[]))
    env["OUTREACH_DB_URL"] = f"sqlite:///{folder / 'store.sqlite3'}"
    proc = subprocess.run(
        [sys.executable, "-c", RUN, str(state), *args],
        env=env,
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    enabled, frozen = json.loads(state.read_text(encoding="utf-8"))
    return enabled, frozen


@pytest.mark.parametrize("args", [("run", "--once", "--wait", "1"), ("share", "ales")])
def test_the_collector_runs_again_once_the_command_has_started(tmp_path: Path, args):
    enabled, frozen = collector_after(tmp_path, *args)
    assert enabled
    assert frozen > 10_000  # start-up's modules and parts, out of the collector's sight


def test_only_a_process_that_held_the_collector_releases_it():
    assert gc.isenabled()
    release_collector()  # never held here: the test process's collector is left alone
    assert gc.get_freeze_count() == 0
    gc.disable()
    try:
        hold_collector()  # off already (someone else's choice): not ours to turn on
        release_collector()
        assert not gc.isenabled()
        assert gc.get_freeze_count() == 0
    finally:
        gc.enable()

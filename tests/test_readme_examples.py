"""Every `outreach ...` line in the README's shell examples runs as written, in order.

As a reader would type them, from an empty folder, with the bundled campaign
(its store in the user data directory), on a simulated clock so that the dates
the examples name stay meaningful whatever day the tests run. The few that
cannot run here say why in NOT_HERE; each of those is covered by its own tests.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from outreach.cli import cli

README = Path(__file__).resolve().parents[1] / "README.md"
NOW = "2026-08-04T09:59:00+03:00"

NOT_HERE = {
    "outreach run": "runs until stopped (tests/test_service*.py stop it with a signal)",
    "outreach --log-format json run": "runs until stopped (tests/test_log_json.py)",
    "outreach run --metrics-port 9464": "runs until stopped (tests/test_metrics.py)",
    "outreach adminbot": "needs a bot token and Telegram (tests/test_adminbot_*.py)",
    "outreach web": "runs until stopped (tests/test_web*.py)",
    "outreach resolve 42 sent --url https://t.me/freeales_ru/118": (
        "needs a delivery whose outcome is unknown, which only a real network leaves "
        "(tests/test_delivery_cli*.py, tests/test_secrets.py)"
    ),
    "outreach retry 43": "needs a failed or unknown delivery (tests/test_secrets.py)",
    "outreach lookup 42": (
        "needs a delivery posted to a live network (tests/test_cli_corrections.py)"
    ),
    'outreach correct 42 --text "Day 5001 …" --why "wrong day count"': (
        "needs a post sent to a live network (tests/test_cli_corrections.py)"
    ),
}

INPUT = {"outreach web add-user anna --role admin": "a long passphrase\na long passphrase\n"}
"""What the reader types at the prompt."""
EXIT = {"outreach status": 1}
"""Examples that say something is wrong on purpose: no `outreach run` runs in this test."""


def examples() -> list[str]:
    found = []
    for block in re.findall(r"```sh\n(.*?)```", README.read_text(encoding="utf-8"), re.S):
        for line in block.splitlines():
            command = re.split(r"\s{2,}#", line)[0].strip()
            if command.startswith("outreach "):
                found.append(command)
    return found


def test_the_readme_has_examples_and_only_known_ones_are_left_out():
    found = examples()
    assert len(found) >= 25
    assert set(NOT_HERE) <= set(found), "NOT_HERE names a line the README no longer has"


@pytest.mark.slow
@pytest.mark.timeout(900)  # some forty commands, each loading the campaign
@pytest.mark.parametrize("now", [None, NOW], ids=["today", "anniversary-eve"])
def test_every_readme_example_runs_in_order(tmp_path, monkeypatch, now):
    """Today, as a reader would; and on the morning of the campaign's anniversary."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)  # where the reader types them
    env = {
        "OUTREACH_FAKE_NOW": now,
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "OUTREACH_CONFIG": None,
        "OUTREACH_DB_URL": None,
    }
    failed = []
    for line in examples():
        if line in NOT_HERE:
            continue
        result = CliRunner(env=env).invoke(cli, shlex.split(line)[1:], input=INPUT.get(line))
        if result.exit_code != EXIT.get(line, 0) or (
            result.exception and not isinstance(result.exception, SystemExit)
        ):
            failed.append(f"{line}\n    -> exit {result.exit_code}: {result.output[-600:]}")
    assert failed == [], "\n".join(failed)
    # what the examples wrote stayed in the folder they were typed in, and git ignores it
    assert (work / "share-bars" / "index.html").is_file()
    assert (work / "my-campaign" / "outreach.yaml").is_file()
    ignored = (README.parent / ".gitignore").read_text(encoding="utf-8").split()
    for name in sorted(p.name for p in work.iterdir()):
        assert f"/{name}" in ignored or f"/{name}/" in ignored, f"{name} is not in .gitignore"

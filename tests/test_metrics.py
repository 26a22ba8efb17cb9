"""`outreach run --metrics-port`: Prometheus series and /health on loopback, from the store."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

DOCUMENTED = {
    "outreach_deliveries", "outreach_delivery_retries", "outreach_overdue_deliveries",
    "outreach_oldest_overdue_seconds", "outreach_delivery_lateness_seconds",
    "outreach_feed_failures", "outreach_feed_last_poll_timestamp_seconds",
    "outreach_heartbeat_age_seconds",
}  # fmt: skip


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def _series(text: str) -> dict[tuple[str, tuple], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def test_the_service_serves_the_documented_series_and_health(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    env = {**os.environ, "OUTREACH_DB_URL": url, "OUTREACH_FAKE_NOW": "2026-08-04T09:59:00+03:00"}
    env.pop("OUTREACH_CONFIG", None)
    proc = subprocess.Popen(
        [sys.executable, "-c", "from outreach.cli import main; main()",
         "run", "--metrics-port", "0"],
        env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stderr), daemon=True)  # type: ignore[arg-type]
    reader.start()
    try:
        deadline = time.monotonic() + 60
        port = None
        while port is None and time.monotonic() < deadline and proc.poll() is None:
            found = [
                m for line in list(lines) if (m := re.search(r"127\.0\.0\.1:(\d+)/metrics", line))
            ]
            port = int(found[0][1]) if found else None
            time.sleep(0.1)
        assert port, "".join(lines)
        base = f"http://127.0.0.1:{port}"
        series: dict = {}
        while time.monotonic() < deadline:  # the first turn reads the feed and sends (dry-run)
            code, text = _get(f"{base}/metrics")
            assert code == 200
            series = _series(text)
            if series.get(("outreach_deliveries", (("state", "sent"),))) == 3:
                break
            time.sleep(0.3)
        # By family: a series may have no samples (no real post in the last hour: the
        # bundled campaign's are dry runs, which no lateness counts).
        names = {family.name for family in text_string_to_metric_families(text)}
        assert names >= DOCUMENTED, DOCUMENTED - names
        assert series[("outreach_deliveries", (("state", "sent"),))] == 3
        assert series[("outreach_deliveries", (("state", "pending"),))] == 0
        assert series[("outreach_feed_failures", (("feed", "news"),))] == 0
        assert series[("outreach_overdue_deliveries", ())] == 0
        assert 0 <= series[("outreach_heartbeat_age_seconds", ())] < 180
        code, body = _get(f"{base}/health")
        assert code == 200 and json.loads(body)["alive"] is True
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0

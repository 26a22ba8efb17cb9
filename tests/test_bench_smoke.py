"""Every benchmark still runs: each script's core at a tiny size (--quick). No timing asserted.

The figures themselves are for bench/README.md; here only that each benchmark
gets through its work and reports it (posts sent, links built, files written).
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

pytestmark = pytest.mark.slow


def quick(name: str) -> dict:
    return importlib.import_module(f"bench.{name}").run(quick=True)


def test_every_benchmark_is_in_run_all():
    from bench.run_all import BENCHMARKS

    scripts = {p.stem for p in (ROOT / "bench").glob("*.py") if not p.stem.startswith("_")}
    assert scripts - {"run_all"} == set(BENCHMARKS)


def test_an_against_checkout_is_compiled_not_this_one(tmp_path):
    """`--against DIR` runs DIR's outreach: its bytecode must be made, or "before" pays
    the compilation in every timed run and looks slower than it is."""
    from bench._common import PYTHON, compile_outreach

    package = tmp_path / "outreach"
    package.mkdir()
    (package / "__init__.py").write_text("from . import mod\n", encoding="utf-8")
    (package / "mod.py").write_text("X = 1\n", encoding="utf-8")
    compile_outreach(PYTHON, {"PYTHONPATH": str(tmp_path)})
    assert sorted(p.name.split(".")[0] for p in (package / "__pycache__").glob("*.pyc")) == [
        "__init__",
        "mod",
    ]


def test_share_links():
    r = quick("share_links")
    assert r["links"] == r["pages"] * r["networks"] > 0
    assert r["outreach_cpu_s"] > 0 and r["baseline_cpu_s"] > 0


def test_sharebar_export():
    r = quick("sharebar_export")
    assert r["outreach_files"] > 2 * r["bars"]  # fragment + manifest per bar, and the rest
    assert r["outreach_peak_rss_mib"] > 0


def test_buttons_cli():
    r = quick("buttons_cli")
    # A fragment, a manifest and Open Graph tags per page and language (4), and the rest
    assert r["pages"] == 20 and r["buttons_files"] > 3 * 4 * r["pages"]
    assert r["floor_files"] == 3 * 4 * r["pages"]
    assert r["load_config_cpu_s"] > 0 and r["ratio_cpu"] > 0


def test_startup():
    r = quick("startup")
    assert r["heavy_imports"] == "none", r["heavy_imports"]
    assert r["outreach_help_median_ms"] > 0


def test_delivery_thread():
    r = quick("delivery_thread")
    # every post delivered by the loop and by the floor, and a figure for each
    assert r["outreach_sent"] == r["floor_sent"] == r["posts"] > 0
    assert r["outreach_cpu_ms_per_post"] > 0 and r["floor_cpu_ms_per_post"] > 0


def test_pacing():
    r = quick("pacing")
    assert r["sent"] == r["posts"]
    assert r["minimum_s (20/min and 1/s, as outreach paces)"] > 0


def test_fanout():
    r = quick("fanout")
    assert r["sent"] == r["channels"] and r["cold_sent"] == r["channels"]


def test_telegram_posts():
    r = quick("telegram_posts")
    assert r["sent"] == 2 * r["posts"] and r["outreach_connections"] == 1


def test_peers():
    r = quick("peers")
    assert r["outreach"].endswith(f"{r['items']} posted"), r["outreach"]
    # the floor imported what outreach's run had loaded (its memory is printed against
    # the target) and posted nothing
    assert r["libraries"].endswith(" MiB peak, 0 posted"), r["libraries"]
    assert "the libraries alone take" in r["memory_target"], r
    # the smaller floor: only the five libraries the design names for this path
    assert r["agreed"].endswith(" MiB peak, 0 posted"), r["agreed"]
    assert "the agreed five alone take" in r["memory_target"], r


def test_scale():
    r = quick("scale")
    assert r["queued"] == r["sent"] == r["due_in_same_minute"]
    assert r["startup_s"] > 0 and r["rss_after_startup_mib"] > 0


def test_minimum_schedule_is_the_rules_earliest():
    from bench.pacing import minimum_schedule

    times = minimum_schedule(45, [(20, 60.0), (1, 1.0)])
    assert times[:3] == [0.0, 1.0, 2.0]
    assert times[19] == 19.0 and times[20] == 60.0 and times[40] == 120.0


def test_percentile_is_nearest_rank():
    from bench._common import percentile

    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 99) == 99.0
    assert percentile([3.0], 99) == 3.0


def test_ledger_reads():
    r = quick("ledger_reads")
    assert r["rows"] == 300 and r["same_rows_as_baseline"]
    assert r["deliveries_limit_3_ms"] > 0 and r["baseline_all_rows_ms"] > 0


def test_ledger_pg():
    r = quick("ledger_pg")
    if "skipped" in r:
        pytest.skip(r["skipped"])
    assert r["sent"] == 2 * r["rounds"] * r["posts_per_round"] and r["never_analyzed"]
    assert r["large_ms_per_post"] > 0 and r["empty_ms_per_post"] > 0


def test_takeover():
    r = quick("takeover")
    if "skipped" in r:
        pytest.skip(r["skipped"])
    assert r["kills"] == 2
    assert 0 < r["takeover_median_s"] <= r["takeover_worst_s"]
    assert r["first_post_after_kill_worst_s"] > 0
    assert r["one_instance_posts_per_s"] > 0 and r["two_instances_posts_per_s"] > 0


def test_memory_phases():
    r = quick("memory_phases")
    phases = [p.split(":")[0] for p in r["run_5"]["phases (VmRSS / VmHWM at the end)"]]
    assert phases[0] == "python" and "posting done" in phases and phases[-1] == "exit"
    assert "outreach's modules (as run --once loads them)" in r["imports"]["alone"]


@pytest.mark.timeout(600)  # a hang guard: valgrind runs Python some 50x slower, more when busy
def test_instructions_counts_a_small_run():
    """One `run --once` under valgrind, not --quick's two: each is some 2.7 G instructions
    of start-up whatever its size (bench/README.md), 20 s here and over a minute on a busy
    two-core machine, and two of them outran the suite's 120 s timeout. How run() makes
    its figures of two counts is the next test's, on counts given."""
    import shutil

    if shutil.which("valgrind") is None:
        pytest.skip("valgrind is not installed (.ci/run installs it)")
    from bench.instructions import count

    got = count(2)
    assert got["posted"] == 2  # every item reached the fake
    # the whole run was counted, its start-up too (Python's alone is over 50 M)
    assert got["instructions"] > 100_000_000, got


def test_instructions_gives_per_post_and_fixed_of_two_counts(monkeypatch):
    from bench import instructions

    def count(items: int, tree: str | None = None) -> dict[str, int]:
        per_post, fixed = (7_000_000, 2_700_000_000) if tree is None else (8_000_000, 3_000_000_000)
        return {"instructions": fixed + per_post * items, "posted": items}

    monkeypatch.setattr(instructions.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(instructions, "count", count)
    r = instructions.run(quick=True, against="/tmp/before")
    assert r["items"] == r["outreach_posted"] == r["before_posted"] == "2,6"
    assert (r["outreach_per_post"], r["outreach_fixed"]) == (7_000_000, 2_700_000_000)
    assert (r["before_per_post"], r["before_fixed"]) == (8_000_000, 3_000_000_000)
    assert r["per_post_vs_before"] == 7 / 8 and r["fixed_vs_before"] == 0.9


def test_import_costs_gives_each_module_body_its_instructions(tmp_path):
    """bench/import_costs.py's attribution, on a script small enough for callgrind here:
    the instructions of json's body are json's, of the script's own work "(run)"'s."""
    import shutil

    if shutil.which("valgrind") is None:
        pytest.skip("valgrind is not installed (.ci/run installs it)")
    from bench.import_costs import owned_by

    script = tmp_path / "tiny.py"
    script.write_text("import json\nprint(sum(range(200_000)))\n", encoding="utf-8")
    owned = owned_by(script, [], {}, tmp_path)
    assert owned["json"] > 0 and owned["json.decoder"] > 0  # a package and its submodule
    # the loop's 200,000 additions are the run's, not an import's
    assert owned["(run)"] > owned["json"]
    assert sum(owned.values()) > 50_000_000  # Python's start-up is counted too


def test_syscalls():
    r = quick("syscalls")
    assert r["outreach_posted"] == "2,6"  # every item of both runs reached the fake
    calls = r["outreach_per_post_by_call"]
    # a post is at least a send and a receive on the socket, and a commit in the store
    assert calls.get("sendto", 0) + calls.get("write", 0) >= 1
    assert r["outreach_per_post"] > 5 and r["outreach_fixed"] > 1000

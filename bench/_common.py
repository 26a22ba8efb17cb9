"""What every benchmark shares: timing, memory, the machine, synthetic items, output.

Each benchmark is one script with a `run(quick: bool) -> dict` core that the
smoke test calls at a tiny size, and a `main()` that prints the figures.
Times are the best of several repeats (the least disturbed by the other
processes on a shared machine); every figure is also given as a ratio
against a baseline measured in the same run, so runs on different machines
compare.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
_compiled: set[str] = set()


def compile_outreach(python: str = PYTHON, env: Mapping[str, str] | None = None) -> None:
    """Bytecode for the outreach package the children will import, as users have it.

    pip compiles a package's modules when it installs it, and an editable install
    writes them at its first import; but under PYTHONDONTWRITEBYTECODE=1 (set on the
    shared machine) a checkout has none, and every child compiled outreach's 60-odd
    modules from source again, about 0.3 s of CPU a run that no user pays (issue 15).
    The libraries (Mastodon.py, the peers) were compiled by pip. Once per process.

    `-P` keeps the current folder off sys.path, so that with PYTHONPATH naming another
    checkout (`--against`) it is that checkout's package that is compiled, as its
    children import it; run from ROOT without it, `import outreach` found this
    checkout's, and "before" paid the compilation in every run.
    """
    key = f"{python}\0{(env or {}).get('PYTHONPATH', '')}"
    if key in _compiled:
        return
    _compiled.add(key)
    code = (
        "import compileall, os, outreach\n"
        "compileall.compile_dir(os.path.dirname(outreach.__file__), quiet=1)\n"
        "print(os.path.dirname(outreach.__file__))\n"
    )
    done = subprocess.run(
        [python, "-P", "-c", code],
        env={**os.environ, **(env or {})},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    wanted = (env or {}).get("PYTHONPATH", "").split(os.pathsep)[0]
    if wanted and not done.stdout.strip().startswith(str(Path(wanted).resolve())):
        raise RuntimeError(f"compiled {done.stdout.strip()!r}, not the checkout in {wanted}")


def machine() -> dict[str, Any]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": model or platform.processor(),
        "python": platform.python_version(),
        "date": dt.date.today().isoformat(),
    }


def best_of(fn: Callable[[], Any], repeat: int) -> float:
    """The fastest of `repeat` runs of fn, in wall seconds, with the collector quiet."""
    return compare({"fn": fn}, repeat)["fn"]["wall"]


def compare(fns: Mapping[str, Callable[[], Any]], repeat: int) -> dict[str, dict[str, float]]:
    """Best wall and CPU seconds of each fn, the runs interleaved (a, b, a, b, ...).

    Interleaving gives each contender the same share of whatever else the
    machine is doing; CPU time (this process only) is the steadier figure on a
    shared machine, wall time the one a user waits.
    """
    best = {name: {"wall": math.inf, "cpu": math.inf} for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            gc.collect()
            gc.disable()
            try:
                c0, t0 = time.process_time(), time.perf_counter()
                fn()
                wall, cpu = time.perf_counter() - t0, time.process_time() - c0
            finally:
                gc.enable()
            best[name]["wall"] = min(best[name]["wall"], wall)
            best[name]["cpu"] = min(best[name]["cpu"], cpu)
    return best


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


@dataclass(frozen=True)
class Child:
    wall: float
    cpu: float
    """User + system seconds of the child itself."""
    maxrss_kib: int
    """Peak resident memory (VmHWM) of the child itself, after its exec."""
    out: str
    err: str

    @property
    def maxrss_mib(self) -> float:
        return self.maxrss_kib / 1024


# Runs a script as __main__ and, at exit, writes its peak resident memory (VmHWM, which
# starts afresh at exec) to the file $BENCH_HWM_FILE names.
_HWM_WRAPPER = """
import atexit, os, runpy, sys

def _hwm():
    with open('/proc/self/status') as status:
        kib = next(int(l.split()[1]) for l in status if l.startswith('VmHWM:'))
    with open(os.environ['BENCH_HWM_FILE'], 'w') as out:
        out.write(str(kib))

atexit.register(_hwm)
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name='__main__')
"""


def run_measured(
    args: list[str], env: Mapping[str, str] | None = None, python: str = PYTHON, cwd: Path = ROOT
) -> Child:
    """Run the Python script `args[0]` with `args[1:]` in a fresh process.

    CPU time from wait4 (that child's own). Peak memory is the child's VmHWM
    read by the child itself at exit: wait4's ru_maxrss would also count the
    parent's pages the child held between fork and exec.
    """
    if python == PYTHON:
        compile_outreach(python, env)
    fd, hwm_file = tempfile.mkstemp(prefix="bench-hwm-")
    os.close(fd)
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [python, "-c", _HWM_WRAPPER, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **(env or {}), "BENCH_HWM_FILE": hwm_file},
        cwd=cwd,
    )
    # Read the pipes on threads so a chatty child cannot block on a full pipe.
    chunks: dict[str, bytes] = {}

    def drain(name: str, stream: Any) -> None:
        chunks[name] = stream.read()

    readers = [
        threading.Thread(target=drain, args=("out", proc.stdout)),
        threading.Thread(target=drain, args=("err", proc.stderr)),
    ]
    for r in readers:
        r.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    for r in readers:
        r.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    out, err = chunks.get("out", b"").decode(), chunks.get("err", b"").decode()
    try:
        hwm = int(Path(hwm_file).read_text() or 0)
    finally:
        os.unlink(hwm_file)
    if proc.returncode != 0:
        raise RuntimeError(f"{args[:3]} exited {proc.returncode}: {err[-2000:]}")
    return Child(wall, usage.ru_utime + usage.ru_stime, hwm, out, err)


def synthetic_items(n: int, kind: str = "page") -> list[Any]:
    """n items shaped like the bundled campaign's: its titles and summaries, each made unique.

    Unique texts and URLs, so that no cache anywhere can make a run look faster
    than it would be on real, all-different pages.
    """
    from outreach.config import load_config
    from outreach.content import Item, all_items

    cfg = load_config(None, {})
    seeds = all_items(cfg)
    items = []
    for i in range(n):
        s = seeds[i % len(seeds)]
        items.append(
            Item(
                kind=kind,  # type: ignore[arg-type]
                id=f"{s.id.replace(':', '-')}-{i}",
                url=f"{cfg.campaign.base_url}page/{i}/{s.id.replace(':', '-')}/",
                title={lang: f"{t} {i}" for lang, t in s.title.items()},
                summary={lang: f"{t} ({i})" for lang, t in s.summary.items()},
                image=s.image,
            )
        )
    return items


def scratch_dir() -> str | None:
    """Where benchmarks write files: tmpfs when there is one, so disk noise stays out."""
    return "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None


def parser(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--quick", action="store_true", help="a tiny size, for the smoke test")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    return p


def report(title: str, figures: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps({"bench": title, "machine": machine(), **figures}, default=str))
        return
    print(f"== {title}")
    for key, value in figures.items():
        if isinstance(value, float):
            value = f"{value:.4g}"
        print(f"  {key}: {value}")

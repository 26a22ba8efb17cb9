"""Where `run --once`'s instructions go: each module's own body, and the run itself.

bench/instructions.py says how many instructions a run takes, fixed and per post;
this says whose they are. The same run (peers.py's campaign file, one feed, one
Mastodon channel on the fake, after an untimed first run on the empty feed) runs
under valgrind's callgrind, which writes its count so far each time the process
calls os.getppid (`--dump-before=os_getppid`). A hook before the CLI calls it as
each module's body starts and ends, so every instruction is owned by one of:

- a module of outreach's own (its body: classes, dataclasses, pydantic models,
  SQLAlchemy tables, compiled patterns; the modules it imports are their own);
- a library module, summed by top-level package (requests' body is requests',
  even when Mastodon.py imported it);
- the run: everything outside any module body (Python's start, reading the
  campaign file, the feed, rendering, the store, the posts).

Instructions are not seconds: a module body's instructions are slower ones than a
post's (memory allocated and touched for the first time, more cache misses), so
this ranks what a start-up costs; the timed benchmarks (peers.py) say what it is
worth. Counts repeat within about 0.1% for the same tree (PYTHONHASHSEED=0).
No maintained profiler attributes instructions to Python modules, hence the
hook; callgrind needs the interpreter's symbols (a python built with them, as
pyenv's are), and says so when it has none.

    .venv/bin/python bench/import_costs.py [--items 200] [--top 15] [--quick]
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from bench import peers  # noqa: E402  (after the sys.path lines)
from bench._common import PYTHON, parser, report  # noqa: E402
from bench.instructions import RUN_ARGS, prepared_run  # noqa: E402

# Runs first in the measured process: wraps every module's exec_module so that the
# count is dumped (os.getppid) as a body starts and as it ends, and logs whose the
# instructions since the previous dump were.
HOOK = """
import importlib.abc, os, sys
_log = open(os.environ["BENCH_OWNERS"], "w", encoding="utf-8")
_stack = ["(run)"]

def _mark():
    os.getppid()
    _log.write(_stack[-1] + "\\n")

class _Loader:
    def __init__(self, inner, name):
        self._inner, self._name = inner, name
    def __getattr__(self, attr):
        return getattr(self._inner, attr)
    def create_module(self, spec):
        return self._inner.create_module(spec)
    def exec_module(self, module):
        _mark()
        _stack.append(self._name)
        try:
            self._inner.exec_module(module)
        finally:
            _mark()
            _stack.pop()

class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            if finder is self or find is None:
                continue
            spec = find(name, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _Loader(spec.loader, name)
                return spec
        return None

sys.meta_path.insert(0, _Finder())
import atexit
atexit.register(lambda: (_mark(), _log.close()))
"""


def _totals(dump_dir: Path) -> list[int]:
    """Each dump's instructions, in the order they were written (callgrind.out.PID.N)."""
    out = []
    for f in sorted(dump_dir.glob("callgrind.out.*.*"), key=lambda p: int(p.suffix[1:])):
        for line in f.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith(("totals:", "summary:")):
                out.append(int(line.split()[1]))
                break
    return out


def owned_by(script: Path, args: list[str], env: dict[str, str], cwd: Path) -> Counter[str]:
    """Instructions of `python script args` under callgrind, by owner (see the docstring)."""
    hooked = cwd / f"hooked_{script.name}"
    hooked.write_text(HOOK + script.read_text(encoding="utf-8"), encoding="utf-8")
    dumps, owners = cwd / "dumps", cwd / "owners.txt"
    dumps.mkdir(exist_ok=True)
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--dump-before=os_getppid",
         f"--callgrind-out-file={dumps}/callgrind.out.%p", PYTHON, str(hooked), *args],
        env={**os.environ, **env, "PYTHONHASHSEED": "0", "BENCH_OWNERS": str(owners)},
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"{script.name} under callgrind failed: {done.stderr[-1500:]}")
    names = owners.read_text(encoding="utf-8").splitlines()
    counts = _totals(dumps)
    if len(counts) < len(names) or len(names) < 2:
        raise RuntimeError(
            f"callgrind wrote {len(counts)} dumps for {len(names)} marks: "
            "it could not find os_getppid (a python without its symbols?)"
        )
    owned: Counter[str] = Counter()
    for name, n in zip(names, counts, strict=False):
        owned[name] += n
    return owned


def attribute(items: int) -> dict[str, Any]:
    """Instructions of one `run --once` announcing `items` new items, by owner."""
    env = {"BENCH_MASTODON_TOKEN": peers.TOKEN}
    with prepared_run(items, env, "bench-import-costs-") as (tmp, fake):
        owned = owned_by(tmp / "outreach_cli.py", RUN_ARGS, env, tmp)
        return {"owned": owned, "total": sum(owned.values()), "posted": len(fake.statuses)}


def run(quick: bool = False, items: int = 200, top: int = 15) -> dict[str, Any]:
    if shutil.which("valgrind") is None:
        raise RuntimeError("valgrind is not installed (Debian: apt-get install valgrind)")
    got = attribute(2 if quick else items)
    owned: Counter[str] = got["owned"]
    ours = Counter({k: v for k, v in owned.items() if k.split(".")[0] == "outreach"})
    packages: Counter[str] = Counter()
    for k, v in owned.items():
        if k != "(run)" and k.split(".")[0] != "outreach":
            packages[k.split(".")[0]] += v
    mega = 1e6
    figures: dict[str, Any] = {
        "items": got["posted"],
        "total_M": round(got["total"] / mega, 1),
        "run_M": round(owned["(run)"] / mega, 1),
        "outreach_bodies_M": round(sum(ours.values()) / mega, 1),
        "library_bodies_M": round(sum(packages.values()) / mega, 1),
    }
    for k, v in ours.most_common(top):
        figures[f"outreach {k}"] = f"{v / mega:.1f} M"
    for k, v in packages.most_common(top):
        figures[f"library {k}"] = f"{v / mega:.1f} M"
    return figures


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--items", type=int, default=200, help="new feed items the run announces")
    p.add_argument("--top", type=int, default=15, help="modules and packages listed")
    a = p.parse_args()
    report("import_costs", run(a.quick, a.items, a.top), a.json)


if __name__ == "__main__":
    main()

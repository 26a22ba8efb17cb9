"""The cyclic garbage collector held while a command starts (issue 15: fixed start-up costs).

Start-up is mostly imports and the objects they make (modules, classes, functions,
SQLAlchemy's tables and statements, pydantic's validators): tens of thousands of
objects, none of them garbage, each allocation counting toward the next
collection. Left running, the collector walks them again and again while they are
made (about 200 collections, 0.1-0.2 s of CPU in `run --once`, more than any one
library's import); they are never freed by it.

    hold_collector()      # the CLI, first thing
    ...                   # imports, the config, the ledger, the clients
    release_collector()   # start-up is over

`release_collector` moves every object alive then out of the collector's sight
(`gc.freeze`: they live as long as the process; reference counting still frees
any that is let go) and turns the collector on again, so the collections
afterwards walk only what was made since. Only a process that held the collector
releases it; in-process callers (tests, the benchmarks' children that do not
hold it) are untouched. The CLI releases it before every command except `run`,
whose service releases it once its clients are ready (run --once) or its first
turn is done (run).
"""

from __future__ import annotations

import gc

__all__ = ["hold_collector", "release_collector"]

_held = False


def hold_collector() -> None:
    """Turn the cyclic collector off until release_collector (no-op if it is already off)."""
    global _held
    if gc.isenabled():
        gc.disable()
        _held = True


def release_collector() -> None:
    """Start-up is over: freeze what exists and turn the collector on again (if held here)."""
    global _held
    if _held:
        _held = False
        gc.freeze()
        gc.enable()

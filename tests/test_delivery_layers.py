"""outreach.delivery's modules depend one way, and its face is what callers import.

The package was one 526-line module; split by job (loop, threads, step, gate,
progress), a module that imported one above it would bring the tangle back. The
order below is the package's layering, bottom first: each module may import only
those before it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import outreach.delivery

LAYERS = ["progress", "gate", "step", "threads", "loop"]
PACKAGE = Path(outreach.delivery.__file__).parent


def _siblings(module: str) -> set[str]:
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            found.add((node.module or "").split(".")[0])
    return found


def test_every_module_of_the_package_has_its_layer():
    modules = {p.stem for p in PACKAGE.glob("*.py")} - {"__init__"}
    assert modules == set(LAYERS)


def test_each_module_imports_only_those_below_it():
    for n, module in enumerate(LAYERS):
        above = set(LAYERS[n:])
        assert not (_siblings(module) & above), (module, _siblings(module) & above)


def test_what_callers_import_is_on_the_package():
    # outreach/service.py, app.py, the tests and bench/ import these from outreach.delivery
    for name in ["DeliveryLoop", "Report", "Outcome", "LearnsLimits", "IDLE_POLL", "MEDIA_WAIT"]:
        assert name in outreach.delivery.__all__
        assert getattr(outreach.delivery, name) is not None

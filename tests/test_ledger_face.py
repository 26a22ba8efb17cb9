"""The ledger has one public face: outreach/ledger/__init__.py and its __all__.

Like httpx's tests/test_exported_members.py: what the package exports is
exactly what it lists, and the rest of outreach (and bench/) imports from the
face only, never from a room inside it (outreach.ledger.loop, ...).
"""

from __future__ import annotations

import re
import types
from pathlib import Path

import outreach.ledger as ledger

ROOT = Path(__file__).resolve().parent.parent


def test_all_public_names_are_exported_and_listed_in_order():
    public = [
        name
        for name, value in vars(ledger).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
        and name != "annotations"
    ]  # fmt: skip
    assert sorted(public, key=str.casefold) == sorted(ledger.__all__, key=str.casefold)
    assert ledger.__all__ == sorted(ledger.__all__, key=lambda n: (not n.isupper(), n))
    for name in ledger.__all__:
        assert getattr(ledger, name) is not None


INSIDE = re.compile(
    r"^\s*(from\s+(outreach|\.+)\.?ledger\.\w+\s+import|import\s+outreach\.ledger\.\w+)",
    re.MULTILINE,
)


def test_nothing_outside_the_package_reaches_past_the_face():
    offenders = []
    for folder in ("outreach", "bench"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if (ROOT / "outreach" / "ledger") in path.parents:
                continue
            for m in INSIDE.finditer(path.read_text(encoding="utf-8")):
                offenders.append(f"{path.relative_to(ROOT)}: {m.group(0).strip()}")
    assert offenders == []


# Parsing a store URL (config checks, the printed label) is not talking to the store.
URL_ONLY = {("sqlalchemy.engine", "make_url")}


def _outside_modules():
    for folder in ("outreach", "bench"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if (ROOT / "outreach" / "ledger") not in path.parents and "_vendor" not in path.parts:
                yield path


def test_no_sql_table_or_engine_outside_the_package():
    """Only outreach/ledger/ imports SQLAlchemy (but for URL parsing) or touches the engine,
    so every table, statement and transaction is the ledger's (no raw SQL elsewhere)."""
    import ast

    offenders = []
    for path in _outside_modules():
        where = path.relative_to(ROOT)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                offenders += [f"{where}: import {a.name}" for a in node.names
                              if a.name.split(".")[0] == "sqlalchemy"]  # fmt: skip
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
                offenders += [
                    f"{where}: from {node.module} import {a.name}"
                    for a in node.names
                    if (node.module, a.name) not in URL_ONLY
                ]
            elif isinstance(node, ast.Attribute) and node.attr in ("engine", "metadata"):
                offenders.append(f"{where}:{node.lineno}: .{node.attr}")
    assert offenders == []

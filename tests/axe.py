"""axe-core, from the npm package, installed once into .cache/axe (git-ignored) and
injected into pages from disk: nothing is fetched by the browser.

    violations = run_axe(page)     # [{id, impact, help, nodes}], serious and critical only
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
AXE_DIR = ROOT / ".cache" / "axe"
AXE_JS = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
VERSION = "4"


def axe_source() -> str:
    """axe.min.js; installed with npm the first time (idempotent), as .ci/run does.

    Under a lock file: pytest-xdist's workers may all reach here first at once, and two
    npm installs into one prefix can leave it half-written."""
    if not AXE_JS.exists():
        npm = shutil.which("npm")
        if npm is None:
            if os.environ.get("CI"):
                pytest.fail("CI must have npm for axe-core: .ci/run installs it")
            pytest.skip("npm is not installed (apt-get install npm), so axe-core cannot be")
        AXE_DIR.mkdir(parents=True, exist_ok=True)
        with open(AXE_DIR / ".install.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
            if not AXE_JS.exists():  # another worker installed it while we waited
                subprocess.run(
                    [npm, "install", "--no-audit", "--no-fund", "--silent", "--prefix",
                     str(AXE_DIR), f"axe-core@{VERSION}"],
                    check=True, timeout=300,
                )  # fmt: skip
    return AXE_JS.read_text(encoding="utf-8")


def run_axe(page: Any, source: str) -> list[dict[str, Any]]:
    """Serious and critical violations on the page as it is now (WCAG 2.x A and AA rules)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=source)
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {
                runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']},
            });
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
        }"""
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]

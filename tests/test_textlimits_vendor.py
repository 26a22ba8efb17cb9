"""X's weighted count needs nothing from setuptools, on every Python we support.

twitter-text-parser's release imports pkg_resources, which current setuptools
no longer ships and Python 3.12+ venvs do not carry; outreach vendors it with
that import replaced (outreach/_vendor/README.md).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import outreach

VENDOR = Path(outreach.__file__).parent / "_vendor"
TEXT = "english text 日本語 😷 https://example.com Ales…"
EXPECTED = 13 + 6 + 1 + 2 + 1 + 23 + 1 + 4 + 2


def test_x_count_runs_where_pkg_resources_cannot_be_imported():
    code = (
        "import sys; sys.modules['pkg_resources'] = None\n"  # any import of it now fails
        "from outreach.textlimits import count\n"
        f"print(count({TEXT!r}, 'x_weighted'))\n"
        "assert 'setuptools' not in sys.modules, 'setuptools was imported'\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == str(EXPECTED)


def _other_pythons() -> list[str]:
    found = [shutil.which(f"python3.{minor}") for minor in (12, 13)]
    found += glob.glob(os.path.expanduser("~/.pyenv/versions/3.1[23].*/bin/python3"))
    usable = []
    for exe in filter(None, found):
        ok = subprocess.run([exe, "--version"], capture_output=True, text=True)
        if ok.returncode == 0 and exe not in usable:
            usable.append(exe)
    return usable


@pytest.mark.parametrize("python", _other_pythons() or [None])
def test_vendored_counter_on_python_312_and_313_without_site_packages(python):
    if python is None:
        pytest.skip("no Python 3.12 or 3.13 on this machine")
    # -I -S: no site-packages at all, so no setuptools and no pkg_resources.
    code = (
        f"import sys; sys.path.insert(0, {str(VENDOR)!r})\n"
        "from twitter_text import parse_tweet\n"
        f"print(sys.version_info[:2] >= (3, 12), parse_tweet({TEXT!r}).weightedLength)\n"
    )
    out = subprocess.run([python, "-I", "-S", "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", str(EXPECTED)]

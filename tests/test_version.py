"""The version outreach reports (the heartbeat, `outreach status`) is the installed one."""

from __future__ import annotations

from importlib.metadata import version

import outreach
from outreach import service


def test_the_package_version_is_the_installed_distributions():
    # service.py reports outreach.__version__ rather than asking importlib.metadata at
    # every start (issue 15); pyproject.toml's version and __init__.py's must not drift
    assert outreach.__version__ == version("outreach")
    assert service._version() == outreach.__version__

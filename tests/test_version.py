"""The version outreach reports (the heartbeat, `outreach status`) is the installed one."""

from __future__ import annotations

from importlib.metadata import version

import outreach
from outreach import service


def test_the_package_version_is_the_installed_distributions():
    # service.py reports outreach.__version__ rather than asking importlib.metadata at
    # every start (issue 15); pyproject.toml takes its version from __init__.py (dynamic)
    assert outreach.__version__ == version("outreach")
    assert service._version() == outreach.__version__

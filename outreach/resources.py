"""Where the files outreach ships are: templates, share targets, the campaign, assets.

Every reader of a bundled file asks here, so the two ways outreach is
installed behave the same:

- from a wheel (`pip install outreach-*.whl`, `pip install .`, pipx, the
  container): the build copies the repository's top-level `messages/` and
  `share_targets.yaml` into the package as `outreach/_bundled/` (setup.py), and
  they are read from there as package data;
- from a checkout (`pip install -e .`): the top-level files themselves are
  read, so an organiser's edit shows at once and there is no second copy.

The campaign (`outreach/data/`) and the share bar's templates and assets
(`outreach/share/templates/`) live inside the package in both cases.

Files are handed out as paths: Jinja2's loader and the YAML reader (which names
file and line in every error) need real files, which an installed package has.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path

__all__ = [
    "BUNDLED",
    "bundled_campaign",
    "bundled_messages",
    "bundled_share_targets",
    "checkout_root",
    "package_dir",
    "share_templates",
]

BUNDLED = ("messages", "share_targets.yaml")
"""Top-level files of the repository that the build puts into the wheel as outreach/_bundled/."""


@cache
def package_dir() -> Path:
    # A plain folder for any pip-installed package; a zip import would need extracting.
    return Path(str(files("outreach")))


@cache
def checkout_root() -> Path | None:
    """The source checkout outreach is imported from (an editable install); None for a wheel."""
    root = package_dir().parent
    try:
        project = (root / "pyproject.toml").read_text(encoding="utf-8")
    except OSError:
        return None
    return root if 'name = "outreach"' in project else None


def _bundled(name: str) -> Path:
    """The wheel's copy, else the checkout's file; where the wheel's should be when neither is
    there (the reader then says it is missing, naming this path)."""
    inside = package_dir() / "_bundled" / name
    root = checkout_root()
    if not inside.exists() and root is not None and (root / name).exists():
        return root / name
    return inside


def bundled_messages() -> Path:
    """The message templates folder (top-level `messages/` in the repository)."""
    return _bundled("messages")


def bundled_share_targets() -> Path:
    """The networks file (top-level `share_targets.yaml` in the repository)."""
    return _bundled("share_targets.yaml")


def bundled_campaign() -> Path:
    """The campaign outreach runs when given none: outreach/data/campaign.yaml."""
    return package_dir() / "data" / "campaign.yaml"


def share_templates() -> Path:
    """The share bar's templates, strings, CSS and JS: outreach/share/templates/."""
    return package_dir() / "share" / "templates"

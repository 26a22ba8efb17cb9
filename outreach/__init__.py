"""outreach: share links, share bars and scheduled Mastodon/Telegram posts for campaigns."""

from __future__ import annotations

import sys

__version__ = "0.1.0"
__all__ = ["__version__"]

# httpx (python-telegram-bot's HTTP client) imports its own command line, with rich and
# Pygments, whenever they are installed (rich is ours): 5.5 MiB and 90 modules in every
# process that posts to Telegram, for a `httpx` command nobody runs here. A None entry
# makes that one import fail, and httpx then stubs its `main` (issue 15).
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]

"""outreach: share links, share bars and scheduled Mastodon/Telegram posts for campaigns."""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["__version__"]

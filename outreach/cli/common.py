"""What every command shares: the application (outreach/app.py), output helpers."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

import click

from ..app import App

if TYPE_CHECKING:
    from ..ledger import Delivery


def note(message: str) -> None:
    """A line on stderr that must not go unnoticed (a simulated clock)."""
    click.secho(f"note: {message}", fg="yellow", err=True)


pass_app = click.make_pass_decorator(App)


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def console():
    """A rich console for tables; imported lazily (rich is slow to import)."""
    from rich.console import Console

    return Console(soft_wrap=False)


def _iso(moment: Any) -> str | None:
    return moment.isoformat() if moment is not None else None


def delivery_json(d: Delivery) -> dict[str, Any]:
    """One delivery as every command's --json shows it."""
    return {
        "id": d.id,
        "channel": d.channel_id,
        "network": d.network,
        "about": d.about,
        "state": d.state,
        "dry_run": d.dry_run,
        "due_at": _iso(d.due_at),
        "occurrence": _iso(d.occurrence),
        "attempts": d.attempts,
        "next_attempt_at": _iso(d.next_attempt_at),
        "sent_at": _iso(d.sent_at),
        "url": d.remote_url,
        "remote_url": d.remote_url,
        "remote_id": d.remote_id,
        "reason": d.reason,
    }

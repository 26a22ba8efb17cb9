"""What every command shares: the loaded config, output helpers."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from ..config import Config
    from ..ledger import Delivery


@dataclass
class AppContext:
    """Built once per invocation. The environment is read here, at the edge, and nowhere else."""

    config_path: str | None = None
    environ: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    _config: Config | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            # pydantic and YAML: imported by the commands that read the config, not by --help.
            from ..config import load_config

            self._config = load_config(self.config_path, self.environ)
        return self._config


pass_app = click.make_pass_decorator(AppContext)


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

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

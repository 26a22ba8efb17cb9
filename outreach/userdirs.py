"""Where the bundled campaign's store goes when outreach is not run from its checkout.

The bundled campaign keeps its ledger in `sqlite:///outreach.sqlite3`, a path
relative to the folder outreach runs in. In the checkout that is the README's
`./outreach.sqlite3`; run from anywhere else (a wheel, pipx, a container) it
would leave a store in every folder a command is typed in, each forgetting what
the others sent. There the store goes to the platform's user data directory
(platformdirs: `$XDG_DATA_HOME/outreach`, by default `~/.local/share/outreach`
on Linux), which the command names on stderr when it creates it.

A campaign of one's own (`--config`, `$OUTREACH_CONFIG`, `./outreach.yaml`)
and `$OUTREACH_DB_URL` are left exactly as they say.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .config import STORE_ENV, Config, StoreConfig
from .resources import bundled_campaign, checkout_root

BUNDLED_STORE = "sqlite:///outreach.sqlite3"


@dataclass(frozen=True)
class StoreChoice:
    config: Config
    created: Path | None = None
    """The SQLite file this choice will create (not there yet): worth telling the user."""


def data_dir() -> Path:
    import platformdirs  # reads $XDG_DATA_HOME (and the platform's own rules) itself

    return Path(platformdirs.user_data_dir("outreach", appauthor=False))


def choose_store(
    config: Config, environ: Mapping[str, str], cwd: Path, data: Path | None = None
) -> StoreChoice:
    """The config with its store moved to the user data directory (`data`, else the
    platform's) where that is the rule."""
    if environ.get(STORE_ENV) or config.store.url != BUNDLED_STORE:
        return StoreChoice(config)
    if config.source.resolve() != bundled_campaign().resolve():
        return StoreChoice(config)
    root = checkout_root()
    if root is not None and cwd.resolve() == root.resolve():
        return StoreChoice(config)
    path = (data or data_dir()) / "outreach.sqlite3"
    moved = config.model_copy(update={"store": StoreConfig(url=f"sqlite:///{path}")})
    if path.exists():
        return StoreChoice(moved)
    path.parent.mkdir(parents=True, exist_ok=True)
    return StoreChoice(moved, created=path)

"""`outreach init`: a campaign of one's own, started from the bundled one."""

from __future__ import annotations

import shutil
from pathlib import Path

import click


@click.command()
@click.argument(
    "folder", default=".", type=click.Path(file_okay=False, path_type=Path), required=False
)
def init(folder: Path) -> None:
    """Write the bundled campaign, and the files it names, into FOLDER as outreach.yaml.

    Edit it there; run outreach from that folder (it reads ./outreach.yaml)
    or pass --config. Nothing that exists already is overwritten.

    \b
    Example:
      outreach init my-campaign
    """
    from ..config import BUNDLED_CONFIG, load_config

    bundled = load_config(BUNDLED_CONFIG, {})
    # the campaign file, and what it names by a path relative to itself (the feed file)
    copies = {BUNDLED_CONFIG: folder / "outreach.yaml"}
    for feed in bundled.feeds:
        if feed.path is not None:
            copies[bundled.resolve_path(feed.path)] = folder / feed.path
    there = [str(target) for target in copies.values() if target.exists()]
    if there:
        raise click.ClickException(
            f"{', '.join(there)} exists already; choose another folder (nothing was written)"
        )
    for source, target in copies.items():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    click.echo(f"wrote {', '.join(str(t) for t in copies.values())}")
    where = "" if folder == Path(".") else f"cd {folder} && "
    click.echo(f"next: edit outreach.yaml, then `{where}outreach check`")

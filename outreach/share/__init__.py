"""Sharing: share_targets.yaml -> one share link per network -> static share bars.

- targets.py: the networks as data (share_targets.yaml), validated, and which a
  campaign offers;
- links.py: one share URL per network for a page or news item, its text fitted;
- bar.py (and skeleton.py): share bars, the demo pages and the fediverse picker,
  rendered from templates/;
- exporter.py: the files `outreach buttons` writes, made a bar at a time.

Callers import from here; the modules are the rooms behind this face.
"""

from __future__ import annotations

from .bar import picker_href
from .exporter import MARKER, Export, export, iter_export, render_export
from .links import (
    DEFAULT_PICKER,
    ShareLink,
    ShareOptions,
    build_link,
    item_fields,
    item_for_url,
    links_for,
    shared_url,
)
from .meta import meta_tags
from .targets import BUNDLED_TARGETS, Network, ShareTargets, load_targets, select, targets_path

__all__ = [
    "BUNDLED_TARGETS",
    "DEFAULT_PICKER",
    "MARKER",
    "Export",
    "Network",
    "ShareLink",
    "ShareOptions",
    "ShareTargets",
    "build_link",
    "export",
    "item_fields",
    "item_for_url",
    "iter_export",
    "links_for",
    "load_targets",
    "meta_tags",
    "picker_href",
    "render_export",
    "select",
    "shared_url",
    "targets_path",
]

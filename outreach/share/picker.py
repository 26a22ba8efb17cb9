"""The fediverse picker page: the reader's server, its software, and where to send them.

The page is static (share/fediverse[.<lang>].html); fediverse.js does the work
in the reader's browser. What is decided here is what the page may do:

- with JavaScript, it asks the one server the reader typed for its NodeInfo
  (/.well-known/nodeinfo, then the document it names on that same host), after
  they typed it, to learn its software; hence `connect-src https:`;
- without JavaScript, a plain GET form whose buttons post the text to the
  share page of each server the campaign suggests (`share.fediverse_servers`),
  where that server's software takes the text as one `text` field (Mastodon,
  Misskey); hence `form-action https:`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ..config import Config
from .targets import Network

PICKER_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src https:; form-action https:; base-uri 'none'"
)


@dataclass(frozen=True)
class Suggested:
    host: str
    software: str
    label: str
    action: str | None
    """The share page a plain form can post the text to (as field `text`); None if none."""


def form_action(endpoint: str | None) -> str | None:
    """The path of an endpoint that takes the text, and only it, as `text`; else None."""
    if endpoint is None:
        return None
    parts = urlsplit(endpoint)
    if parse_qsl(parts.query) != [("text", "{text}")]:
        return None
    return parts.path


def suggested(cfg: Config, fediverse: Network) -> list[Suggested]:
    software = {sw.id: sw for sw in fediverse.software}
    out = []
    for server in cfg.share.fediverse_servers:
        sw = software.get(server.software)
        if sw is None:  # `outreach check` names it; the picker simply leaves it out
            continue
        path = form_action(sw.endpoint)
        action = f"https://{server.host}{path}" if path else None
        out.append(Suggested(server.host, sw.id, sw.label, action))
    return out


def picker_context(cfg: Config, fediverse: Network, s: dict[str, str]) -> dict[str, Any]:
    """What fediverse.html.j2 needs, and the JSON data block fediverse.js reads."""
    software = [sw.model_dump() for sw in fediverse.software]
    servers = suggested(cfg, fediverse)
    data = {
        "software": software,
        "suggested": [{"host": x.host, "software": x.software} for x in servers],
        "strings": {
            k: s[k]
            for k in (
                "copied_text",
                "copy_text_failed",
                "detecting",
                "detected",
                "detect_failed",
                "detect_unknown",
            )
        },
    }
    return {
        "csp": PICKER_CSP,
        "software": software,
        "suggested": servers,
        "data": data,
        "default_software": software[0]["id"],
    }

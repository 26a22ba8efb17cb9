"""What `outreach check` finds in a loaded campaign file that loading lets through.

Each check is given the document the config was read from (yamlfile.YamlDoc, with
the line of every value), so `check` parses the file once, however many it runs.
"""

from __future__ import annotations

from typing import Any

from ..errors import ConfigError
from ..yamlfile import Loc, YamlDoc
from .root import Config


def token_problems(cfg: Config, doc: YamlDoc | None) -> list[str]:
    """Tokens named in the file that cannot be read (a missing or unreadable token_file).

    Not an error when the config is loaded (`outreach buttons` needs no token),
    but `check` reports them, since `run` and `deliver` would refuse them.
    `doc`: the file `cfg` was read from; None names the file without a line.
    """
    holders: list[tuple[Loc, Any]] = [(("channels", i), c) for i, c in enumerate(cfg.channels)]
    holders.append((("admin",), cfg.admin))
    problems = []
    for loc, holder in holders:
        if holder.token is None:
            continue
        try:
            holder.token.get_secret_value()
        except ConfigError as exc:
            where = doc.where((*loc, "token_file")) if doc else f"{cfg.source}"
            problems.append(f"{where}: {exc}")
    return problems


def hidden_controls(doc: YamlDoc | None) -> list[str]:
    """Each text in the campaign file holding a character readers do not see and that
    changes what they read (hidden_text.py): a bidi override or isolate (a title pasted
    with U+202E reads backwards, a link's end shown as its start) or a control character.
    The console refuses them in the composer and shows them as U+FFFD; they reach
    subscribers and share links as they are, so `check` names each, with its line.
    """
    if doc is None:
        return []  # an application built without a file (tests)
    from ..hidden_text import hidden, unshown

    out: list[str] = []

    def walk(value: object, loc: Loc) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, (*loc, str(k)))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(v, (*loc, i))
        elif isinstance(value, str):
            out.extend(f"{doc.where(loc)}: {hidden(char)}" for _, char in unshown(value))

    walk(doc.data, ())
    return out

"""Which of a feed's items are new, and in what order: the dates, GUIDs and link keys
a feed gives that the watcher does not take at their word.

- untrusted_guids: a GUID one document gives to different links is dropped.
"""

from __future__ import annotations

from dataclasses import replace

from .content import Item


def untrusted_guids(items: list[Item]) -> tuple[list[Item], list[str]]:
    """Drop GUIDs that one document gives to different links (a CMS bug seen in the wild).

    Trusted, such a GUID would make every later entry look already announced.
    """
    links: dict[str, set[str]] = {}
    for item in items:
        if item.guid:
            links.setdefault(item.guid, set()).add(item.normal_link)
    shared = [guid for guid, found in links.items() if len(found) > 1]
    if not shared:
        return items, []
    return [replace(i, guid=None) if i.guid in shared else i for i in items], shared

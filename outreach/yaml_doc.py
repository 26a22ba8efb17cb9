"""YamlDoc: a YAML file's data and the line of every key and item, and the field paths.

Apart from the readers (yamlfile.py) because it is what every check of a config
reads after them: config/file_problems.py and validation_lines.py ask it for
`file:line: field.path`, the prefix every config error starts with. A file read
fast (yaml_fast.py) gets its line map here, from libyaml's events, only when an
error needs it (`_event_lines`); the exact loader gives its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from yaml import events

from .yaml_fast import _EventLoader
from .yaml_rules import _UniqueKeyLoader

Loc = tuple[str | int, ...]


class YamlDoc:
    """A parsed YAML document and the line (1-based) of every key and item in it.

    Given its text instead of `lines`, the line map is made from the text when first asked.
    """

    def __init__(
        self,
        path: Path,
        data: Any,
        lines: dict[Loc, int] | None = None,
        *,
        text: str | None = None,
    ) -> None:
        self.path = path
        self.data = data
        self._lines = lines
        self._text = text

    @property
    def lines(self) -> dict[Loc, int]:
        if self._lines is None:
            self._lines = _event_lines(self._text) if self._text is not None else {}
            self._text = None
        return self._lines

    def line_of(self, loc: Loc) -> int | None:
        """The line of `loc`, or of its nearest ancestor that exists in the file."""
        loc = tuple(loc)
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return self.lines.get((), None)

    def where(self, loc: Loc) -> str:
        """`file:line: field.path`, the prefix every config error starts with."""
        line = self.line_of(loc)
        at = f"{self.path}:{line}" if line else str(self.path)
        return f"{at}: {format_loc(loc)}" if loc else at


def format_loc(loc: Loc) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _event_lines(text: str) -> dict[Loc, int]:
    """The line of every key and item, from the event stream (for a file read fast).

    A value reached through an alias gets the alias's line; what is inside it, none
    of its own (line_of then gives the alias's line)."""
    loader = _EventLoader or _UniqueKeyLoader
    lines: dict[Loc, int] = {}
    frames: list[list[Any]] = []  # per open collection: [its loc, is_map, next key or index]
    expecting_key = object()
    try:
        stream: Iterable[Any] = yaml.parse(text, Loader=loader)
        for event in stream:
            if not isinstance(event, events.NodeEvent):
                if isinstance(event, events.CollectionEndEvent):
                    frames.pop()
                continue
            line = event.start_mark.line + 1 if event.start_mark else 0
            loc: Loc | None
            if not frames:
                loc = ()
            else:
                frame = frames[-1]
                if frame[1] and frame[2] is expecting_key:
                    # a key: its entry's line is the key's
                    key = event.value if isinstance(event, events.ScalarEvent) else None
                    frame[2] = key
                    if key is not None:
                        lines[(*frame[0], key)] = line
                    loc = None
                elif frame[1]:
                    loc = (*frame[0], frame[2])
                    frame[2] = expecting_key
                else:
                    loc = (*frame[0], frame[2])
                    frame[2] += 1
            if loc is not None:
                lines.setdefault(loc, line)
            if isinstance(event, events.CollectionStartEvent):
                is_map = isinstance(event, events.MappingStartEvent)
                frames.append(
                    [loc if loc is not None else (), is_map, expecting_key if is_map else 0]
                )
    except yaml.YAMLError:
        pass
    return lines

"""The fast reader: libyaml's events straight into dicts and lists.

PyYAML's pure-Python loader with the line map takes about 20 s for a campaign of
10,000 pages (bench/buttons_cli.py); this reads libyaml's event stream (the C parser,
where PyYAML has it) with the same rules (yaml_rules.py) and gives up, returning
_UNDECIDED, on anything out of the ordinary: the exact loader (yaml_exact.py) then
reads the file again, decides and names the line. The line map of a file read here
is made only when an error needs it (YamlDoc.lines, yaml_doc.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import yaml
from yaml import events
from yaml.constructor import SafeConstructor
from yaml.nodes import ScalarNode

from .yaml_rules import MAX_DEPTH, MAX_VALUES, _UniqueKeyLoader

_EventLoader: Any = getattr(yaml, "CSafeLoader", None)
"""libyaml's parser, where PyYAML was built with it; else the fast reader is skipped."""
_UNDECIDED = object()
_STR_TAG = "tag:yaml.org,2002:str"
_SCALARS = {
    "tag:yaml.org,2002:null": SafeConstructor.construct_yaml_null,
    "tag:yaml.org,2002:bool": SafeConstructor.construct_yaml_bool,
    "tag:yaml.org,2002:int": SafeConstructor.construct_yaml_int,
    "tag:yaml.org,2002:float": SafeConstructor.construct_yaml_float,
}
_COLLECTIONS = (events.MappingStartEvent, events.SequenceStartEvent)
_ENDS = (events.MappingEndEvent, events.SequenceEndEvent)


class _Undecided(Exception):
    """Something the fast reader leaves to the line-tracking loader."""


_RESOLVERS = _UniqueKeyLoader.yaml_implicit_resolvers
"""First character -> the implicit types a plain scalar starting with it may have."""


def _plain(value: str, constructor: SafeConstructor) -> Any:
    """A plain (unquoted) scalar as the safe loader reads it: null, bool, int, float or str."""
    resolvers = _RESOLVERS.get(value[:1])
    if not resolvers:  # most words: no implicit type starts with their first letter
        return value
    tag = next((tag for tag, rx in resolvers if rx.match(value)), _STR_TAG)
    if tag == _STR_TAG:
        return value
    make = _SCALARS.get(tag)
    if make is None:  # a merge key (<<) or '=': rare, and the full loader's to read
        raise _Undecided
    return make(constructor, ScalarNode(tag, value))


def _fast_load(text: str) -> Any:
    """The data of `text`, or _UNDECIDED when the line-tracking loader must read it."""
    if _EventLoader is None:
        return _UNDECIDED
    constructor = SafeConstructor()
    anchors: dict[str, Any] = {}
    open_: list[Any] = []
    keys: list[Any] = []  # per open mapping: its pending key, or NO_KEY
    NO_KEY = _UNDECIDED
    roots: list[Any] = []
    aliased = False

    def add(value: Any) -> None:
        if not open_:
            roots.append(value)
            return
        top = open_[-1]
        if type(top) is list:
            top.append(value)
        elif keys[-1] is NO_KEY:
            if isinstance(value, (list, dict)) or value in top:
                raise _Undecided  # a collection as a key, or a duplicate key: named by line
            keys[-1] = value
        else:
            top[keys[-1]] = value
            keys[-1] = NO_KEY

    try:
        stream: Iterable[Any] = yaml.parse(text, Loader=_EventLoader)
        for event in stream:
            kind = type(event)
            if kind is events.ScalarEvent:
                if event.tag is not None and event.tag != "!":
                    raise _Undecided  # an explicit tag
                plain = event.implicit[0] and event.tag is None
                value = _plain(event.value, constructor) if plain else event.value
                if event.anchor is not None:
                    anchors[event.anchor] = value
                add(value)
            elif kind in _COLLECTIONS:
                if event.tag is not None or len(open_) >= MAX_DEPTH:
                    raise _Undecided
                value = {} if kind is events.MappingStartEvent else []
                if event.anchor is not None:
                    anchors[event.anchor] = value
                add(value)
                open_.append(value)
                keys.append(NO_KEY)
            elif kind in _ENDS:
                open_.pop()
                keys.pop()
            elif kind is events.AliasEvent:
                if event.anchor not in anchors:
                    raise _Undecided
                aliased = True
                add(anchors[event.anchor])
    except (_Undecided, yaml.YAMLError, RecursionError, ValueError, TypeError):
        return _UNDECIDED
    if len(roots) > 1 or (aliased and not _within_bounds(roots[0])):
        return _UNDECIDED
    return roots[0] if roots else None


def _within_bounds(data: Any) -> bool:
    """What the line walk (_Walk) refuses, checked on data read fast: values that aliases
    stand for past MAX_VALUES, nesting past MAX_DEPTH, a value holding itself. Each shared
    value is counted as often as it is reached, without expanding it."""
    seen: set[int] = set()
    walking: set[int] = set()
    extra = 0

    def walk(value: Any, depth: int, through_alias: bool) -> bool:
        nonlocal extra
        key = id(value)
        if key in walking or depth > MAX_DEPTH:
            return False
        through_alias = through_alias or key in seen
        children = list(value.values()) if isinstance(value, dict) else value
        if through_alias:
            extra += 1 + len(children)
            if extra > MAX_VALUES:
                return False
        seen.add(key)
        walking.add(key)
        for child in children:
            if isinstance(child, (dict, list)) and not walk(child, depth + 1, through_alias):
                return False
        walking.discard(key)
        return True

    return not isinstance(data, (dict, list)) or walk(data, 0, False)

"""Read YAML files keeping where each value came from, so errors can name the line.

Bounded work: YAML aliases let 7.5 KB of text stand for billions of values
("billion laughs"); PyYAML shares the aliased objects, but every reader that
walks the data (our line map, pydantic) pays for the whole expansion. A file
whose aliases stand for more than MAX_VALUES values, nested past MAX_DEPTH or
holding an alias to its own ancestor is refused naming the line, before
anything else reads it.

Fast, then exact. PyYAML's pure-Python loader, with the line map, takes about
20 s for a campaign of 10,000 pages (bench/buttons_cli.py). So a file is first
read from libyaml's event stream (the C parser, where PyYAML has it) straight
into dicts and lists, with the same rules (no timestamps, no duplicate keys);
anything out of the ordinary there (an error, an explicit tag, a merge key, a
duplicate key, nesting or aliases past the bounds) is read again by the
line-tracking loader, which decides and names the line. The line map of a
file read fast is made only when an error needs it (YamlDoc.lines).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from yaml import events
from yaml.constructor import SafeConstructor
from yaml.nodes import ScalarNode

from .errors import ConfigError
from .yaml_hints import likely_cause

if TYPE_CHECKING:
    from pydantic import BaseModel

Loc = tuple[str | int, ...]
MAX_VALUES = 200_000
"""Values (keys, scalars, items) a file's aliases may stand for once expanded,
beyond those written out; a campaign's own values are bounded by its size (a
campaign of 10,000 pages writes out about 200,000)."""
MAX_DEPTH = 100
"""Nesting levels a file may have; the campaign config uses fewer than ten."""


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


class _Walk:
    """The line map, built with a count of values and the nodes being walked."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lines: dict[Loc, int] = {}
        self.count = 0
        self.open: set[int] = set()
        self.seen: set[int] = set()
        self.aliases: list[int] = []
        """Lines of the aliases being expanded, outermost first."""

    def refuse(self, node: yaml.Node, why: str) -> ConfigError:
        line = self.aliases[0] if self.aliases else node.start_mark.line + 1
        return ConfigError(f"{self.path}:{line}: {why}")

    def walk(self, node: yaml.Node, loc: Loc) -> None:
        if self.aliases:  # a value written out once costs nothing more than its text
            self.count += 1
        if self.count > MAX_VALUES:
            raise self.refuse(
                node,
                f"the file stands for more than {MAX_VALUES:,} values once its YAML aliases "
                "(*name) are expanded: write the values out, or use fewer nested aliases",
            )
        if len(loc) > MAX_DEPTH:
            raise self.refuse(node, f"nested more than {MAX_DEPTH} levels deep")
        self.lines.setdefault(loc, node.start_mark.line + 1)
        if not isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
            return
        if id(node) in self.open:
            raise self.refuse(node, "a YAML alias (*name) refers to a value that contains it")
        alias = id(node) in self.seen  # a node met twice is reached through an alias
        if alias:
            self.aliases.append(self.lines[loc])
        self.seen.add(id(node))
        self.open.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                child = (*loc, key_node.value)
                self.lines[child] = key_node.start_mark.line + 1
                self.walk(value_node, child)
        else:
            for i, item in enumerate(node.value):
                child = (*loc, i)
                self.lines[child] = item.start_mark.line + 1
                self.walk(item, child)
        self.open.discard(id(node))
        if alias:
            self.aliases.pop()


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys: the second one would silently win."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False):
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"duplicate key {key!r} (first on line {seen[key]})",
                key_node.start_mark,
            )
        seen[key] = key_node.start_mark.line + 1
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
# Dates stay strings: pydantic parses them and names the field when one is impossible.
_UniqueKeyLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


# --- the fast reader: libyaml's events straight into dicts and lists -------------------

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


def parse_yaml(text: str, path: Path | str) -> YamlDoc:
    """Parse YAML text; a syntax error becomes a ConfigError naming file and line."""
    path = Path(path)
    data = _fast_load(text)
    if data is not _UNDECIDED:
        return YamlDoc(path=path, data=data, text=text)
    return _exact_load(text, path)


def _exact_load(text: str, path: Path) -> YamlDoc:
    """The line-tracking loader (pure Python): slow, and the judge of every refusal."""
    try:
        node = yaml.compose(text, Loader=_UniqueKeyLoader)
        walk = _Walk(path)
        if node is not None:
            walk.walk(node, ())  # bounded: before anything else reads the data
        data = yaml.load(text, Loader=_UniqueKeyLoader)
    except RecursionError:
        raise ConfigError(f"{path}: nested too deeply to read") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark else ""
        problem = exc.problem or str(exc)
        if exc.context:
            problem = f"{exc.context}, {problem}"
        cause = likely_cause(text, exc)
        if cause:
            problem = f"{problem} ({cause})"
        raise ConfigError(f"{path}{line}: YAML syntax error: {problem}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: YAML error: {exc}") from None
    return YamlDoc(path=path, data=data, lines=walk.lines)


def load_yaml(path: Path | str) -> YamlDoc:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    return parse_yaml(text, path)


def validation_problems(
    doc: YamlDoc, exc: Any, prefix: Loc = (), model: type[BaseModel] | None = None
) -> list[str]:
    """Turn a pydantic ValidationError into `file:line: field: message` lines, in an organiser's
    words (validation_words.py): a misspelt key is named with the nearest field `model` (what
    validated the data at `prefix`) has there, a mistyped choice with the nearest allowed, and
    the type errors of a union's members at one field are one line."""
    from . import validation_words as words  # difflib, inspect: only for a file with errors

    at: dict[Loc, list[dict[str, Any]]] = {}
    for err in exc.errors():
        loc = _without_tags(doc.data, (*prefix, *[p for p in err["loc"] if not _is_union_tag(p)]))
        at.setdefault(loc, []).append(err)
    validated = doc.data
    for part in prefix:
        validated = validated.get(part) if isinstance(validated, dict) else None
    problems = []
    for loc, errors in at.items():
        merged = words.wrong_type(errors)
        if merged is not None:
            problems.append(f"{doc.where(loc)}: {merged}")
            continue
        for err in errors:
            msg = err["msg"]
            if err["type"] == "extra_forbidden" and loc:
                known = words.known_fields(model, loc[len(prefix) : -1], validated)
                msg = words.unknown_field(loc[-1], known)
            elif err["type"] == "literal_error":
                msg = words.not_one_of(err.get("input"), err.get("ctx", {}).get("expected", ""))
                msg = msg or err["msg"]
            elif msg.startswith("Value error, "):
                msg = msg[len("Value error, ") :]
            problems.append(f"{doc.where(loc)}: {msg}")
    return problems


def _without_tags(data: Any, loc: Loc) -> Loc:
    """`loc` without a discriminated union's tag (channels[0].telegram.chat -> channels[0].chat).

    pydantic names the member chosen by e.g. `kind: telegram` in loc; it is no key
    of the YAML, so the field path and line would point at the wrong place.
    """
    out: list[Any] = []
    node = data
    for part in loc:
        if (
            isinstance(node, dict)
            and isinstance(part, str)
            and part not in node
            and part in [v for v in node.values() if isinstance(v, str)]
        ):
            continue
        if isinstance(part, str) and node is not None and not isinstance(node, dict):
            continue  # a union member's name (chat.str, chat.int) under a value that is no mapping
        out.append(part)
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            node = None
    return tuple(out)


def _is_union_tag(part: Any) -> bool:
    # pydantic puts the chosen union member's name in loc (e.g. 'function-after[...]')
    return isinstance(part, str) and ("[" in part or part.startswith("function-"))

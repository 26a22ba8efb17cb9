"""Read YAML files keeping where each value came from, so errors can name the line.

Bounded work: YAML aliases let 7.5 KB of text stand for billions of values
("billion laughs"); PyYAML shares the aliased objects, but every reader that
walks the data (our line map, pydantic) pays for the whole expansion. The
line map is walked first, counting every value an alias stands for, and a
file past MAX_VALUES, nested past MAX_DEPTH or holding an alias to its own
ancestor is refused naming the line, before anything else reads it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import ConfigError

Loc = tuple[str | int, ...]
MAX_VALUES = 200_000
"""Values (keys, scalars, items) a file may hold with its aliases expanded; a
large campaign holds a few thousand."""
MAX_DEPTH = 100
"""Nesting levels a file may have; the campaign config uses fewer than ten."""


@dataclass
class YamlDoc:
    """A parsed YAML document and the line (1-based) of every key and item in it."""

    path: Path
    data: Any
    lines: dict[Loc, int] = field(default_factory=dict)

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


def parse_yaml(text: str, path: Path | str) -> YamlDoc:
    """Parse YAML text; a syntax error becomes a ConfigError naming file and line."""
    path = Path(path)
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


def validation_problems(doc: YamlDoc, exc: Any, prefix: Loc = ()) -> list[str]:
    """Turn a pydantic ValidationError into `file:line: field: message` lines."""
    problems = []
    for err in exc.errors():
        loc = _without_tags(doc.data, (*prefix, *[p for p in err["loc"] if not _is_union_tag(p)]))
        msg = err["msg"]
        if msg.startswith("Value error, "):
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

"""The exact loader: PyYAML's pure-Python loader, line by line, the judge of every refusal.

Apart from the fast reader (yaml_fast.py): slow (about 20 s for 10,000 pages), and
used only for what the fast reader leaves to it. Bounded work: YAML aliases let
7.5 KB of text stand for billions of values ("billion laughs"); PyYAML shares the
aliased objects, but every reader that walks the data (our line map, pydantic) pays
for the whole expansion. So the node tree is walked first (_Walk), and a file whose
aliases stand for more than MAX_VALUES values, nested past MAX_DEPTH or holding an
alias to its own ancestor is refused naming the line, before anything else reads it.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from .errors import ConfigError
from .yaml_doc import Loc, YamlDoc
from .yaml_hints import likely_cause
from .yaml_rules import MAX_DEPTH, MAX_VALUES, _UniqueKeyLoader


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

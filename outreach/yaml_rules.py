"""What a YAML file may hold, for both of its readers: the bounds, and the safe loader's rules.

Apart from the readers (yaml_fast.py, yaml_exact.py) because both hold a file to the
same rules: values that aliases stand for up to MAX_VALUES, nesting up to MAX_DEPTH,
no duplicate key, dates left as strings. The fast reader takes its implicit types
from _UniqueKeyLoader, and the exact loader reads with it.
"""

from __future__ import annotations

from typing import Any

import yaml

MAX_VALUES = 200_000
"""Values (keys, scalars, items) a file's aliases may stand for once expanded,
beyond those written out; a campaign's own values are bounded by its size (a
campaign of 10,000 pages writes out about 200,000)."""
MAX_DEPTH = 100
"""Nesting levels a file may have; the campaign config uses fewer than ten."""


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

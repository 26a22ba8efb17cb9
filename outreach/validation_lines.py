"""pydantic's validation errors as `file:line: field: message` lines of the YAML file.

Apart from reading the file (yamlfile.py): this maps pydantic's error locations back
to the file's keys (a discriminated union's tag and a union member's name are no keys
of the YAML) and to their lines (YamlDoc); the words are validation_words.py's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .yaml_doc import Loc, YamlDoc

if TYPE_CHECKING:
    from pydantic import BaseModel


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

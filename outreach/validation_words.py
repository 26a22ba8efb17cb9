"""pydantic's validation errors in an organiser's words.

pydantic says "Extra inputs are not permitted" for a misspelt key and "Input should be a valid
string" twice over (once per member of a union, with the member's name glued onto the field
path) for a list given where text or a number goes. Organisers edit the campaign file by hand:
they need the key they typed named, the nearest key that exists, and what the field wants
against what they gave. pydantic has no hook for either (its messages are per error, without
the model's other field names), hence this module.

Given values are described by their kind ("a list"), never quoted: a field may hold a secret.
"""

from __future__ import annotations

import difflib
import inspect
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

Loc = tuple[Any, ...]

EXPECTED = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "tuple_type": "a list",
    "dict_type": "a mapping (indented 'key: value' lines)",
    "model_type": "a mapping (indented 'key: value' lines)",
    "model_attributes_type": "a mapping (indented 'key: value' lines)",
    "time_type": "a time such as 18:30",
    "time_parsing": "a time such as 18:30",
    "date_type": "a date such as 2026-03-01",
    "date_parsing": "a date such as 2026-03-01",
    "date_from_datetime_parsing": "a date such as 2026-03-01",
    "datetime_type": "a date and time such as 2026-03-01T10:00",
    "datetime_parsing": "a date and time such as 2026-03-01T10:00",
    "datetime_from_date_parsing": "a date and time such as 2026-03-01T10:00",
    "url_type": "a URL such as https://example.org/",
    "url_parsing": "a URL such as https://example.org/",
    "url_scheme": "a URL starting https://",
}
"""What a field wants, by pydantic's error type."""


def given(value: Any) -> str:
    """What kind of value was given, in words (never the value: it may be a secret)."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text" if value.strip() else "empty text"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, Sequence):
        return "a list"
    return "something else"


def wrong_type(errors: Sequence[Mapping[str, Any]]) -> str | None:
    """One sentence for type errors at one place, the members of a union merged
    ('should be text or a whole number, not a list'); None if any is of another kind."""
    wanted: list[str] = []
    for err in errors:
        words = EXPECTED.get(err["type"])
        if words is None:
            return None
        if words not in wanted:
            wanted.append(words)
    return f"should be {' or '.join(wanted)}, not {given(errors[0].get('input'))}"


def unknown_field(key: Any, known: Sequence[str]) -> str:
    """'unknown field 'timezon'; did you mean 'timezone'?' (or the fields that exist there)."""
    said = f"unknown field {str(key)!r}"
    if not known:
        return said
    near = nearest(str(key), known)
    if near:
        return f"{said}; did you mean {near!r}?"
    return f"{said}; the fields here are: {', '.join(sorted(known))}"


_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.+-]{0,39}")
"""What a name (an id, a network, a language) may look like, and so may be quoted back."""


def named(value: Any) -> str:
    """`value` quoted where a name was wanted; anything else described, since a token pasted
    into the wrong field must not be printed (Telegram's have a ':', Mastodon's 43 characters)."""
    if isinstance(value, str) and _NAME.fullmatch(value):
        return repr(value)
    if isinstance(value, str):
        return f"(text of {len(value)} characters, not shown: it may be a secret)"
    return f"({given(value)})"


def nearest(value: Any, known: Iterable[str]) -> str | None:
    """The one of `known` closest to a mistyped `value`, if any is close (difflib)."""
    if not isinstance(value, str):
        return None
    near = difflib.get_close_matches(value, list(known), n=1, cutoff=0.6)
    return near[0] if near else None


def did_you_mean(value: Any, known: Iterable[str], *, otherwise: str | None = "known") -> str:
    """What follows 'unknown network 'whatsap'': '; did you mean 'whatsapp'?' when one of
    `known` is close, else '; known: a, b' (`otherwise` names the list), '' when none.
    `otherwise=None`: never the list (too long to read, such as the time zones): ''."""
    known = list(known)
    near = nearest(value, known)
    if near is not None:
        return f"; did you mean {near!r}?"
    return f"; {otherwise}: {', '.join(known)}" if known and otherwise is not None else ""


def not_one_of(value: Any, expected: str) -> str | None:
    """pydantic's "Input should be 'public', ... or 'direct'" (a Literal field) as
    "'publc' is not one of 'public', ... or 'direct'; did you mean 'public'?"; None when
    `expected` (the error's ctx) names no choices."""
    choices = re.findall(r"'([^']*)'", expected)
    if not choices:
        return None
    near = nearest(value, choices)
    hint = f"; did you mean {near!r}?" if near else ""
    return f"{named(value)} is not one of {expected}{hint}"


def unknown(what: str, value: Any, known: Iterable[str]) -> str:
    """'unknown page 'ale'; did you mean 'ales'?', or the known ones listed."""
    return f"unknown {what} {named(value)}{did_you_mean(value, known)}"


def known_fields(model: type[BaseModel] | None, parent: Loc, data: Any) -> list[str]:
    """The field names (as written in the file) a mapping at `parent` may hold, following
    `model`'s annotations down `parent`; a base model stands for its subclasses that agree
    with the data's Literal fields (a channel's `kind: mastodon`). [] when it cannot tell."""
    if model is None:
        return []
    types: list[Any] = [model]
    node = data
    for part in parent:
        types = [inner for t in types for inner in _inside(t, part, node)]
        node = node.get(part) if isinstance(node, Mapping) else _item(node, part)
    names: list[str] = []
    for m in _models(types, node):
        for name, f in m.model_fields.items():
            shown = f.alias or name
            if shown not in names and not f.exclude:
                names.append(shown)
    return names


def _item(node: Any, part: Any) -> Any:
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return None


def _flat(t: Any) -> Iterator[Any]:
    """`t` without Annotated, Optional and unions: each type it may be."""
    origin = get_origin(t)
    if origin is Annotated:
        yield from _flat(get_args(t)[0])
    elif origin is Union or isinstance(t, UnionType):
        for member in get_args(t):
            yield from _flat(member)
    else:
        yield t


def _inside(t: Any, part: Any, node: Any) -> Iterator[Any]:
    """The annotation(s) of what `part` holds in a value of type `t` (the data `node`)."""
    for m in _models([t], node):
        for name, f in m.model_fields.items():
            if part in (name, f.alias):
                yield f.annotation
    for u in _flat(t):
        origin, args = get_origin(u), get_args(u)
        if not inspect.isclass(origin) or not args:
            continue
        if isinstance(part, int) and issubclass(origin, Sequence) and not issubclass(origin, str):
            yield args[0]
        elif isinstance(part, str) and issubclass(origin, Mapping):
            yield args[-1]


def _models(types: Sequence[Any], node: Any) -> Iterator[type[BaseModel]]:
    """The models `types` may be for the data `node`, each with its subclasses."""
    for t in types:
        for u in _flat(t):
            if inspect.isclass(u) and issubclass(u, BaseModel):
                yield from (m for m in _with_subclasses(u) if _agrees(m, node))


def _with_subclasses(model: type[BaseModel]) -> Iterator[type[BaseModel]]:
    yield model
    for sub in model.__subclasses__():
        yield from _with_subclasses(sub)


def _agrees(model: type[BaseModel], node: Any) -> bool:
    """No Literal field of `model` contradicts the data (`kind: telegram` is no Mastodon)."""
    if not isinstance(node, Mapping):
        return True
    return not any(
        get_origin(f.annotation) is Literal
        and name in node
        and node[name] not in get_args(f.annotation)
        for name, f in model.model_fields.items()
    )

"""What message templates are named and handed, and how their text is tidied: no Jinja2.

The half of the template layer that a run with nothing to render still uses
(the planner fingerprints the template files; template_context declares the
views): kept apart from message_env, the Jinja2 sandbox, so that such a run
does not import Jinja2 (issue 15: start-up time). message_env re-exports it.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import TypeVar

TEMPLATE_SUFFIX = ".j2"
# Control characters, and the bidi embeddings/overrides/isolates that can make a
# title read backwards (U+202E "RLO" tricks); the plain LRM/RLM marks stay.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]")

DATA_FIELDS: dict[type, frozenset[str]] = {}
"""The views templates read (template_context's), and their fields: see template_data."""
T = TypeVar("T", bound=type)


def template_data(cls: T) -> T:
    """Marks a frozen dataclass that templates read as plain data: the sandbox hands out its
    fields without asking, per read, whether the object is a function, a frame or a
    mutable container (it is none; each of a render's reads asked, issue 15)."""
    if not dataclasses.is_dataclass(cls) or not cls.__dataclass_params__.frozen:  # type: ignore[attr-defined]
        raise TypeError(f"{cls.__name__} is not a frozen dataclass")
    fields = (f.name for f in dataclasses.fields(cls))
    DATA_FIELDS[cls] = frozenset(name for name in fields if not name.startswith("_"))
    return cls


def tidy(text: str) -> str:
    """No trailing spaces, at most one blank line in a row: an empty part leaves no hole."""
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def one_line(text: str) -> str:
    """A title as it goes into a post: no control characters, white space collapsed."""
    return re.sub(r"\s+", " ", _CONTROL.sub("", text)).strip()


def paragraphs(text: str) -> str:
    """A summary as it goes into a post: paragraphs kept, at most one blank line between."""
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " "))
    text = re.sub(r"[ \u00a0]*\n[ \u00a0]*", "\n", re.sub(r" {2,}", " ", text))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def template_names(kind: str, channel_kind: str, lang: str, default_lang: str) -> list[str]:
    names = [f"{kind}/{channel_kind}.{lang}{TEMPLATE_SUFFIX}"]
    if default_lang != lang:
        names.append(f"{kind}/{channel_kind}.{default_lang}{TEMPLATE_SUFFIX}")
    names.append(f"{kind}/{channel_kind}{TEMPLATE_SUFFIX}")
    return names


def is_partial(relative_name: str) -> bool:
    return any(part.startswith("_") for part in Path(relative_name).parts)

"""What every part of the campaign file shares: the base model, ids, URLs, texts per language."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from ..secret import Secret

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")

STORED_CHARS = {"id": 64, "template": 200, "cron": 100, "server": 1000}
"""The most characters the store keeps of each (the ledger's columns: ledger/schema.py;
tests/test_column_bounds.py holds them equal). Not read from there: loading a campaign
file does not import SQLAlchemy (issue 15)."""


def check_stored_length(value: str | None, what: str, kind: str) -> str | None:
    """`value` when the store can keep it whole; else an error with its length and the
    limit, when the file is loaded (on PostgreSQL it would fail at its first write)."""
    limit = STORED_CHARS[kind]
    if value is not None and len(value) > limit:
        raise ValueError(
            f"{what} is {len(value)} characters, over the {limit} outreach can keep: shorten it"
        )
    return value


def check_id(value: str) -> str:
    check_stored_length(value, "the id", "id")
    if not _ID.match(value):
        raise ValueError(
            f"{value!r} is not a valid id: use lower-case letters, digits, '-' and '_'"
        )
    return value


def check_http_url(value: str | None) -> str | None:
    """An http(s) URL with a host, or None: the one rule for every URL in the campaign file.

    Page and campaign URLs become hrefs in readers' share bars and subscribers'
    posts (javascript: or data: there would run or show whatever it holds on a
    click); instances and API bases are where requests go.
    """
    if value is None:
        return None
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - a bad port only fails when read
        ok = parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:
        ok = False
    if not ok or re.search(r"[\s\x00-\x1f\x7f]", value):
        raise ValueError(f"{value!r} is not an http(s) URL")
    return value


def check_endpoint_url(value: str | None) -> str | None:
    """An http(s) URL requests are sent to (an instance, an API base): no user info,
    query or fragment, which the client would drop or send where they do not belong."""
    check_http_url(value)
    check_stored_length(value, "the server's address", "server")
    if value is not None:
        from urllib.parse import urlsplit

        parts = urlsplit(value)
        if parts.username is not None or parts.password is not None:
            raise ValueError(
                f"{parts.scheme}://...@{parts.hostname}: a server URL holds no user name or "
                "password (a token goes in token_env or token_file)"
            )
        if parts.query or parts.fragment:
            raise ValueError(f"{value!r} is a server's address: it takes no '?' or '#' part")
    return value


def no_plain_token(value: Any) -> Any:
    # `token` is filled from token_env / token_file; a token typed into the file would be
    # copied with it, committed and shared.
    if value is not None and not isinstance(value, Secret):
        raise ValueError(
            "a token is never written in the campaign file: name where it is with "
            "token_env (an environment variable) or token_file"
        )
    return value


Id = Annotated[str, Field(min_length=1)]
LocalText = dict[str, str]
"""Text per language code, e.g. {'en': 'Free Ales', 'be': 'Волю Алесю'}."""


def _picked(texts: Mapping[str, str], lang: str, fallback: str) -> str | None:
    """The key whose text `pick` gives: `lang`, the fallback, "*" (every language), else
    the first; None when there is none."""
    for key in (lang, fallback, "*"):
        if key in texts:
            return key
    return next(iter(texts), None)


def pick(texts: Mapping[str, str], lang: str, fallback: str) -> str:
    """The text in `lang`, else in the fallback language, else any; '' when empty."""
    key = _picked(texts, lang, fallback)
    return "" if key is None else texts[key]


def written_in(texts: Mapping[str, str], lang: str, fallback: str) -> str:
    """The language of the text `pick` takes (`lang` for a text in every language, "*")."""
    key = _picked(texts, lang, fallback)
    return lang if key is None or key == "*" else key


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def no_items() -> list[Any]:
    """A new empty list: the default_factory of a list field, in place of `list`.

    Pydantic asks each factory for its signature when it builds a model; `list`'s is
    parsed from its text by tokenize, whose first use compiles its patterns (~3 ms,
    then ~0.2 ms a field): about 4 ms of every command's start that a function's
    signature does not cost (issue 15).
    """
    return []


def local_text(value: Any) -> Any:
    # A plain string means "the same in every language".
    return {"*": value} if isinstance(value, str) else value

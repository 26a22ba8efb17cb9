"""Mastodon.py's client, with the answer to a new or edited status left as parsed JSON.

Why this exists: Mastodon.py 2.x casts every answer into its typed entities
(`try_cast_recurse`: a Status, its Account, its emojis, its dates parsed by
dateutil, each key through a type-hinted `__setitem__`). For the answer to
`status_post` that is about 3 ms of CPU, more than half of the client's whole
call, and about a third of outreach's per-post cost on a fast server
(bench/README.md, the posting path); outreach reads only the new status's
`id`, `url` and `uri` of it. Mastodon.py offers no switch for this, so
`client_class()` subclasses its client and overrides the one hook every
answer passes through, `Mastodon.__try_cast_to_type` (name-mangled
`_Mastodon__try_cast_to_type`, in mastodon/internals.py):

- an answer Mastodon.py's status posting casts to `Status` (`status_post`,
  `status_update`: `__status_internal` names the type), when it is a JSON
  object, becomes an `AttribAccessDict` holding the parsed JSON as it is
  (nested objects stay plain dicts, times stay ISO strings): `status["id"]`,
  `status.get("url")`, `status.id` all still work, and so does Mastodon.py's
  error handling, which looks for an "error" key in it;
- every other answer (`status`, `status_delete`, media, accounts, the
  instance, errors of those) goes to Mastodon.py's own hook with the type
  it would have found itself, so it is cast exactly as before.

The requests session under it is publishers/mastodon_session.py's.

Kept honest two ways. `client_class()` checks that the installed Mastodon.py
still has the hook with the signature and result this relies on, and gives
the plain client otherwise: an upgrade that drops or changes it costs speed,
never correctness. And tests/test_mastodon_client.py fails when that check
does not pass with the pinned version, so the loss is seen, not silent.
"""

from __future__ import annotations

import functools
import inspect
import sys
from collections import OrderedDict
from typing import Any

_HOOK = "_Mastodon__try_cast_to_type"


def client_class() -> type[Any]:
    """Mastodon.py's `Mastodon`, subclassed as above when its hook is as expected."""
    from mastodon import Mastodon

    return uncast_statuses(Mastodon)


@functools.cache
def uncast_statuses(base: type[Any]) -> type[Any]:
    """`base` (Mastodon.py's client) with statuses' answers left uncast; `base` itself
    when its hook is not the one this module knows (hook_fits)."""
    if not hook_fits(base):
        return base
    from mastodon.return_types import Status
    from mastodon.types_base import AttribAccessDict

    original = getattr(base, _HOOK)
    store = OrderedDict.__setitem__  # AttribAccessDict is an OrderedDict

    def declared(client: Any, caller: Any) -> Any:
        """The API method's declared return type, found as Mastodon.py's hook finds it
        (the method two frames up); here, because its hook would find this one instead."""
        try:
            method = getattr(client, caller.f_code.co_name)
            return method.__annotations__.get("return", AttribAccessDict) or AttribAccessDict
        except Exception:  # as Mastodon.py does: anything it cannot name is a plain entity
            return AttribAccessDict

    def cast(self: Any, value: Any, override_type: Any = None) -> tuple[Any, Any]:
        if override_type is Status and type(value) is dict:
            status = AttribAccessDict()
            for key, item in value.items():  # not its __setitem__: no casting, no recursion
                store(status, key, item)
            return status, "Status"
        if override_type is None:
            override_type = declared(self, sys._getframe(2))
        return original(self, value, override_type)

    return type("MastodonClient", (base,), {_HOOK: cast, "__module__": __name__})


def hook_fits(base: type[Any]) -> bool:
    """Whether `base` has the hook this module overrides, taking (value, override_type)
    and giving (value, type name) for a status as Mastodon.py 2.x does."""
    hook = getattr(base, _HOOK, None)
    if hook is None:
        return False
    try:
        names = list(inspect.signature(hook).parameters)
        if names != ["self", "value", "override_type"]:
            return False
        from mastodon.return_types import Status

        got = hook(object.__new__(base), {"id": "1", "url": "https://x.example/@a/1"}, Status)
        return isinstance(got, tuple) and len(got) == 2 and got[0]["id"] == "1"
    except Exception:
        return False

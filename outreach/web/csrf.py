"""Cross-site request forgery: every form carries a token the attacker's page cannot read.

Signed in, the token is the session's own (kept with it in the ledger, new at
every sign-in). Before sign-in (the sign-in forms themselves), it is a random
value in an HttpOnly cookie that the form repeats (double submit). Either way
a state-changing request (every POST) must bring the token in its form field
`csrf`, compared in constant time; and a request whose Origin header names
another site is refused even before that. The session cookie's SameSite=Lax
is a third wall, not the only one.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from urllib.parse import urlsplit

from .tokens import new_token

COOKIE = "outreach_csrf"
FIELD = "csrf"


def anonymous_token(cookies: Mapping[str, str]) -> tuple[str, bool]:
    """(the token for a signed-out form, whether the cookie must be set now)."""
    have = cookies.get(COOKIE)
    if have and 20 <= len(have) <= 100:
        return have, False
    return new_token(), True


def same_origin(headers: Mapping[str, str], host: str) -> bool:
    """False when Origin (or, without it, Referer) names a site other than `host`."""
    origin = headers.get("origin") or headers.get("referer")
    if not origin or origin == "null":
        # no header: a browser always sends Origin with a cross-site POST, so this is
        # not a browser form from elsewhere; "null" is a sandboxed or privacy origin
        return origin != "null"
    return urlsplit(origin).netloc == host


def valid(expected: str | None, given: str | None) -> bool:
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())

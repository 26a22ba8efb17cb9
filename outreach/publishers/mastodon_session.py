"""The requests session under a Mastodon publisher's Mastodon.py client.

Mastodon.py takes the session it sends through (`Mastodon(session=...)`);
every request still goes through requests' PreparedRequest, HTTPAdapter and
urllib3. This session differs from a plain `requests.Session` in three ways,
each worth a tenth or more of a post's CPU on the delivery thread
(bench/README.md, "the network side of a post"):

- The environment is read once (`settled_session`): requests, trusting the
  environment, looks the proxy variables up again for every request (walking
  all of os.environ twice) although every request of a publisher goes to its
  one instance.

- A successful answer's X-RateLimit-Reset is not shown to Mastodon.py
  (`unparsed_reset`, a response hook): Mastodon.py parses it and the Date
  header with dateutil on every answer for its own pacing, which outreach
  never uses (`ratelimit_method="throw"`; pacing.py counts from the store). A
  refusal (4xx, 5xx) keeps it, and the publisher's `retry_after` reads the wait
  from the refusal's own headers.

- Requests are prepared without requests' merging of empty settings
  (`InstanceSession.prepare_request`). With requests 2.34 on Python 3.11,
  preparing one status post costs about 0.3 ms of CPU, a fifth of the whole
  call: about a dozen `isinstance` checks against requests' runtime-checkable
  protocols (`SupportsItems`, `SupportsRead`: typing's slow path, made fast
  only in Python 3.12), and the merging of the session's and the request's
  cookies, parameters and headers, all empty but the headers. For the
  requests Mastodon.py makes (a dict of form fields or query parameters,
  headers, its no-op auth) it builds the same PreparedRequest with requests'
  own `prepare_*` steps and its own urlencoding, minus those checks; anything
  else (files, JSON, cookies held or given, session-wide auth or parameters,
  values it does not know) goes to requests' own `prepare_request`.
  tests/test_mastodon_session.py compares the two preparations field by field
  for the shapes Mastodon.py sends, so a requests upgrade that changes its
  preparation shows there.

- Its adapters (`InstanceAdapter`) keep the connection pool found for each
  scheme, host and TLS settings instead of asking urllib3's PoolManager for it
  again on every request (parsing the URL, building the pool key: about a
  twentieth of a post's CPU). `get_connection_with_tls_context` is the method
  requests documents for subclasses to override. Closing the adapter (the
  session) closes the pools it kept; a pool found closed is looked up again;
  a request through a proxy is requests' own.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import requests
from requests.adapters import HTTPAdapter
from requests.cookies import RequestsCookieJar
from requests.models import PreparedRequest, Request
from requests.sessions import merge_hooks
from requests.structures import CaseInsensitiveDict

_SCALARS = (str, bytes, int, float, bool)
_DICTS = (dict, OrderedDict, CaseInsensitiveDict)  # Mastodon.py's parameters are OrderedDicts
_URL_CACHE = 64
"""Prepared URLs kept (a publisher posts to a handful: statuses, media, one status)."""


def unparsed_reset(response: Any, *args: Any, **kwargs: Any) -> Any:
    """A requests response hook: a successful answer's X-RateLimit-Reset is not shown
    to Mastodon.py (see the module docstring); a refusal's (4xx, 5xx) is left."""
    if response.status_code < 400:
        response.headers.pop("X-RateLimit-Reset", None)
    return response


def settled_session(instance: str) -> InstanceSession:
    """A session for one instance, the environment read now instead of per request.

    The same settings requests would find for each request to `instance`: the
    proxy for its scheme unless NO_PROXY covers its host (`get_environ_proxies`),
    and REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE for verifying it. (~/.netrc,
    requests' third source, is never read for Mastodon.py's requests: they carry
    their own auth.) Variables changed after the publisher starts are not seen.
    """
    session = InstanceSession()
    for prefix in ("https://", "http://"):
        session.mount(prefix, InstanceAdapter())
    session.hooks["response"].append(unparsed_reset)
    session.trust_env = False
    session.proxies.update(requests.utils.get_environ_proxies(instance))
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if bundle:
        session.verify = bundle
    return session


class InstanceSession(requests.Session):
    """requests.Session preparing Mastodon.py's plain requests without the empty merges."""

    def __init__(self) -> None:
        super().__init__()
        self._urls: dict[str, str] = {}

    def prepare_request(self, request: Request) -> PreparedRequest:
        # Any: what Mastodon.py gives, checked by _fields below (requests types them wider)
        data: Any = request.data
        params: Any = request.params
        given: Any = request.headers
        url = request.url
        if (
            request.files
            or request.json is not None
            or request.cookies
            or len(self.cookies)
            or self.auth is not None
            or self.params
            or not isinstance(url, str)
            or not isinstance(request.method, str)
            or not _fields(data)
            or not _fields(params)
            or not _fields(given)
        ):
            return super().prepare_request(request)
        p = PreparedRequest()
        p.prepare_method(request.method)
        if params:  # a GET's query: requests' own
            p.prepare_url(url, params)
        else:
            p.url = self._url(url)
        headers = CaseInsensitiveDict(self.headers)  # the request's override the session's
        headers.update(given)
        for name in [name for name, value in headers.items() if value is None]:
            del headers[name]
        p.prepare_headers(headers)
        p.prepare_cookies(RequestsCookieJar())
        body = _form(data) if data else None
        p.prepare_content_length(body)
        if body is not None and "content-type" not in p.headers:
            p.headers["Content-Type"] = "application/x-www-form-urlencoded"
        p.body = body
        p.prepare_auth(request.auth, url)
        p.prepare_hooks(merge_hooks(request.hooks, self.hooks))
        return p

    def merge_environment_settings(
        self, url: Any, proxies: Any, stream: Any, verify: Any, cert: Any
    ) -> dict[str, Any]:
        # trust_env is off (settled_session): requests would only merge the session's
        # own settings in, each a copy of the session's when the call gives none.
        if (
            self.trust_env
            or proxies
            or stream is not None
            or verify is not None
            or cert
            or type(self.proxies) is not dict
        ):
            return super().merge_environment_settings(url, proxies, stream, verify, cert)
        own = {key: value for key, value in self.proxies.items() if value is not None}
        return {"proxies": own, "stream": self.stream, "verify": self.verify, "cert": self.cert}

    def _url(self, url: str) -> str:
        """requests' preparation of a URL without query parameters, kept per URL."""
        prepared = self._urls.get(url)
        if prepared is None:
            p = PreparedRequest()
            p.prepare_url(url, None)
            prepared = str(p.url)
            if len(self._urls) >= _URL_CACHE:
                self._urls.clear()
            self._urls[url] = prepared
        return prepared


class InstanceAdapter(HTTPAdapter):
    """requests' HTTPAdapter keeping the pool it found per scheme, host and TLS settings."""

    def __init__(self) -> None:
        super().__init__()
        self._pools: dict[tuple[str, str, Any, Any], Any] = {}

    def get_connection_with_tls_context(
        self, request: PreparedRequest, verify: Any, proxies: Any = None, cert: Any = None
    ) -> Any:
        url = request.url
        if (
            proxies
            or not isinstance(url, str)
            or not isinstance(verify, (bool, str))
            or not (cert is None or isinstance(cert, (str, tuple)))
        ):
            return super().get_connection_with_tls_context(request, verify, proxies, cert)
        scheme, _, rest = url.partition("://")
        key = (scheme.lower(), rest.split("/", 1)[0].split("?", 1)[0], verify, cert)
        pool = self._pools.get(key)
        if pool is None or getattr(pool, "pool", None) is None:  # none yet, or closed since
            pool = super().get_connection_with_tls_context(request, verify, proxies, cert)
            self._pools[key] = pool
        return pool

    def close(self) -> None:
        # urllib3 2 no longer closes the pools its PoolManager lets go: close those kept here
        kept, self._pools = list(self._pools.values()), {}
        super().close()
        for pool in kept:
            pool.close()


def _fields(value: Any) -> bool:
    """Whether `value` is what Mastodon.py gives requests as form fields, query
    parameters or headers: a dict of str keys to scalars (or lists of them), or empty."""
    if not value:
        return isinstance(value, (Mapping, list, tuple)) or value is None
    if type(value) not in _DICTS:
        return False
    for key, item in value.items():
        if type(key) is not str:
            return False
        if item is None or isinstance(item, _SCALARS):
            continue
        if type(item) not in (list, tuple) or not all(
            v is None or isinstance(v, _SCALARS) for v in item
        ):
            return False
    return True


def _form(data: Mapping[str, Any]) -> str:
    """requests' `_encode_params` of a dict, without its protocol checks (same result)."""
    pairs: list[tuple[bytes, Any]] = []
    for key, values in data.items():
        if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
            values = [values]
        for value in values:
            if value is not None:
                pairs.append(
                    (
                        key.encode("utf-8"),
                        value.encode("utf-8") if isinstance(value, str) else value,
                    )
                )
    return urlencode(pairs, doseq=True)

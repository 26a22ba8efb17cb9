"""The requests session under the Mastodon publisher (publishers/mastodon_session.py).

Its preparation of a request must be requests' own, field by field, for every
request Mastodon.py makes while outreach posts, edits, deletes, reads limits
and looks statuses up: recorded from the real Mastodon.py against the fake
Mastodon, then prepared both ways. A requests upgrade that changes how it
prepares them fails here.
"""

from __future__ import annotations

import mastodon
import pytest
import requests
from fakes.mastodon_server import FakeMastodon
from hypothesis import given
from hypothesis import strategies as st
from mastodonkit import publisher
from requests.models import PreparedRequest, Request

from outreach.post import Post
from outreach.publishers import mastodon_session
from outreach.publishers.base import SentPost


@pytest.fixture
def fake():
    with FakeMastodon(realistic=True) as server:
        yield server


def as_requests_makes_it(method, url, **kw) -> Request:
    """The Request that requests.Session.request builds from Mastodon.py's call."""
    return Request(
        method=method.upper(),
        url=url,
        headers=kw.get("headers"),
        files=kw.get("files"),
        data=kw.get("data") or {},
        json=kw.get("json"),
        params=kw.get("params") or {},
        auth=kw.get("auth"),
        cookies=kw.get("cookies"),
        hooks=kw.get("hooks"),
    )


def fields(p: PreparedRequest) -> tuple:
    return (p.method, p.url, list(p.headers.items()), p.body, p.hooks, len(p._cookies or ()))


def plain_twin(session: requests.Session) -> requests.Session:
    plain = requests.Session()
    plain.trust_env = False
    plain.hooks = session.hooks
    plain.proxies = session.proxies
    plain.verify = session.verify
    return plain


def test_every_request_mastodon_py_makes_is_prepared_as_requests_prepares_it(
    fake, image, monkeypatch
):
    calls: list[tuple] = []
    send = mastodon_session.InstanceSession.request

    def recording(self, method, url, **kw):
        calls.append((method, url, kw))
        return send(self, method, url, **kw)

    monkeypatch.setattr(mastodon_session.InstanceSession, "request", recording)
    pub = publisher(fake)
    pub.check()
    text = "Свабоду Алесю Бяляцкаму! 🕊 https://freeales.fidh.net/ & 100% «справа»"
    post = Post("masto", "mastodon", text, "be", spoiler_text="суд", visibility="unlisted")
    receipt = pub.publish(post, "k1")
    pub.publish(Post("masto", "mastodon", "with a picture", "en", image_url="x.png"), "k2")
    sent = SentPost("masto", receipt.remote_id, receipt.url, post)
    pub.edit(sent, text + " (updated)")
    pub.look_up(sent)
    pub.delete(sent)
    from fakes.mastodon_server import PNG

    media = pub.api().media_post(PNG, mime_type="image/png", description="Ales")
    while pub.api().media(media["id"]).get("url") is None:  # Mastodon refuses it unprocessed
        pass
    pub.api().status_post("several media", media_ids=list(fake.media), sensitive=True)
    assert {c[0] for c in calls} == {"GET", "POST", "PUT", "DELETE"}

    session = pub.api().session
    plain = plain_twin(session)
    for method, url, kw in calls:
        if kw.get("files"):  # an upload: requests' own preparation (the test below), own boundary
            continue
        request = as_requests_makes_it(method, url, **kw)
        ours, theirs = session.prepare_request(request), plain.prepare_request(request)
        assert fields(ours) == fields(theirs), (method, url)


@pytest.fixture
def image(monkeypatch):
    def fetch(url, timeout):
        from fakes.mastodon_server import PNG

        return PNG, "image/png"

    monkeypatch.setattr("outreach.publishers.mastodon.fetch_image_default", fetch)


@given(
    st.dictionaries(
        st.text(min_size=1, max_size=8),
        st.one_of(
            st.none(),
            st.text(max_size=20),
            st.integers(),
            st.booleans(),
            st.lists(st.one_of(st.text(max_size=5), st.integers(), st.none()), max_size=3),
        ),
        max_size=5,
    )
)
def test_form_fields_are_encoded_as_requests_encodes_them(data):
    assert mastodon_session._form(data) == PreparedRequest._encode_params(data)


def test_what_mastodon_py_never_sends_goes_through_requests_own_preparation(monkeypatch):
    session = mastodon_session.settled_session("https://masto.example")
    used: list[str] = []
    theirs = requests.Session.prepare_request

    def spy(self, request):
        used.append(request.method)
        return theirs(self, request)

    monkeypatch.setattr(requests.Session, "prepare_request", spy)
    url = "https://masto.example/api/v1/statuses"
    session.prepare_request(Request("POST", url, data={"status": "x"}))
    assert used == []
    session.prepare_request(Request("POST", url, json={"status": "x"}))
    session.prepare_request(Request("POST", url, files={"file": ("a.png", b"x")}))
    session.prepare_request(Request("POST", url, data={"status": "x"}, cookies={"a": "b"}))
    session.prepare_request(Request("POST", url, data={"status": {"nested": "x"}}))
    session.cookies.set("kept", "1", domain="masto.example")
    plain = session.prepare_request(Request("POST", url, data={"status": "x"}))
    assert used == ["POST"] * 5
    assert plain.headers["Cookie"] == "kept=1"  # a cookie the server set is still sent


def test_a_status_is_posted_through_the_lean_preparation(fake, monkeypatch):
    def refuse(self, request):
        raise AssertionError("requests' own preparation")

    monkeypatch.setattr(requests.Session, "prepare_request", refuse)
    receipt = publisher(fake).publish(Post("masto", "mastodon", "Free Ales", "en"), "k")
    assert fake.texts() == ["Free Ales"] and receipt.remote_id == fake.statuses[0]["id"]


def test_a_bad_address_is_refused_as_requests_refuses_it():
    session = mastodon_session.settled_session("masto.example")
    with pytest.raises(requests.exceptions.MissingSchema):
        session.prepare_request(Request("POST", "masto.example/api/v1/statuses", data={"a": "b"}))


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_environments_proxy_is_still_used(fake, monkeypatch):
    # The session reads the environment once (settled_session), as requests would per request.
    from outreach.errors import TransientError

    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{_closed_port()}")
    with pytest.raises(TransientError, match="could not be reached"):
        publisher(fake).publish(Post("masto", "mastodon", "through the proxy", "en"), "k1")
    assert fake.statuses == []
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    publisher(fake).publish(Post("masto", "mastodon", "not through it", "en"), "k2")
    assert fake.texts() == ["not through it"]


def test_the_environments_ca_bundle_is_still_used(monkeypatch, tmp_path):
    bundle = tmp_path / "ca.pem"
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    assert mastodon_session.settled_session("https://masto.example").verify == str(bundle)
    monkeypatch.delenv("REQUESTS_CA_BUNDLE")
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    assert mastodon_session.settled_session("https://masto.example").verify is True


def test_mastodon_py_is_given_this_session(fake):
    api = publisher(fake).api()
    assert isinstance(api, mastodon.Mastodon)
    assert type(api.session) is mastodon_session.InstanceSession


def test_the_connection_pool_is_kept_and_found_again_once_closed(fake):
    pub = publisher(fake)
    pub.publish(Post("masto", "mastodon", "one", "en"), "k1")
    session = pub.api().session
    adapter = session.get_adapter(fake.url)
    assert isinstance(adapter, mastodon_session.InstanceAdapter)
    [pool] = adapter._pools.values()
    pub.publish(Post("masto", "mastodon", "two", "en"), "k2")
    assert list(adapter._pools.values()) == [pool]
    session.close()
    assert pool.pool is None  # closed with the session, as requests' own pools are
    pub.publish(Post("masto", "mastodon", "three", "en"), "k3")
    [again] = adapter._pools.values()
    assert again is not pool and again.pool is not None
    assert fake.texts() == ["one", "two", "three"]

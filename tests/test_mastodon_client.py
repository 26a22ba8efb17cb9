"""Mastodon.py's client with a new status's answer left uncast (publishers/mastodon_client.py).

Through the real Mastodon.py against the fake Mastodon answering the whole status
entity, as the real server does. The first test is the guard: when an upgrade of
Mastodon.py drops or changes the hook, it fails here instead of outreach silently
paying the casting again.
"""

from __future__ import annotations

import datetime as dt

import mastodon
import pytest
from fakes.mastodon_server import FakeMastodon
from mastodon.return_types import Account, Status
from mastodon.types_base import AttribAccessDict
from mastodonkit import publisher

from outreach.post import Post
from outreach.publishers import mastodon_client
from outreach.publishers.base import SentPost


@pytest.fixture
def fake():
    with FakeMastodon(realistic=True) as server:
        yield server


def test_the_installed_mastodon_py_still_has_the_hook_that_skips_the_casting():
    # If this fails after upgrading Mastodon.py, outreach still posts correctly
    # (client_class() falls back to the plain client) but pays ~3 ms of CPU a post
    # again: adapt mastodon_client.py to the new version.
    assert mastodon_client.hook_fits(mastodon.Mastodon), mastodon.__version__
    cls = mastodon_client.client_class()
    assert cls is not mastodon.Mastodon and issubclass(cls, mastodon.Mastodon)


def test_a_new_status_is_answered_as_its_json_without_casting(fake):
    pub = publisher(fake)
    answer = pub.api().status_post("Free Ales Bialiatski", idempotency_key="k")
    assert type(answer) is AttribAccessDict
    assert answer == fake.statuses[0]["json"]  # all of it, as the server sent it
    assert answer.id == answer["id"] == fake.statuses[0]["id"]
    assert answer.url == f"{fake.url}/@campaign/{answer['id']}"
    assert isinstance(answer["created_at"], str)  # not parsed: nobody reads it
    assert type(answer["account"]) is dict


def test_the_receipt_is_the_same_with_the_plain_client(fake, monkeypatch):
    fast = publisher(fake).publish(Post("masto", "mastodon", "one", "en"), "k1")
    monkeypatch.setattr(mastodon_client, "client_class", lambda: mastodon.Mastodon)
    plain_pub = publisher(fake)
    plain = plain_pub.publish(Post("masto", "mastodon", "two", "en"), "k2")
    assert type(plain_pub.api()) is mastodon.Mastodon
    assert fast.remote_id == fake.statuses[0]["id"] and plain.remote_id == fake.statuses[1]["id"]
    assert fast.url == f"{fake.url}/@campaign/{fast.remote_id}"
    assert plain.url == f"{fake.url}/@campaign/{plain.remote_id}"


def test_every_other_answer_is_cast_as_mastodon_py_casts_it(fake):
    api = publisher(fake).api()
    posted = api.status_post("Free Ales Bialiatski")
    again = api.status(posted["id"])  # the type found from status()'s annotation
    assert isinstance(again, Status)
    assert isinstance(again.created_at, dt.datetime)
    assert isinstance(again.account, Account)
    me = api.account_verify_credentials()
    assert isinstance(me, Account) and me.acct == "campaign"
    [listed] = api.account_statuses(me["id"], limit=40)
    assert isinstance(listed, Status) and listed.id == posted["id"]
    gone = api.status_delete(posted["id"])
    assert isinstance(gone, Status)


def test_an_edit_and_a_deletion_go_through_the_fast_client(fake):
    pub = publisher(fake)
    receipt = pub.publish(Post("masto", "mastodon", "Free Ales", "en"), "k")
    sent = SentPost(
        "masto", receipt.remote_id, receipt.url, Post("masto", "mastodon", "Free Ales", "en")
    )
    assert pub.edit(sent, "Free Ales Bialiatski").detail == "edited"
    assert fake.edits[0]["status"] == "Free Ales Bialiatski"
    assert pub.delete(sent).detail == "removed"
    assert fake.live() == []


def test_a_refusal_still_says_the_servers_reason(fake):
    from outreach.errors import PermanentError

    with pytest.raises(PermanentError, match="character limit of 500"):
        publisher(fake).publish(Post("masto", "mastodon", "x" * 600, "en"), "k")


def test_a_hook_of_another_shape_leaves_the_client_as_it_is():
    class Changed(mastodon.Mastodon):
        def _Mastodon__try_cast_to_type(self, value, override_type=None, strict=False):
            return value, None

    class Gone(mastodon.Mastodon):
        _Mastodon__try_cast_to_type = None

    assert mastodon_client.uncast_statuses(Changed) is Changed
    assert mastodon_client.uncast_statuses(Gone) is Gone

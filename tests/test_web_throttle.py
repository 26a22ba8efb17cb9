"""Sign-in throttling holds across console processes and restarts: the failures are counted
in the store (ledger.accounts, by hash), not in one process's memory. Two consoles on one
store behind one proxy, and a console started again, refuse the same name and address."""

from __future__ import annotations

from pathlib import Path

import pytest
from webkit import PASSWORD, Site

from outreach.app import App


@pytest.fixture
def two(tmp_path):
    """Two console processes' worth: two Apps and servers on one store and one clock."""
    a = Site(tmp_path)
    b = Site(tmp_path / "b", app=App(config=a.config, clock=a.clock))  # type: ignore[arg-type]
    yield a, b
    b.close()
    a.close()


def test_failures_on_one_console_count_on_the_other(two):
    a, b = two
    for site in (a, b, a, b, a):  # five wrong passwords for anna, spread over both
        assert site.visitor().signin("anna", "wrong password!").status_code == 401
    for site in (a, b):
        r = site.visitor().signin("anna")
        assert r.status_code == 429 and "Too many attempts. Wait 15 minutes" in r.text
    assert b.visitor().signin("olga").status_code == 303  # another name is not held back
    a.clock.advance(15 * 60)
    assert b.visitor().signin("anna").status_code == 303


def test_a_restarted_console_still_refuses(tmp_path):
    first = Site(tmp_path)
    clock = first.clock
    for _ in range(5):
        first.visitor().signin("vera", "wrong password!")
    config = first.config
    first.close()
    again = Site(tmp_path / "again", app=App(config=config, clock=clock))  # type: ignore[arg-type]
    try:
        assert again.visitor().signin("vera").status_code == 429
        clock.advance(10 * 60)
        r = again.visitor().signin("vera")
        assert r.status_code == 429 and "Wait 5 minutes" in r.text
        clock.advance(5 * 60)
        assert again.visitor().signin("vera").status_code == 303
    finally:
        again.close()


def test_made_up_links_from_one_address_count_on_every_console(two):
    a, b = two
    for i in range(20):
        site = (a, b)[i % 2]
        assert site.visitor().get("/signin/link?t=made-up-token").status_code == 410
    r = b.visitor().signin("anna")  # the address is throttled now, whatever the name
    assert r.status_code == 429


def test_a_good_sign_in_forgets_the_names_failures(two):
    a, b = two
    for _ in range(4):
        a.visitor().signin("anna", "wrong password!")
    assert b.visitor().signin("anna").status_code == 303
    for _ in range(4):  # four more: a fresh count, not eight
        b.visitor().signin("anna", "wrong password!")
    assert a.visitor().signin("anna").status_code == 303


def test_what_was_typed_as_a_name_is_not_kept_readable(tmp_path):
    site = Site(tmp_path)
    try:
        for _ in range(5):  # the fields swapped by mistake: the password typed as the name
            assert site.visitor().signin(PASSWORD, "anna").status_code == 401
        assert site.visitor().signin(PASSWORD, "anna").status_code == 429  # counted, in the store
        files = list(Path(tmp_path).glob("ledger.sqlite3*"))
        assert files and all(PASSWORD.encode() not in f.read_bytes() for f in files)
    finally:
        site.close()

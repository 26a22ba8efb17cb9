"""The web console refuses what it must: forged forms, strangers, the under-privileged.

Every test talks HTTP to the real console (uvicorn on 127.0.0.1, tests/webkit.py)
over the real App and ledger, and checks the store afterwards: a refusal
changes nothing.
"""

from __future__ import annotations

import logging
import re

import pytest
from starlette.routing import Route
from webkit import ANNA_TG, PASSWORD, STRANGER_TG, Site

from outreach.web.tokens import make_signin_link


@pytest.fixture
def site(tmp_path):
    s = Site(tmp_path)
    yield s
    s.close()


def snapshot(site: Site) -> tuple:
    led = site.ledger
    return (
        [(d.id, d.state, d.reason) for d in led.deliveries(limit=100)],
        led.pauses(),
        [(u.name, u.role) for u in led.accounts.users()],
        len(led.audit.entries(limit=1000)),
        [a.id for a in led.announcements()],
        [(a.delivery_id, a.kind, a.state) for a in led.actions()],  # corrections, takedowns
    )


# Every state-changing route, the role it needs, and a form that would succeed.
# A new POST route must be added here (test_the_table_names_every_post_route).
def routes_table(site: Site) -> dict[str, tuple[str, dict[str, str]]]:
    unknown = site.queue(1, state="unknown")
    pending = site.queue(2)
    failed = site.queue(3, "telegram-ru", state="failed")
    sent = site.queue(4, "mastodon-en", state="sent")
    doomed = site.queue(5, "telegram-ru")
    site.ledger.accounts.add_user("zoe", "viewer")
    from outreach import announcements

    announcements.add(
        site.config, site.ledger, ident="vigil", template="reminder", now=site.clock.now(),
        at="2026-03-10 18:00",
    )  # fmt: skip
    return {
        f"/deliveries/{pending}/cancel": ("organiser", {"back": "/queue"}),
        f"/deliveries/{failed}/retry": ("organiser", {"back": "/queue"}),
        f"/deliveries/{unknown}/resolve": ("organiser", {"outcome": "sent", "back": "/queue"}),
        "/pause": ("admin", {"channel": "", "until": "", "why": "test"}),
        "/resume": ("admin", {"channel": ""}),
        "/users": ("admin", {"name": "newbie", "role": "viewer", "password": PASSWORD}),
        "/users/zoe/role": ("admin", {"role": "admin"}),
        "/users/zoe/remove": ("admin", {}),
        "/status/check": ("viewer", {}),
        "/calendar/vigil/move": ("organiser", {"at": "2026-03-12T19:30"}),
        "/compose": ("organiser", COMPOSED),
        "/compose/preview": ("organiser", COMPOSED),  # changes nothing; answers 200
        f"/deliveries/{doomed}/takedown": ("admin", {"why": "test", "back": "/history"}),
        f"/deliveries/{sent}/correct": ("organiser", {"how": "text", "text": "New", "step": "do"}),
    }


COMPOSED = {"id": "composed", "source": "text", "text": "Vigil: {{ campaign.url }}",
            "ch:mastodon-en": "1", "when": "once", "at": "2026-03-11T18:00", "do": "save"}  # fmt: skip


def post_routes(site: Site) -> set[str]:
    out = set()
    for r in site.asgi.routes:
        if isinstance(r, Route) and r.methods and "POST" in r.methods:
            out.add(r.path)
    return out


SIGNED_OUT_FORMS = {"/signin", "/signin/link", "/signout"}


def test_the_table_names_every_post_route(site):
    table = routes_table(site)
    pattern = {
        re.sub(r"/\d+/", "/{id:int}/", p).replace("/zoe/", "/{name}/").replace("/vigil/", "/{id}/")
        for p in table
    }
    assert post_routes(site) - SIGNED_OUT_FORMS == pattern


def test_a_signed_out_visitor_is_sent_to_sign_in_and_nothing_changes(site):
    table = routes_table(site)
    v = site.visitor()
    v.get("/signin")  # has a pre-session token: only the session is missing
    before = snapshot(site)
    for path, (_, form) in table.items():
        r = v.post(path, form)
        assert r.status_code == 303 and r.headers["location"].startswith("/signin"), path
    assert snapshot(site) == before


@pytest.mark.parametrize("token", [None, "", "forged-token-0123456789abcdef"])
def test_a_form_without_the_right_token_is_refused_and_nothing_changes(site, token):
    table = routes_table(site)
    anna = site.signed_in("anna")  # admin: the token is the only thing wrong
    before = snapshot(site)
    for path, (_, form) in table.items():
        data = dict(form)
        if token is not None:
            data["csrf"] = token
        r = anna.post(path, data, csrf=False)
        assert r.status_code == 403, path
        assert "did not come from this console" in r.text
    assert snapshot(site) == before


def test_another_sessions_token_is_refused(site):
    table = routes_table(site)
    olga, anna = site.signed_in("olga"), site.signed_in("anna")
    before = snapshot(site)
    for path, (_, form) in table.items():
        r = anna.post(path, {**form, "csrf": olga.token or ""}, csrf=False)
        assert r.status_code == 403, path
    assert snapshot(site) == before


def test_a_form_posted_from_another_site_is_refused_even_with_the_token(site):
    pending = site.queue(1)
    anna = site.signed_in("anna")
    r = anna.post(f"/deliveries/{pending}/cancel", headers={"Origin": "https://evil.example"})
    assert r.status_code == 403
    assert site.get(pending).state == "pending"


def test_an_under_privileged_user_is_refused_by_the_server(site):
    table = routes_table(site)
    lower = {"organiser": "vera", "admin": "olga"}
    visitors = {name: site.signed_in(name) for name in ("vera", "olga")}
    before = snapshot(site)
    refused = 0
    for path, (role, form) in table.items():
        if role == "viewer":
            continue
        v = visitors[lower[role]]
        r = v.post(path, form)
        assert r.status_code == 403, path
        assert "may not do this" in r.text
        refused += 1
    assert refused == 13 and snapshot(site) == before
    # and the pages do not offer what the server would refuse
    site.queue(9)
    page = visitors["vera"].get("/queue").text
    assert "/cancel" not in page and "Your role may only look." in page
    assert visitors["olga"].get("/users").status_code == 403


def test_each_role_can_do_its_own_actions_and_the_trail_names_them(site):
    table = routes_table(site)
    who = {"viewer": "vera", "organiser": "olga", "admin": "anna"}
    for path, (role, form) in table.items():
        v = site.signed_in(who[role])
        v.get("/queue")
        r = v.post(path, form)
        ok = 200 if path == "/compose/preview" else 303
        assert r.status_code == ok, (path, r.status_code, r.text[:500])
    trail = [(e.by, e.action) for e in site.ledger.audit.entries(limit=100)]
    assert ("web:olga", "cancel") in trail and ("web:olga", "resolve") in trail
    assert ("web:olga", "retry") in trail
    assert ("web:anna", "pause") in trail and ("web:anna", "resume") in trail
    assert ("web:anna", "user-add") in trail and ("web:anna", "user-remove") in trail
    assert ("web:olga", "schedule") in trail
    assert ("web:anna", "takedown") in trail and ("web:olga", "correction") in trail


# -- sign-in ------------------------------------------------------------------------------


def test_signing_in_makes_a_new_session_and_ends_the_one_brought_along(site):
    vera = site.signed_in("vera")
    planted = vera.http.cookies["outreach_session"]
    victim = site.visitor()
    victim.http.cookies.set("outreach_session", planted, domain="127.0.0.1")
    assert "vera" in victim.get("/queue").text  # the planted session works... until sign-in
    r = victim.signin("anna")
    assert r.status_code == 303
    new = victim.http.cookies["outreach_session"]
    assert new != planted
    assert "anna" in victim.get("/queue").text
    # the session the attacker planted (and still holds) is gone
    assert vera.get("/queue").status_code == 303


def test_an_invented_session_id_is_not_adopted(site):
    v = site.visitor()
    v.http.cookies.set("outreach_session", "attacker-chosen-value", domain="127.0.0.1")
    v.signin("anna")
    assert v.http.cookies["outreach_session"] != "attacker-chosen-value"
    assert site.ledger.accounts.session("attacker-chosen-value") is None


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "http:/evil.example",
     "javascript:alert(1)", "/\r\nLocation: https://evil.example", " //evil.example"],
)  # fmt: skip
def test_no_open_redirect_after_sign_in(site, target):
    v = site.visitor()
    v.get("/signin")
    r = v.post("/signin", {"name": "anna", "password": PASSWORD, "next": target})
    assert r.status_code == 303 and r.headers["location"] == "/queue"
    r = v.get("/signin", params={"next": target})
    assert r.status_code == 303 and r.headers["location"] == "/queue"


def test_a_local_next_is_kept(site):
    v = site.visitor()
    r = v.get("/history?state=failed")
    assert r.status_code == 303
    assert r.headers["location"] == "/signin?next=%2Fhistory%3Fstate%3Dfailed"
    v.get(r.headers["location"])
    r = v.post("/signin", {"name": "anna", "password": PASSWORD, "next": "/history?state=failed"})
    assert r.headers["location"] == "/history?state=failed"


def test_the_sign_in_form_itself_needs_its_token(site):
    v = site.visitor()
    v.get("/signin")
    r = v.post("/signin", {"name": "anna", "password": PASSWORD}, csrf=False)
    assert r.status_code == 403 and "outreach_session" not in v.http.cookies


def test_wrong_passwords_are_throttled_even_when_the_right_one_follows(site):
    v = site.visitor()
    for _ in range(5):
        r = v.signin("anna", "wrong password!")
        assert r.status_code == 401 and "do not match" in r.text
    r = v.signin("anna")
    assert r.status_code == 429 and "Too many attempts" in r.text
    assert "outreach_session" not in v.http.cookies
    site.clock.advance(15 * 60)
    assert v.signin("anna").status_code == 303


def test_an_unknown_name_and_a_wrong_password_get_the_same_answer(site):
    a, b = site.visitor(), site.visitor()
    ra, rb = a.signin("nobody-here"), b.signin("anna", "wrong password!")
    assert ra.status_code == rb.status_code == 401
    assert "do not match" in ra.text and "do not match" in rb.text


def test_sessions_expire(site):
    v = site.signed_in("anna")
    assert v.get("/queue").status_code == 200
    site.clock.advance(12 * 3600 + 1)
    r = v.get("/queue")
    assert r.status_code == 303 and r.headers["location"].startswith("/signin")
    assert "Your session has ended" in v.get(r.headers["location"]).text


def test_a_role_change_ends_the_users_sessions(site):
    olga, anna = site.signed_in("olga"), site.signed_in("anna")
    anna.get("/users")
    assert anna.post("/users/olga/role", {"role": "viewer"}).status_code == 303
    assert olga.get("/queue").status_code == 303
    assert olga.signin("olga").status_code == 303
    assert "(viewer)" in olga.get("/queue").text


def test_signing_out_ends_the_session(site):
    v = site.signed_in("anna")
    cookie = v.http.cookies["outreach_session"]
    v.get("/queue")
    assert v.post("/signout").status_code == 303
    other = site.visitor()
    other.http.cookies.set("outreach_session", cookie, domain="127.0.0.1")
    assert other.get("/queue").status_code == 303


def test_cookies_are_secure_httponly_and_samesite(tmp_path):
    site = Site(tmp_path, secure_cookies=True)
    try:
        v = site.visitor()
        r = v.get("/signin")
        v.post("/signin", {"name": "anna", "password": PASSWORD, "csrf": v.token or ""})
        import httpx

        r = httpx.post(
            f"{site.url}/signin",
            data={"name": "anna", "password": PASSWORD, "csrf": "x" * 43},
            cookies={"outreach_csrf": "x" * 43},
        )
        session = [c for c in r.headers.get_list("set-cookie") if c.startswith("outreach_session=")]
        assert len(session) == 1
        attrs = session[0].lower()
        assert "; secure" in attrs and "; httponly" in attrs and "samesite=lax" in attrs
        first = httpx.get(f"{site.url}/signin").headers.get_list("set-cookie")
        assert first and all("; secure" in c.lower() and "httponly" in c.lower() for c in first)
    finally:
        site.close()


def test_pages_carry_headers_that_keep_them_first_party(site):
    r = site.visitor().get("/signin")
    assert "default-src 'none'" in r.headers["content-security-policy"]
    assert r.headers["referrer-policy"] == "same-origin"
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["cache-control"] == "no-store"


# -- one-time links from the admin bot -------------------------------------------------------


def link_for(site: Site, telegram_id: int = ANNA_TG, name: str = "Anna K (@anna)") -> str:
    return make_signin_link(site.config, site.ledger, telegram_id, name)


def follow(site: Site, link: str):
    v = site.visitor()
    r = v.get(link.removeprefix(site.url))
    return v, r


def test_a_link_signs_in_once(site, caplog):
    caplog.set_level(logging.INFO)
    link = link_for(site)
    token = link.split("t=", 1)[1]
    v, r = follow(site, link)
    assert (
        r.status_code == 303 and r.headers["location"] == "/signin/link"
    )  # the token leaves the URL
    page = v.get("/signin/link")
    assert page.status_code == 200 and "Continue as Anna K (@anna)" in page.text
    r = v.post("/signin/link")
    assert r.status_code == 303 and r.headers["location"] == "/queue"
    queue = v.get("/queue").text
    assert "Signed in as Anna K (@anna) (organiser)" in queue
    # the second use, from anywhere, is refused
    _w, r = follow(site, link)
    assert r.status_code == 410 and "expired or was used already" in r.text
    r = v.post("/signin/link")
    assert r.status_code == 410
    # no page and no log line shows the token or the session id
    session = v.http.cookies["outreach_session"]
    # every log line of the console (httpx's lines are the test's own browser)
    logged = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("httpx"))
    assert "GET /signin/link 303" in logged
    for text in (page.text, queue, r.text, logged):
        assert token not in text and session not in text
    assert any(e.action == "signin" for e in site.ledger.audit.entries())


def test_a_link_opened_but_not_confirmed_stays_usable(site):
    link = link_for(site)
    _preview, _ = follow(site, link)  # a link preview or a prefetch: looks only
    v, _r = follow(site, link)
    v.get("/signin/link")
    assert v.post("/signin/link").status_code == 303


def test_a_link_expires(site):
    link = link_for(site)
    site.clock.advance(10 * 60 + 1)
    _v, r = follow(site, link)
    assert r.status_code == 410


def test_a_link_expires_between_opening_and_confirming(site):
    v, _ = follow(site, link_for(site))
    v.get("/signin/link")
    site.clock.advance(10 * 60 + 1)
    assert v.post("/signin/link").status_code == 410
    assert "outreach_session" not in v.http.cookies


def test_a_link_of_someone_no_longer_allowed_is_refused(site):
    v, _ = follow(site, link_for(site, STRANGER_TG, "Stranger"))
    v.get("/signin/link")
    assert v.post("/signin/link").status_code == 410
    assert "outreach_session" not in v.http.cookies


def test_a_link_takes_the_role_of_the_account_with_that_telegram_id(site):
    site.ledger.accounts.add_user("boris", "viewer", telegram_id=222)
    v, _ = follow(site, link_for(site, 222, "Boris"))
    v.get("/signin/link")
    v.post("/signin/link")
    assert "Signed in as boris (viewer)" in v.get("/queue").text


def test_a_made_up_link_counts_as_a_failure(site):
    v = site.visitor()
    for _ in range(20):
        assert v.get("/signin/link?t=made-up-token").status_code == 410
    real = link_for(site)
    r = v.get(real.removeprefix(site.url))
    assert r.status_code == 410  # this address is throttled now, even for a real link

"""Corrections and takedowns from the web console, over real HTTP (tests/webkit.py), against
the fake Mastodon and Telegram through the real clients (tests/correctionkit.py): the plan
first (nothing changes), then the confirmation, then the platforms' answers, post by post,
and the history. The work is outreach/corrections/, as for the CLI and the admin bot."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from correctionkit import campaign_file, env, make_app, send
from fakes.mastodon_server import FakeMastodon
from fakes.telegram_server import FakeTelegram
from webkit import Site

from outreach.app import App


def text_of(page: str) -> str:
    blocks = re.sub(r"</?(li|p|td|th|tr|h\d|ul|div|section|dt|dd|article)\b[^>]*>", " ", page)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", blocks)).split())


@pytest.fixture
def world(tmp_path):
    with FakeMastodon() as ma, FakeTelegram() as tg:
        path = campaign_file(tmp_path, ma, tg)
        app = make_app(path)
        site = Site(tmp_path, app=app)
        try:
            yield site, ma, tg, path
        finally:
            site.close()


def on_platforms(ma: FakeMastodon, tg: FakeTelegram) -> int:
    return len(ma.live()) + len(tg.live())


def test_an_admin_sees_the_takedown_plan_confirms_and_reads_what_each_platform_said(world):
    site, ma, tg, _ = world
    sent = send(site.app, "ales")
    assert on_platforms(ma, tg) == 4
    anna = site.signed_in("anna")
    history = anna.get("/history").text
    assert f'href="/deliveries/{sent[0]}/takedown?back=/history"' in history

    plan = anna.get(f"/deliveries/{sent[0]}/takedown?back=/history")
    assert plan.status_code == 200
    words = text_of(plan.text)
    assert "Take down page:ales" in words
    assert "4 post(s) to remove, 0 queued to cancel, 0 left as they are." in words
    for d in sent:
        assert site.ledger.get(d).remote_url in plan.text
    assert on_platforms(ma, tg) == 4  # a plan changes nothing

    r = anna.post(f"/deliveries/{sent[0]}/takedown", {"why": "names a witness", "back": "/history"})
    assert r.status_code == 303 and r.headers["location"].startswith("/changes/")
    assert on_platforms(ma, tg) == 0
    report = text_of(anna.get(r.headers["location"]).text)
    assert "Done: each post was confirmed by its platform" in report
    assert report.count(": removed") == 4 and "removed: 4" in report

    history = text_of(anna.get("/history").text)
    assert history.count("Removal, confirmed:") == 4
    assert "asked by web:anna: names a witness" in history
    trail = [(e.by, e.action, e.target) for e in site.ledger.audit.entries()]
    assert ("web:anna", "takedown", "page:ales") in trail
    assert "took down posts" in history


def test_a_telegram_post_past_48_hours_is_named_in_the_plan_and_reported_not_removed(
    world, tmp_path
):
    site, _ma, tg, path = world
    sent = send(site.app, "ales")
    rows = {site.ledger.get(i).channel_id: site.ledger.get(i) for i in sent}
    old = rows["telegram-ru"]
    tg.make_old(int(old.remote_id or 0), hours=49)
    # the console two days later: its clock (the ledger's) says the post is 49 hours old
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=49)).isoformat()
    app = App(str(path), {**env(), "OUTREACH_FAKE_NOW": later})
    two_days_on = Site(tmp_path / "later", app=app)
    try:
        anna = two_days_on.signed_in("anna")
        plan = text_of(anna.get(f"/deliveries/{old.id}/takedown").text)
        assert re.search(
            r"#\d+ telegram-ru \(telegram\) to remove sent .* more than 48 hours ago", plan
        )
        assert "Telegram usually refuses then; outreach asks anyway" in plan
        r = anna.post(f"/deliveries/{old.id}/takedown", {"why": "wrong photo"})
        report = anna.get(r.headers["location"])
        words = text_of(report.text)
        assert "Not everything was confirmed" in words
        assert f"#{old.id} telegram-ru: NOT REMOVED" in words and "48 hours" in words
        assert old.remote_url in report.text  # to remove it by hand
        assert words.count(": removed") == 3
        assert [m["message_id"] for m in tg.live()] == [int(old.remote_id or 0)]
        history = text_of(anna.get("/history").text)
        assert "Removal, refused by the network:" in history
    finally:
        two_days_on.close()


def test_an_organiser_corrects_one_post_with_a_text_seeing_old_and_new_first(world):
    site, ma, tg, _ = world  # noqa: RUF059
    sent = send(site.app, "ales")
    masto = next(site.ledger.get(i) for i in sent if site.ledger.get(i).channel_id == "mastodon-en")
    olga = site.signed_in("olga")
    form = olga.get(f"/deliveries/{masto.id}/correct?back=/history")
    assert form.status_code == 200
    area = re.search(r'<textarea id="text"[^>]*>(.*?)</textarea>', form.text, re.S).group(1)
    assert masto.post is not None and html.unescape(area) == masto.post.text  # to edit from
    new = "CORRECTED: Ales Bialiatski, day 5001 https://example.org/ales"
    fields = {"how": "text", "text": new, "why": "wrong day count", "step": "plan"}
    plan = olga.post(f"/deliveries/{masto.id}/correct", {**fields, "back": "/history"})
    assert plan.status_code == 200
    words = text_of(plan.text)
    assert "1 post(s) to correct, 0 left as they are." in words
    assert f"Now {masto.post.text.split()[0]}" in words and f"After {new}" in words
    assert not [s for s in ma.live() if s["status"] == new]  # nothing yet

    token = re.search(r'name="csrf" value="([^"]+)"', plan.text).group(1)
    confirm = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', plan.text))
    assert confirm["step"] == "do" and confirm["csrf"] == token
    r = olga.post(
        f"/deliveries/{masto.id}/correct", {k: html.unescape(v) for k, v in confirm.items()}
    )
    assert r.status_code == 303
    report = text_of(olga.get(r.headers["location"]).text)
    assert f"#{masto.id} mastodon-en: corrected" in report
    assert [s["status"] for s in ma.live() if s["id"] == masto.remote_id] == [new]
    history = text_of(olga.get("/history").text)
    assert "Correction, confirmed:" in history and f"Now reads: {new}" in history
    assert "asked by web:olga: wrong day count" in history


def test_a_text_that_does_not_fit_is_said_in_place_and_nothing_changes(world):
    site, ma, _tg, _ = world
    sent = send(site.app, "ales")
    masto = next(site.ledger.get(i) for i in sent if site.ledger.get(i).channel_id == "mastodon-en")
    olga = site.signed_in("olga")
    olga.get(f"/deliveries/{masto.id}/correct")
    before = [s["status"] for s in ma.live()]
    for text, says in (
        ("word " * 200, "Nothing was changed:"),
        ("   ", "Write the new text, or choose to render again from the templates."),
    ):
        r = olga.post(
            f"/deliveries/{masto.id}/correct", {"how": "text", "text": text, "step": "do"}
        )
        assert r.status_code == 422 and says in text_of(r.text)
        assert 'role="alert"' in r.text
    assert [s["status"] for s in ma.live()] == before
    assert site.ledger.actions(delivery_ids=[masto.id]) == []


def test_rendering_again_from_unchanged_templates_has_nothing_to_do(world):
    site, ma, tg, _ = world  # noqa: RUF059
    sent = send(site.app, "ales")
    olga = site.signed_in("olga")
    olga.get(f"/deliveries/{sent[0]}/correct")
    r = olga.post(f"/deliveries/{sent[0]}/correct", {"how": "templates", "step": "plan"})
    words = text_of(r.text)
    assert "0 post(s) to correct, 4 left as they are." in words
    assert "Nothing to do" in words and "Correct 0" not in words
    # confirmed anyway (a form kept open while someone else corrected it): said, nothing done
    r = olga.post(f"/deliveries/{sent[0]}/correct", {"how": "templates", "step": "do"})
    assert r.status_code == 303 and r.headers["location"] == "/history"
    assert "Nothing to do for page:ales: no post was changed." in olga.get("/history").text
    assert site.ledger.actions() == []


def test_who_may_see_the_plans(world):
    site, ma, tg, _ = world
    sent = send(site.app, "ales")
    vera, olga = site.signed_in("vera"), site.signed_in("olga")
    assert vera.get(f"/deliveries/{sent[0]}/correct").status_code == 403
    assert vera.get(f"/deliveries/{sent[0]}/takedown").status_code == 403
    assert olga.get(f"/deliveries/{sent[0]}/takedown").status_code == 403
    assert olga.get(f"/deliveries/{sent[0]}/correct").status_code == 200
    history = olga.get("/history").text
    assert "/correct?" in history and "/takedown?" not in history
    assert "/correct?" not in vera.get("/history").text
    assert site.signed_in("anna").get("/deliveries/999999/takedown").status_code == 409
    assert site.signed_in("anna").get("/changes/" + "0" * 32).status_code == 404
    assert on_platforms(ma, tg) == 4

"""Corrections and takedowns end to end: the application's calls, the real clients, the fakes.

What the report says must be what the fake servers hold afterwards: a post
reported removed is gone from the fake, one reported not removable is still
there (with its link in the report), and queued posts about the subject are
cancelled so nothing about it goes out later.
"""

from __future__ import annotations

import datetime as dt

import pytest
from correctionkit import MA_TOKEN, TG_TOKEN, campaign_file, make_app, send
from fakes.mastodon_server import FakeMastodon
from fakes.telegram_server import FakeTelegram

from outreach.corrections import (
    changes_of,
    correct,
    look_up,
    plan_correction,
    plan_takedown,
    takedown,
)
from outreach.errors import ContentError, FitError
from outreach.post import Post


@pytest.fixture
def world(tmp_path):
    with FakeMastodon() as ma, FakeTelegram() as tg:
        app = make_app(campaign_file(tmp_path, ma, tg))
        yield app, ma, tg
        app.close()


def live_ids(ma: FakeMastodon, tg: FakeTelegram) -> set[str]:
    return {s["id"] for s in ma.live()} | {str(m["message_id"]) for m in tg.live()}


def test_a_takedown_removes_a_subject_everywhere_and_cancels_what_is_queued(world):
    app, ma, tg = world
    sent = send(app, "ales")
    send(app, "home")  # another subject: must stay
    assert len(ma.live()) == 4 and len(tg.live()) == 4
    assert {m["method"] for m in tg.live()} == {"sendPhoto", "sendMessage"}
    later = app.clock.now() + dt.timedelta(days=1)
    queued = app.ledger.enqueue(
        Post("telegram-ru", "telegram", "<b>again</b>", "ru", about="page:ales"),
        due_at=later,
        dedupe_key="announcement:x@later",
    )

    plan = plan_takedown(app, "ales")
    assert plan.subject == "page:ales"
    assert (plan.count("remove"), plan.count("cancel")) == (4, 1)
    assert len(ma.live()) == 4  # a plan changes nothing

    result = takedown(app, "ales", by="test (anna)", why="the photo identifies a witness")
    report = result.report
    assert report.complete, report
    removed = [line for line in report.lines if line.outcome == "removed"]
    assert {line.delivery_id for line in removed} == set(sent)
    assert {line.channel_id for line in removed} == {
        "mastodon-en", "mastodon-ru", "telegram-ru", "telegram-en",
    }  # fmt: skip
    assert [line.outcome for line in report.lines if line.delivery_id == queued.id] == ["cancelled"]
    # what the fakes hold afterwards matches the report: nothing of ales, all of home
    gone = {app.ledger.get(i).remote_id for i in sent}
    assert gone.isdisjoint(live_ids(ma, tg))
    assert len(ma.live()) == 2 and len(tg.live()) == 2
    assert app.ledger.get(queued.id).state == "cancelled"
    assert "taken down by test (anna)" in (app.ledger.get(queued.id).reason or "")
    # history: who asked, when, why, next to the post
    for i in sent:
        [a] = changes_of(app, [i])[i]
        assert (a.kind, a.state, a.requested_by) == ("delete", "done", "test (anna)")
        assert a.why == "the photo identifies a witness" and a.done_at is not None
    # again: nothing more to do, and it says they were removed before
    again = takedown(app, "ales", by="test")
    assert again.report.count("already removed") == 4 and again.report.complete


def test_refusals_are_reported_with_the_link_and_never_as_removed(world):
    app, ma, tg = world
    sent = send(app, "ales")
    rows = {app.ledger.get(i).channel_id: app.ledger.get(i) for i in sent}
    tg.make_old(int(rows["telegram-ru"].remote_id), hours=49)  # the 48-hour rule
    tg.chats["@freeales_en"].bot_status = "left"  # 403: the bot lost its rights there
    ma.find(rows["mastodon-en"].remote_id)["deleted"] = True  # deleted by hand already
    ma.fail_next(1, "reply", reply=ma.error(503), path="/statuses/")  # then success

    report = takedown(app, "ales", by="test").report
    by = {line.channel_id: line for line in report.lines}
    assert by["telegram-ru"].outcome == "not removable"
    assert "48 hours" in by["telegram-ru"].detail
    assert rows["telegram-ru"].remote_url in by["telegram-ru"].detail
    assert (
        by["telegram-en"].outcome == "not removable" and "administrator" in by["telegram-en"].detail
    )
    assert by["mastodon-en"].outcome == "already removed"
    assert by["mastodon-ru"].outcome == "removed"
    assert not report.complete
    # the fakes agree: the two refused are still there, the others are not
    assert {str(m["message_id"]) for m in tg.live()} == {
        rows["telegram-ru"].remote_id, rows["telegram-en"].remote_id,
    }  # fmt: skip
    assert ma.live() == []
    assert TG_TOKEN not in repr(report) and MA_TOKEN not in repr(report)


def test_a_requests_report_read_again_from_the_ledger_says_the_same(world):
    from outreach.corrections import request_report

    app, _ma, tg = world
    sent = send(app, "ales")
    rows = {app.ledger.get(i).channel_id: app.ledger.get(i) for i in sent}
    tg.make_old(int(rows["telegram-ru"].remote_id), hours=49)
    report = takedown(app, "ales", by="test").report
    again = request_report(app, report.request)
    assert again is not None and again.kind == "takedown" and again.subject == "page:ales"
    assert {(x.delivery_id, x.outcome, x.detail) for x in again.lines} == {
        (x.delivery_id, x.outcome, x.detail) for x in report.lines
    }
    by = {line.channel_id: line for line in again.lines}
    assert by["telegram-ru"].link == rows["telegram-ru"].remote_url  # still there: its link
    assert by["mastodon-en"].link is None  # removed: nothing to follow
    assert request_report(app, "0" * 32) is None


def test_a_failing_platform_is_retried_within_the_budget_then_reported_not_done(world):
    app, ma, tg = world
    sent = send(app, "home")
    # Telegram's pacing of a chat (a second between two deletes) is not this test's subject:
    # at full scale the five retries waited 5 s for it.
    app.delivery_tuning["pacing_scale"] = 0.001
    tg.fail_next(20, "reply", reply=tg.error(500), path="deleteMessage")
    report = takedown(app, "home", by="test", wait=10).report
    by = {line.channel_id: line for line in report.lines}
    assert (
        by["telegram-ru"].outcome == "failed" and "may still be there" in by["telegram-ru"].detail
    )
    assert by["mastodon-en"].outcome == "removed"
    assert by["telegram-en"].outcome == "failed" and len(tg.live()) == 2  # both still there
    assert ma.live() == [] and len(sent) == 4


def test_a_correction_rerenders_from_the_templates_and_keeps_media_and_buttons(world, tmp_path):
    app, ma, tg = world
    sent = send(app, "ales")
    before_media = {s["id"]: list(s["media_ids"]) for s in ma.live()}
    # the organisers fix the template; the same subject renders differently now
    folder = tmp_path / "messages" / "page"
    folder.mkdir(parents=True)
    (folder / "mastodon.en.j2").write_text("CORRECTED {{ item.title }} {{ item.url }}\n")
    (folder / "telegram.ru.j2").write_text("<b>ИСПРАВЛЕНО</b> {{ item.title }}\n")
    app2 = make_app(campaign_file(tmp_path, ma, tg, messages_dir=str(tmp_path / "messages")))

    plan = plan_correction(app2, "ales")
    edits = {c.channel_id: c for c in plan.changes if c.what == "edit"}
    assert set(edits) == {"mastodon-en", "telegram-ru"}
    assert edits["mastodon-en"].new_text.startswith("CORRECTED")
    assert edits["mastodon-en"].old_text != edits["mastodon-en"].new_text
    assert {c.note for c in plan.changes if c.what == "none"} == {"it already reads so"}

    result = correct(app2, "ales", by="test", why="the template had the wrong date")
    assert result.report.complete and result.report.count("edited") == 2
    [masto] = [s for s in ma.live() if s["status"].startswith("CORRECTED")]
    assert masto["media_ids"] == before_media[masto["id"]] and masto["language"] == "en"
    [photo] = [m for m in tg.live() if "ИСПРАВЛЕНО" in (m["text"] or "")]
    assert photo["method"] == "sendPhoto"
    assert photo["reply_markup"]["inline_keyboard"][0][0]["text"] == "Подписать"
    assert [e["method"] for e in tg.edits] == ["editMessageCaption"]
    # history keeps old and new text, who and why
    d = next(i for i in sent if app.ledger.get(i).channel_id == "mastodon-en")
    [a] = changes_of(app2, [d])[d]
    assert a.kind == "edit" and a.text == masto["status"] and a.old_text != a.text
    assert a.requested_by == "test" and a.why == "the template had the wrong date"
    # a second correction finds it already reads so
    assert plan_correction(app2, "ales").count("edit") == 0
    app2.close()


def test_a_text_given_for_one_post_is_fitted_and_checked(world):
    app, _, tg = world
    sent = send(app, "home")
    tg_id = next(i for i in sent if app.ledger.get(i).channel_id == "telegram-en")
    with pytest.raises(FitError, match="over telegram's limit of 4,096"):
        plan_correction(app, str(tg_id), text="x" * 5000)
    with pytest.raises(FitError, match="refused"):
        plan_correction(app, str(tg_id), text="<blink>no</blink>")
    with pytest.raises(ContentError, match="languages"):
        plan_correction(app, "home", text="one text for all")
    report = correct(app, f"#{tg_id}", by="test", text="<b>Fixed</b>").report
    assert report.complete
    [m] = [m for m in tg.live() if m["message_id"] == int(app.ledger.get(tg_id).remote_id)]
    assert m["text"] == "<b>Fixed</b>"


def test_a_post_of_unknown_outcome_is_looked_up_where_the_network_allows(world):
    app, ma, tg = world
    sent = send(app, "home")
    for i in sent:  # as if the service had crashed mid-send
        with app.ledger.engine.begin() as conn:
            from sqlalchemy import text

            conn.execute(text("UPDATE deliveries SET state='unknown' WHERE id=:i"), {"i": i})
    rows = [app.ledger.get(i) for i in sent]
    masto = next(d for d in rows if d.channel_id == "mastodon-ru")
    found = look_up(app, masto.id)
    assert found.possible and found.found is not None and found.found.url == masto.remote_url
    tele = next(d for d in rows if d.network == "telegram")
    cannot = look_up(app, tele.id)
    assert not cannot.possible and "Bot API" in cannot.note
    # a takedown does not pretend to remove what it cannot know about
    report = takedown(app, "home", by="test").report
    assert {line.outcome for line in report.lines} == {"not removable"}
    assert len(ma.live()) == 2 and len(tg.live()) == 2


def test_an_unknown_subject_is_refused_naming_what_to_type(world):
    app, _, _ = world
    with pytest.raises(ContentError, match="outreach history"):
        plan_takedown(app, "nothing-like-this")

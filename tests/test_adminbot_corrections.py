"""/takedown and /correct in the organisers' bot: a question naming the subject and the number
of posts, Confirm / Cancel buttons, only the organiser who asked may confirm, strangers refused.

The real python-telegram-bot Application is fed updates (tests/adminkit.py); the
campaign's channels post to a fake Mastodon and a fake Telegram, so a confirmed
takedown really removes the posts there.
"""

from __future__ import annotations

import pytest
from adminkit import ANNA, BORIS, STRANGER, TOKEN, Harness, buttons
from correctionkit import campaign_file, env, send
from fakes.mastodon_server import FakeMastodon

from outreach.admin.bot import REFUSAL, build_application
from outreach.admin.console import Console
from outreach.app import App


@pytest.fixture
def world(tmp_path, tg):
    with FakeMastodon() as ma:
        h = Harness(tmp_path, tg)
        h.loop.run_until_complete(h.app.shutdown())  # replaced by one on the live campaign
        admin = {"token_env": "OUTREACH_ADMIN_TOKEN", "allowed_users": [ANNA, BORIS],
                 "api_base_url": tg.url}  # fmt: skip
        path = campaign_file(tmp_path, ma, tg, admin=admin)
        app = App(str(path), {**env(), "OUTREACH_ADMIN_TOKEN": TOKEN})
        h.console = Console(app.config, app.ledger, app.clock.now, app=app)
        h.app = build_application(app.config, h.console, TOKEN, polling=False, timeout=5)
        h.loop.run_until_complete(h.app.initialize())
        yield h, app, ma, tg
        app.close()
        h.close()


def channel_posts(tg, ma) -> int:
    return len([m for m in tg.live() if m["chat"].startswith("@")]) + len(ma.live())


def test_takedown_asks_naming_the_subject_and_the_count_then_removes_on_confirm(world):
    h, app, ma, tg = world
    send(app, "ales")
    assert channel_posts(tg, ma) == 4
    [question] = h.say(ANNA, "/takedown ales the photo identifies a witness")
    assert "Take down page:ales?" in question["text"]
    assert "4 post(s) to remove" in question["text"]
    assert [b["text"] for b in buttons(question)] == ["Take down 4 post(s)", "Cancel"]
    assert channel_posts(tg, ma) == 4  # nothing before the confirmation

    # another organiser cannot confirm Anna's request
    h.press(BORIS, question, buttons(question)[0]["callback_data"])
    assert channel_posts(tg, ma) == 4
    assert "Only the organiser who asked" in h.tg.callback_answers[-1]["text"]

    h.press(ANNA, question, buttons(question)[0]["callback_data"])
    assert channel_posts(tg, ma) == 0
    answer = h.tg.edits[-1]["text"]
    assert "takedown of page:ales: 4 removed" in answer
    assert answer.count(": removed") == 4
    history = h.texts(ANNA, "/history")
    assert "removed" in history and "asked by Telegram user 111" in history
    assert "the photo identifies a witness" in history


def test_cancel_drops_the_request_and_a_pressed_button_does_not_work_twice(world):
    h, app, ma, tg = world
    send(app, "home")
    [question] = h.say(ANNA, "/takedown home")
    yes, no = (b["callback_data"] for b in buttons(question))
    h.press(ANNA, question, no)
    assert "Nothing was changed" in h.tg.edits[-1]["text"]
    h.press(ANNA, question, yes)
    assert "expired or was already answered" in h.tg.edits[-1]["text"]
    assert channel_posts(tg, ma) == 4


def test_a_stranger_is_refused_and_nothing_changes(world):
    h, app, ma, tg = world
    send(app, "home")
    replies = h.say(STRANGER, "/takedown home")
    assert [r["text"] for r in replies] == [REFUSAL]
    assert app.ledger.actions() == [] and channel_posts(tg, ma) == 4
    # nor can a stranger press an organiser's button
    [question] = h.say(ANNA, "/takedown home")
    h.press(STRANGER, question, buttons(question)[0]["callback_data"])
    assert buttons(question)  # still asked
    assert h.tg.callback_answers[-1]["text"] == REFUSAL
    assert app.ledger.actions() == [] and channel_posts(tg, ma) == 4


def test_correct_one_post_with_a_new_text(world):
    h, app, _ma, tg = world
    ids = send(app, "home")
    d = next(app.ledger.get(i) for i in ids if app.ledger.get(i).channel_id == "telegram-en")
    [question] = h.say(ANNA, f"/correct {d.id} <b>Fixed</b> text")
    assert f"Correct #{d.id}" in question["text"] and "1 post(s) to correct" in question["text"]
    h.press(ANNA, question, buttons(question)[0]["callback_data"])
    assert "1 corrected" in h.tg.edits[-1]["text"]
    assert [m["text"] for m in tg.live("@freeales_en")] == ["<b>Fixed</b> text"]


def test_bad_input_is_answered_and_changes_nothing(world):
    h, app, _ma, _tg = world
    assert "Say what to take down" in h.texts(ANNA, "/takedown")
    assert "nothing went out or is queued about 'nope'" in h.texts(ANNA, "/takedown nope")
    assert "Nothing was changed" in h.texts(ANNA, "/takedown nope")
    assert app.ledger.actions() == []

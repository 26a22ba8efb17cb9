"""A batch of posts is rendered with the templates as the batch found them; a single render
(a preview) reads an edited template at once (issue 15: no file check per post)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from servicekit import campaign

from outreach.messages import Messages


def organisers_template(tmp_path: Path, text: str) -> Messages:
    path = tmp_path / "mine" / "page" / "telegram.en.j2"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    channels = [{"id": "tg-en", "kind": "telegram", "language": "en", "chat": "@tg_en"}]
    return Messages(campaign(tmp_path, messages_dir="mine", channels=channels))


def rendered_text(messages: Messages) -> str:
    subject = messages.subject("ales")
    [channel] = messages.channels(subject)
    now = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)
    return messages.render_post(channel, subject, now=now).post.text


def test_an_edited_template_is_read_again_for_the_next_render_or_batch(tmp_path: Path):
    messages = organisers_template(tmp_path, "First: {{ item.title }}")
    path = tmp_path / "mine" / "page" / "telegram.en.j2"
    assert rendered_text(messages).startswith("First: ")

    def edit(text: str) -> None:
        path.write_text(text, encoding="utf-8")
        stamp = path.stat().st_mtime + 5  # a later mtime, however coarse the file system's
        os.utime(path, (stamp, stamp))

    edit("Second: {{ item.title }}")
    assert rendered_text(messages).startswith("Second: ")  # a preview sees the edit at once
    with messages.pinned():
        assert rendered_text(messages).startswith("Second: ")
        edit("Third: {{ item.title }}")
        # within one batch, every post from the template as the batch found it
        assert rendered_text(messages).startswith("Second: ")
    assert rendered_text(messages).startswith("Third: ")  # the next batch reads it again

"""Posts rendered ahead of their occurrence (outreach/prerender.py) are the posts a render
at the moment gives: the same text and due time; a template edited meanwhile, a text
that shows the time of day or a moment on another day is rendered at the moment."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from test_service import MINSK, Rig

KINDS = ("mastodon", "telegram")


def rig_with(folder: Path, at: str, template: str | None = None) -> Rig:
    """A campaign with one announcement at `at` (Minsk), from its own `mine/soon/` files."""
    mine = folder / "mine" / "soon"
    mine.mkdir(parents=True)
    for kind in KINDS:
        (mine / f"{kind}.j2").write_text(
            template or "Day {{ clock.days_since(clock.first) }}: {{ item.title }} {{ item.url }}",
            encoding="utf-8",
        )
    ann = {"id": "soon", "template": "soon", "page": "ales", "at": at}
    return Rig(
        folder,
        dt.datetime(2026, 3, 3, 9, 0, tzinfo=MINSK),
        announcements=[ann],
        messages_dir="mine",
    )


def queued(rig: Rig) -> list[tuple[str, str, dt.datetime]]:
    return sorted((d.channel_id, d.post.text, d.due_at) for d in rig.rows() if d.post)


def fire(rig: Rig, ahead_at: tuple[int, ...] | None, fire_at: tuple[int, ...], edit=None) -> int:
    """Plan at `ahead_at` and render ahead (unless None), then plan at `fire_at`."""
    rig.service.prepare()
    rendered = 0
    if ahead_at is not None:
        rig.at(*ahead_at)
        assert not rig.service.plan().queued
        rendered = rig.service.render_ahead()
    if edit:
        edit()
    rig.at(*fire_at)
    assert rig.service.plan().queued
    return rendered


def test_a_post_rendered_ahead_is_the_one_rendered_at_the_moment(tmp_path: Path):
    ahead = rig_with(tmp_path / "ahead", "2026-03-03T10:00:00")
    now = rig_with(tmp_path / "now", "2026-03-03T10:00:00")
    assert fire(ahead, (2026, 3, 3, 9, 59), (2026, 3, 3, 10, 0, 7)) == 1
    fire(now, None, (2026, 3, 3, 10, 0, 7))
    rows = queued(ahead)
    assert rows == queued(now) and len(rows) == 3
    assert {due for _, _, due in rows} == {dt.datetime(2026, 3, 3, 10, 0, 7, tzinfo=MINSK)}
    assert all(text.startswith("Day ") for _, text, _ in rows)


def test_a_template_edited_after_the_render_ahead_is_what_goes_out(tmp_path: Path):
    rig = rig_with(tmp_path, "2026-03-03T10:00:00")

    def edit() -> None:
        (tmp_path / "mine" / "soon" / "mastodon.j2").write_text(
            "Edited: {{ item.title }}", encoding="utf-8"
        )

    assert fire(rig, (2026, 3, 3, 9, 59), (2026, 3, 3, 10, 0, 7), edit) == 1
    texts = {ch: text for ch, text, _ in queued(rig)}
    assert texts["mastodon-en"].startswith("Edited: ")
    assert texts["telegram-ru"].startswith("Day ")


def test_a_text_showing_the_time_of_day_is_rendered_at_the_moment(tmp_path: Path):
    rig = rig_with(
        tmp_path, "2026-03-03T10:00:00", "{{ clock.now.strftime('%H:%M:%S') }} {{ item.url }}"
    )
    fire(rig, (2026, 3, 3, 9, 59), (2026, 3, 3, 10, 0, 7))
    assert {text.split()[0] for _, text, _ in queued(rig)} == {"10:00:07"}


def test_a_moment_on_the_next_day_counts_that_day(tmp_path: Path):
    """Rendered ahead for 23:59:59, queued at 00:00:03: the day count is the new day's."""
    ahead = rig_with(tmp_path / "ahead", "2026-03-03T23:59:59")
    now = rig_with(tmp_path / "now", "2026-03-03T23:59:59")
    assert fire(ahead, (2026, 3, 3, 23, 59), (2026, 3, 4, 0, 0, 3)) == 1
    fire(now, None, (2026, 3, 4, 0, 0, 3))
    assert queued(ahead) == queued(now)
    before = rig_with(tmp_path / "before", "2026-03-03T23:59:59")
    fire(before, None, (2026, 3, 3, 23, 59, 59))
    day = {text.split(":")[0] for _, text, _ in queued(ahead)}
    day_before = {text.split(":")[0] for _, text, _ in queued(before)}
    assert len(day) == 1 and len(day_before) == 1 and day != day_before


def test_an_announcement_changed_after_the_render_ahead_is_rendered_as_it_is_now(tmp_path: Path):
    from dataclasses import replace

    rig = rig_with(tmp_path, "2026-03-03T10:00:00")

    def change() -> None:
        stored = rig.ledger.announcement("soon")
        assert stored is not None
        rig.ledger.save_announcement(replace(stored, page=None))  # about the campaign now

    fire(rig, (2026, 3, 3, 9, 59), (2026, 3, 3, 10, 0, 7), change)
    campaign_url = rig.config.campaign.base_url
    assert {text.split()[-1] for _, text, _ in queued(rig)} == {campaign_url}


def test_nothing_is_rendered_ahead_of_what_is_far_off(tmp_path: Path):
    rig = rig_with(tmp_path, "2026-03-03T10:00:00")
    rig.service.prepare()
    rig.at(2026, 3, 3, 9, 50)  # ten minutes before: more than service.AHEAD
    rig.service.plan()
    assert rig.service.render_ahead() == 0

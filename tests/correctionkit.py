"""A campaign on four live channels in two languages, against the fake servers (corrections tests).

mastodon-en and mastodon-ru post to one fake Mastodon, telegram-ru and
telegram-en to two chats of one fake Telegram; the page `ales` has a photo
(served by the fake Mastodon, so nothing leaves 127.0.0.1) and so goes out as
statuses with media and Telegram photos with a caption and buttons.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

import yaml
from fakes.mastodon_server import FakeMastodon
from fakes.telegram_server import Chat, FakeTelegram
from servicekit import write_campaign

from outreach.app import App
from outreach.config import BUNDLED_CONFIG

MA_TOKEN = "mastodon-SECRET-token-4242"
TG_TOKEN = "123456:SECRET-TOKEN-xyz"
BUTTONS = [{"label": {"ru": "Подписать", "en": "Sign"}, "url": "https://e.org/sign"}]


def campaign_file(folder: Path, ma: FakeMastodon, tg: FakeTelegram, **sections: Any) -> Path:
    tg.add_chat(Chat(-1001000000003, "freeales_en", "Free Ales (en)"))
    bundled = yaml.safe_load(BUNDLED_CONFIG.read_text(encoding="utf-8"))
    pages = bundled["pages"]
    for page in pages:
        if page["id"] == "ales":
            page["image"]["url"] = f"{ma.url}/static/ales.png"
    masto = {"kind": "mastodon", "instance": ma.url, "token_env": "MA_TOKEN"}
    tele = {"kind": "telegram", "api_base_url": tg.url, "token_env": "TG_TOKEN", "buttons": BUTTONS}
    sections.setdefault(
        "channels",
        [
            {"id": "mastodon-en", "language": "en", **masto},
            {"id": "mastodon-ru", "language": "ru", **masto},
            {"id": "telegram-ru", "language": "ru", "chat": "@freeales_ru", **tele},
            {"id": "telegram-en", "language": "en", "chat": "@freeales_en", **tele},
        ],
    )
    sections.setdefault("announcements", [])
    sections.setdefault("feeds", [])
    sections.setdefault(
        "delivery", {"backoff_base_seconds": 0.05, "backoff_max_seconds": 0.2, "timeout_seconds": 2}
    )
    sections.setdefault("store", {"url": f"sqlite:///{folder / 'ledger.sqlite3'}"})
    return write_campaign(folder, pages=pages, **sections)


def env() -> dict[str, str]:
    return {"MA_TOKEN": MA_TOKEN, "TG_TOKEN": TG_TOKEN}


def make_app(path: Path) -> App:
    return App(str(path), env())


def poll_media_soon(app: App) -> None:
    """The app's Mastodon publishers ask again for an image still processing after 10 ms,
    not a real second (MEDIA_POLL_SECONDS): the fake finishes it at the next poll anyway,
    so the second only waited (2 s an upload: 13 s of each tests/test_web_said.py test).
    The polls themselves still go out; tests/test_publishers_mastodon.py times the wait."""
    from outreach.publishers.mastodon import MastodonPublisher

    for pub in app.publishers.values():
        if isinstance(pub, MastodonPublisher):
            pub.sleep = lambda seconds: time.sleep(0.01)


def send(app: App, about: str, *, at: dt.datetime | None = None) -> list[int]:
    """Post a page to every channel now, through the real queue and delivery loop."""
    from outreach.content import all_items, find_item
    from outreach.outbox import Outbox

    poll_media_soon(app)
    outbox = Outbox(app.config, app.ledger)
    item = find_item(all_items(app.config), about)
    subject = outbox.messages.subject_for_item(item)
    queued = outbox.queue(subject, dedupe_key=subject.about, due=at or app.clock.now())
    loop = app.delivery_loop()
    loop.start()
    loop.run_once(max_wait=30)
    return [q.delivery_id for q in queued if q.delivery_id is not None]

"""URLs in the campaign config that end up in readers' links are http(s), checked at load."""

from __future__ import annotations

from pathlib import Path

import pytest

from outreach.config import load_config
from outreach.errors import ConfigError

BAD = ["javascript:alert(1)//", "data:text/html,x", "ftp://e.org/", "https://", "e.org/x"]


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "outreach.yaml"
    p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.parametrize("bad", BAD)
def test_base_url_must_be_http(tmp_path, bad):
    p = write(tmp_path, f"campaign:\n  name: x\n  base_url: '{bad}'\n")
    with pytest.raises(ConfigError) as exc:
        load_config(p, {})
    assert f"{p}:3: campaign.base_url:" in str(exc.value)


@pytest.mark.parametrize("bad", BAD)
def test_mirror_url_must_be_http(tmp_path, bad):
    # The mirror becomes the copy-link button's href: javascript: there runs on a click.
    p = write(
        tmp_path,
        f"campaign:\n  name: x\n  base_url: https://e.org/\n  mirror_url: '{bad}'\n",
    )
    with pytest.raises(ConfigError) as exc:
        load_config(p, {})
    assert f"{p}:4: campaign.mirror_url:" in str(exc.value)


@pytest.mark.parametrize("bad", ["javascript:alert(1)", "e.org", "https://"])
def test_telegram_button_url_must_be_http_or_tg(tmp_path, bad):
    p = write(
        tmp_path,
        "campaign:\n  name: x\n  base_url: https://e.org/\n"
        "channels:\n  - id: tg\n    kind: telegram\n    chat: '@c'\n"
        f"    buttons:\n      - label: Sign\n        url: '{bad}'\n",
    )
    with pytest.raises(ConfigError) as exc:
        load_config(p, {})
    # The line and path of the button's url, not of the channel ("channels[0].telegram...").
    assert f"{p}:10: channels[0].buttons[0].url: {bad!r} is not an http(s) URL" in str(exc.value)


def test_good_urls_still_load(tmp_path):
    p = write(
        tmp_path,
        "campaign:\n  name: x\n  base_url: https://e.org/\n  mirror_url: http://mirror.example\n"
        "channels:\n  - id: tg\n    kind: telegram\n    chat: '@c'\n"
        "    buttons:\n      - {label: Sign, url: 'https://e.org/sign?a=1'}\n"
        "      - {label: Bot, url: 'tg://resolve?domain=x'}\n",
    )
    cfg = load_config(p, {})
    assert cfg.campaign.mirror_url == "http://mirror.example"

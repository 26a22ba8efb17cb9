"""A mistyped value or reference in the campaign file or share_targets.yaml is named with the
nearest that exists ("did you mean"), with file, line and field, as a misspelt key already is
(tests/test_walk2_config_words.py); a value that may be a token is described, never quoted."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from servicekit import write_campaign

from outreach.config import BUNDLED_CONFIG, load_config
from outreach.errors import ConfigError
from outreach.share import load_targets
from outreach.share.targets import BUNDLED_TARGETS

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"  # a Telegram bot token's shape


def bundled() -> dict:
    return yaml.safe_load(BUNDLED_CONFIG.read_text(encoding="utf-8"))


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(path, {})
    return caught.value.problems


def line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, text in enumerate(lines, 1) if text.strip().endswith(needle))


def test_a_mistyped_channel_kind_is_named_with_the_nearest_network(tmp_path):
    data = bundled()
    data["channels"][0]["kind"] = "mastodn"
    path = write_campaign(tmp_path, channels=data["channels"])
    (problem,) = problems_of(path)
    assert problem == (
        f"{path}:{line_of(path, '- id: mastodon-en')}: channels[0]: kind 'mastodn' is not a "
        "network outreach knows; did you mean 'mastodon'?"
    )


def test_a_kind_nothing_like_a_network_lists_them(tmp_path):
    data = bundled()
    data["channels"][0]["kind"] = "fax"
    path = write_campaign(tmp_path, channels=data["channels"])
    (problem,) = problems_of(path)
    assert problem.endswith("channels[0]: kind 'fax' is not a network outreach knows: use one of "
                            "mastodon, telegram"), problem  # fmt: skip


def test_a_token_pasted_as_a_kind_is_not_repeated(tmp_path):
    data = bundled()
    data["channels"][1]["kind"] = TOKEN
    path = write_campaign(tmp_path, channels=data["channels"])
    (problem,) = problems_of(path)
    assert TOKEN not in problem and "AAHdq" not in problem, problem
    assert f"channels[1]: kind (text of {len(TOKEN)} characters, not shown: it may be a secret) is not a " \
        "network outreach knows" in problem, problem  # fmt: skip


def test_mistyped_page_and_channel_references_are_named_with_the_nearest(tmp_path):
    data = bundled()
    data["announcements"][0]["page"] = "ale"
    data["announcements"][1]["channels"] = ["telegram-be", "telegram-by"]
    feeds = data["feeds"]
    feeds[0]["channels"] = ["mastodon_en"]
    path = write_campaign(tmp_path, announcements=data["announcements"], feeds=feeds)
    assert sorted(problems_of(path)) == sorted(
        [
            f"{path}:{line_of(path, 'page: ale')}: announcements[0].page: unknown page 'ale'; "
            "did you mean 'ales'?",
            f"{path}:{line_of(path, '- telegram-by')}: announcements[1].channels[1]: unknown "
            "channel 'telegram-by'; did you mean 'telegram-be'?",
            f"{path}:{line_of(path, '- mastodon_en')}: feeds[0].channels[0]: unknown channel "
            "'mastodon_en'; did you mean 'mastodon-en'?",
        ]
    )


def test_a_reference_nothing_like_any_lists_what_there_is(tmp_path):
    data = bundled()
    data["announcements"][0]["page"] = "zzz"
    path = write_campaign(tmp_path, announcements=data["announcements"])
    (problem,) = problems_of(path)
    pages = ", ".join(p["id"] for p in data["pages"])
    assert problem.endswith(f"announcements[0].page: unknown page 'zzz'; known: {pages}"), problem


# --- share_targets.yaml ------------------------------------------------------------------


def targets_with(tmp_path: Path, *edits: tuple[str, str]) -> Path:
    text = BUNDLED_TARGETS.read_text(encoding="utf-8")
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / "share_targets.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def target_problems(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_targets(path)
    return caught.value.problems


def test_a_misspelt_key_in_share_targets_is_named_with_the_nearest_field(tmp_path):
    path = targets_with(tmp_path, ("    last_verified: 2026-11-25\n    source: https://core.telegram.org/widgets/share",
                                   "    last_verified: 2026-11-25\n    sorce: https://core.telegram.org/widgets/share"))  # fmt: skip
    (problem,) = target_problems(path)
    assert problem == (
        f"{path}:{line_of(path, 'sorce: https://core.telegram.org/widgets/share')}: "
        "networks[5].sorce: unknown field 'sorce'; did you mean 'source'?"
    )


def test_mistyped_keys_in_a_share_targets_template_are_named_with_the_nearest(tmp_path):
    path = targets_with(
        tmp_path,
        ('    url: "https://t.me/share/url?url={url}&text={text}"',
         '    url: "https://t.me/share/url?url={url}&text={txt}"'),
        ('        value: "{share_text}"\n        # Telegram\'s own limit is 4096 UTF-16 units per '
         'message; ours is shorter.\n        fit: {shorten: share_text, limit: 1000, count: chars}',
         '        value: "{share_txt}"\n        # Telegram\'s own limit is 4096 UTF-16 units per '
         'message; ours is shorter.\n        fit: {shorten: share_text, limit: 1000, count: chars}'),
    )  # fmt: skip
    problems = target_problems(path)
    url = line_of(path, '&text={txt}"')
    assert (
        f"{path}:{url}: networks[5].url: placeholder {{txt}} is not a declared parameter of "
        "'telegram'; did you mean {text}?"
    ) in problems, problems
    value = line_of(path, 'value: "{share_txt}"')
    assert (
        f"{path}:{value}: networks[5].params.text.value: unknown field {{share_txt}}; "
        "did you mean {share_text}?"
    ) in problems, problems


def test_a_mistyped_counting_rule_is_named_with_the_nearest(tmp_path):
    path = targets_with(
        tmp_path,
        ("    url: \"https://t.me/share/url?url={url}&text={text}\"\n    params:\n      url: {value: \"{url}\"}\n"
         "      text:\n        value: \"{share_text}\"\n        # Telegram's own limit is 4096 UTF-16 units per "
         "message; ours is shorter.\n        fit: {shorten: share_text, limit: 1000, count: chars}",
         "    url: \"https://t.me/share/url?url={url}&text={text}\"\n    params:\n      url: {value: \"{url}\"}\n"
         "      text:\n        value: \"{share_text}\"\n        # Telegram's own limit is 4096 UTF-16 units per "
         "message; ours is shorter.\n        fit: {shorten: share_text, limit: 1000, count: char}"),
    )  # fmt: skip
    (problem,) = target_problems(path)
    assert problem == (
        f"{path}:{line_of(path, 'count: char}')}: networks[5].params.text.fit.count: "
        "unknown counting rule 'char'; did you mean 'chars'?"
    )


def test_a_mistyped_choice_in_the_campaign_file_is_named_with_the_nearest(tmp_path):
    data = bundled()
    data["channels"][0]["visibility"] = "publc"
    data["share"]["bar"]["style"] = TOKEN  # not a choice, and not to be repeated
    path = write_campaign(tmp_path, channels=data["channels"], share=data["share"])
    problems = problems_of(path)
    assert (
        f"{path}:{line_of(path, 'visibility: publc')}: channels[0].visibility: 'publc' is not "
        "one of 'public', 'unlisted', 'private' or 'direct'; did you mean 'public'?"
    ) in problems, problems
    style = next(p for p in problems if "share.bar.style" in p)
    assert TOKEN not in style and style.endswith(
        f"share.bar.style: (text of {len(TOKEN)} characters, not shown: it may be a secret) "
        "is not one of 'labelled' or 'icons'"
    ), style


def test_a_mistyped_choice_in_share_targets_is_named_with_the_nearest(tmp_path):
    path = targets_with(tmp_path, ("    status: active\n    last_verified: 2026-11-25\n    source: https://core.telegram.org/widgets/share",
                                   "    status: activ\n    last_verified: 2026-11-25\n    source: https://core.telegram.org/widgets/share"))  # fmt: skip
    (problem,) = target_problems(path)
    assert problem == (
        f"{path}:{line_of(path, 'status: activ')}: networks[5].status: 'activ' is not one of "
        "'active', 'app_only' or 'retired'; did you mean 'active'?"
    )

"""The campaign config: what an organiser sees when the file is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from outreach.config import load_config
from outreach.errors import ConfigError
from outreach.secret import resolve_secret


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "outreach.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_bundled_campaign_loads(bundled_config):
    assert bundled_config.campaign.default_language == "en"
    assert {p.id for p in bundled_config.pages} >= {"home", "ales", "news", "fidh"}
    assert set(bundled_config.campaign.languages) == {"en", "ru", "be", "fr"}


def test_yaml_syntax_error_names_file_and_line(tmp_path):
    p = write(tmp_path, "campaign:\n  name: x\n  base_url: [unclosed\n")
    with pytest.raises(ConfigError) as exc:
        load_config(p, {})
    assert f"{p}:" in str(exc.value)
    assert "syntax" in str(exc.value)


def test_missing_field_names_file_line_and_field(tmp_path):
    p = write(
        tmp_path,
        "campaign:\n  name: x\n  base_url: https://e.org/\npages:\n  - id: home\n    title: Home\n",
    )
    with pytest.raises(ConfigError) as exc:
        load_config(p, {})
    assert f"{p}:5: pages[0].url: Field required" in str(exc.value)


def test_impossible_date_is_named(tmp_path):
    p = write(
        tmp_path,
        "campaign:\n  name: x\n  base_url: https://e.org/\n  dates:\n    arrest: 2011-02-30\n",
    )
    with pytest.raises(ConfigError) as exc:
        load_config(p, {})
    assert f"{p}:5: campaign.dates.arrest" in str(exc.value)


def test_duplicate_key_is_refused(tmp_path):
    p = write(tmp_path, "campaign:\n  name: x\n  name: y\n  base_url: https://e.org/\n")
    with pytest.raises(ConfigError, match="duplicate key 'name'"):
        load_config(p, {})


def test_unknown_channel_reference(tmp_path):
    p = write(
        tmp_path,
        "campaign:\n  name: x\n  base_url: https://e.org/\n"
        "announcements:\n  - id: a\n    template: reminder\n    cron: '0 10 * * mon'\n"
        "    channels: [nowhere]\n",
    )
    with pytest.raises(ConfigError) as exc:
        load_config(p, {})
    assert "announcements[0].channels[0]: unknown channel 'nowhere'" in str(exc.value)


def test_secret_from_env_or_file_never_printed(tmp_path):
    (tmp_path / "tok").write_text("s3cret-file\n")
    from_env = resolve_secret("TOK", None, {"TOK": "s3cret-env"}, tmp_path)
    from_file = resolve_secret(None, "tok", {}, tmp_path)
    assert from_env is not None and from_env.get_secret_value() == "s3cret-env"
    assert from_file is not None and from_file.get_secret_value() == "s3cret-file"
    assert "s3cret" not in repr(from_env) + str(from_file)
    assert resolve_secret("UNSET", None, {}, tmp_path) is None


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://u:hunter2-pw@h:notaport/db",
        "not a url hunter2-pw",
        "mysql://u:hunter2-pw@h/db",
    ],
)
def test_a_bad_store_url_is_named_without_its_password(tmp_path, url):
    p = write(
        tmp_path, f"campaign:\n  name: x\n  base_url: https://e.org/\nstore:\n  url: '{url}'\n"
    )
    with pytest.raises(ConfigError) as exc:
        load_config(p, {})
    assert f"{p}:5: store.url" in str(exc.value)
    assert "hunter2-pw" not in str(exc.value)


def test_a_bad_store_url_from_the_environment_is_named_too(tmp_path):
    p = write(tmp_path, "campaign:\n  name: x\n  base_url: https://e.org/\n")
    with pytest.raises(ConfigError, match=r"store\.url: not a database URL") as exc:
        load_config(p, {"OUTREACH_DB_URL": "postgresql://u:hunter2-pw@h:x/db"})
    assert "hunter2-pw" not in str(exc.value)


def test_a_feed_cannot_take_the_name_of_what_posts_are_about(tmp_path):
    # a news post shows as "<feed id>:<slug>", beside "page:<id>" and "announcement:<id>"
    p = write(
        tmp_path,
        "campaign:\n  name: x\n  base_url: https://e.org/\n"
        "feeds:\n  - id: news\n    path: a.xml\n  - id: announcement\n    path: b.xml\n",
    )
    with pytest.raises(ConfigError) as exc:
        load_config(p, {})
    assert f"{p}:7: feeds[1].id:" in str(exc.value)
    assert "'announcement' cannot name a feed" in str(exc.value)

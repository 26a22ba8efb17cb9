"""The run header names the store without ever printing its password."""

from __future__ import annotations

import pytest

from outreach.cli.run_output import store_label


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://camp:s3cretPW@db.example:5432/outreach",
        "postgresql://camp@db.example/outreach?password=s3cretPW&sslmode=require",
        "postgresql+psycopg://camp:s3cret%40PW@db.example/outreach",
        "postgresql://camp:s3cretPW@db.example:notaport/outreach",
    ],
)
def test_no_password_in_the_store_label(url):
    label = store_label(url)
    assert "s3cret" not in label
    assert "PW" not in label


def test_the_label_still_says_which_store():
    assert store_label("postgresql://camp:pw1234@db.example:5432/outreach") == (
        "postgresql://camp:***@db.example:5432/outreach"
    )
    assert store_label("sqlite:///outreach.sqlite3") == "sqlite:///outreach.sqlite3"


def test_the_store_password_is_masked_in_logs_too(tmp_path):
    from outreach.config import load_config
    from outreach.redact import config_secrets

    p = tmp_path / "outreach.yaml"
    p.write_text("campaign:\n  name: x\n  base_url: https://e.org/\n", encoding="utf-8")
    for url, pw in [
        ("postgresql://camp:s3cret%40PW@db.example/o", "s3cret@PW"),
        ("postgresql://camp@db.example/o?password=qu3ryPW&sslmode=require", "qu3ryPW"),
    ]:
        cfg = load_config(p, {"OUTREACH_DB_URL": url})
        assert pw in config_secrets(cfg)

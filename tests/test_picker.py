"""The picker page's no-JavaScript form: which suggested servers it can post to."""

from __future__ import annotations

from outreach.config import load_config
from outreach.share import BUNDLED_TARGETS, load_targets
from outreach.share.picker import form_action, suggested

TARGETS = load_targets(BUNDLED_TARGETS)


def test_only_a_lone_text_field_can_be_posted_by_a_plain_form():
    assert form_action("/share?text={text}") == "/share"
    assert form_action("/compose?body={text}") is None  # the textarea is named text
    assert form_action("/create_post?url={url}&title={title}") is None
    assert form_action(None) is None


def test_suggested_servers_carry_their_share_page(tmp_path):
    p = tmp_path / "outreach.yaml"
    p.write_text(
        "campaign:\n  name: x\n  base_url: https://e.org/\n"
        "share:\n  fediverse_servers:\n"
        "    - {host: misskey.io, software: misskey}\n"
        "    - {host: gts.example, software: gotosocial}\n"
        "    - {host: lemmy.ml, software: lemmy}\n",
        encoding="utf-8",
    )
    fediverse = TARGETS.get("fediverse")
    assert fediverse is not None
    got = [(s.host, s.action) for s in suggested(load_config(p, {}), fediverse)]
    assert got == [
        ("misskey.io", "https://misskey.io/share"),
        ("gts.example", None),
        ("lemmy.ml", None),
    ]

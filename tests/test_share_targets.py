"""share_targets.yaml: one table row per network, and what an organiser sees when it is wrong."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from outreach.config import load_config
from outreach.content import Item
from outreach.errors import ConfigError, ShareError
from outreach.share import (
    BUNDLED_TARGETS,
    ShareOptions,
    build_link,
    load_targets,
    select,
)

PAGE = "https://freeales.fidh.net/about-ales-bialiatski/"
TITLE = 'Free Ales & "Viasna" #1'
SUMMARY = "Jailed since 2011."
ITEM = Item(kind="page", id="ales", url=PAGE, title={"en": TITLE}, summary={"en": SUMMARY})
OPTS = ShareOptions(lang="en", hashtags=("FreeAles", "Belarus"), picker_url="/share/fediverse.html")


@dataclass(frozen=True)
class Row:
    status: str
    kind: str = "link"
    href_start: str = ""
    params: dict[str, str] = field(default_factory=dict)
    e2e: bool = False
    jurisdiction: str | None = None
    private: bool = False
    hashtags: str = "none"


# One row per network in share_targets.yaml: the expected link for ITEM, exactly.
ROWS: dict[str, Row] = {
    # Private (only the people the reader picks) but not encrypted by themselves.
    "native": Row("active", "native", PAGE, {"url": PAGE, "title": TITLE}, private=True),
    "copy": Row("active", "copy", PAGE, {"url": PAGE, "title": TITLE}, private=True),
    "threema": Row(
        "app_only", href_start="threema://compose?", params={"text": f"{TITLE} {PAGE}"}, e2e=True
    ),
    "whatsapp": Row(
        "active", href_start="https://wa.me/?", params={"text": f"{TITLE} {PAGE}"}, e2e=True
    ),
    "viber": Row(
        "app_only", href_start="viber://forward?", params={"text": f"{TITLE} {PAGE}"}, e2e=True
    ),
    "telegram": Row(
        "active", href_start="https://t.me/share/url?", params={"url": PAGE, "text": TITLE}
    ),
    "email": Row(
        "active",
        href_start="mailto:?",
        params={"subject": TITLE, "body": f"{SUMMARY}\r\n\r\n{PAGE}"},
    ),
    "fediverse": Row(
        "active",
        "picker",
        "/share/fediverse.html#",
        {"text": f"{TITLE} {PAGE} #FreeAles #Belarus", "url": PAGE, "title": TITLE},
        hashtags="in_text",
    ),
    "bluesky": Row(
        "active",
        href_start="https://bsky.app/intent/compose?",
        params={"text": f"{TITLE} {PAGE} #FreeAles #Belarus"},
        hashtags="in_text",
    ),
    "x": Row(
        "active",
        href_start="https://x.com/intent/post?",
        params={"text": f"{TITLE} #FreeAles #Belarus", "url": PAGE},
        hashtags="in_text",
    ),
    "threads": Row(
        "active",
        href_start="https://www.threads.com/intent/post?",
        params={"text": TITLE, "url": PAGE},
    ),
    "facebook": Row(
        "active", href_start="https://www.facebook.com/sharer/sharer.php?", params={"u": PAGE}
    ),
    "linkedin": Row(
        "active",
        href_start="https://www.linkedin.com/sharing/share-offsite/?",
        params={"url": PAGE},
    ),
    "reddit": Row(
        "active", href_start="https://www.reddit.com/submit?", params={"url": PAGE, "title": TITLE}
    ),
    "vk": Row(
        "active",
        href_start="https://vk.com/share.php?",
        params={"url": PAGE, "title": TITLE},
        jurisdiction="RU",
    ),
    "odnoklassniki": Row(
        "active",
        href_start="https://connect.ok.ru/offer?",
        params={"url": PAGE, "title": TITLE},
        jurisdiction="RU",
    ),
    "livejournal": Row(
        "active",
        href_start="https://www.livejournal.com/update.bml?",
        params={"subject": TITLE, "event": f"{SUMMARY}\n\n{PAGE}"},
        jurisdiction="RU",
    ),
    "google_plus": Row("retired"),
    "mailru_myworld": Row("retired", jurisdiction="RU"),
    "yandex": Row("retired", kind="widget", jurisdiction="RU"),
}


@pytest.fixture(scope="module")
def targets():
    return load_targets(BUNDLED_TARGETS)


def decoded_params(href: str) -> dict[str, str]:
    parts = urlsplit(href)
    raw = parts.fragment if parts.fragment else parts.query
    parsed = parse_qs(raw, keep_blank_values=True, strict_parsing=True)
    assert all(len(v) == 1 for v in parsed.values()), parsed
    return {k: v[0] for k, v in parsed.items()}


def test_every_network_has_a_row(targets):
    assert sorted(n.id for n in targets.networks) == sorted(ROWS)


@pytest.mark.parametrize("network_id", sorted(ROWS))
def test_network_row(targets, network_id):
    net, row = targets.get(network_id), ROWS[network_id]
    assert net is not None
    assert (net.status, net.kind, net.e2e, net.jurisdiction, net.private, net.hashtags) == (
        row.status,
        row.kind,
        row.e2e,
        row.jurisdiction,
        row.private,
        row.hashtags,
    )
    if row.status == "retired":
        assert net.retired is not None and net.retired.reason
        with pytest.raises(ShareError, match="retired"):
            build_link(net, ITEM, OPTS)
        return
    link = build_link(net, ITEM, OPTS)
    assert link.href.startswith(row.href_start)
    assert link.params == row.params
    if row.kind in ("link", "picker"):
        # The link carries exactly the parameters, each decoded back to what was meant
        # (LiveJournal's body keeps \n; e-mail bodies use CRLF as RFC 6068 asks).
        assert decoded_params(link.href) == row.params
    assert PAGE in " ".join(link.params.values())


def test_retired_networks_are_the_ones_the_seed_names(targets):
    retired = {n.id: n.retired for n in targets.retired}
    assert set(retired) == {"google_plus", "mailru_myworld", "yandex"}
    assert str(retired["google_plus"].date) == "2019-04-02"
    assert "track" in retired["yandex"].reason


def test_retired_networks_are_never_offered(bundled_config, targets):
    offered = {n.id for n in select(bundled_config, targets).offered}
    assert offered.isdisjoint({"google_plus", "mailru_myworld", "yandex"})
    assert {"livejournal", "odnoklassniki"} <= offered  # still alive, and the campaign opts in


def test_e2e_routes_come_first(bundled_config, targets):
    offered = select(bundled_config, targets).offered
    flags = [n.e2e or n.private for n in offered]
    assert flags == sorted(flags, reverse=True)
    assert [n.id for n in offered[:3]] == ["native", "copy", "threema"]


def test_hashtags_follow_the_rule_each_network_declares(targets):
    """One rule, declared per network: the tags are in the text exactly where it says in_text."""
    tagged = OPTS.hashtags
    for net in targets.networks:
        if not net.offerable or net.kind in ("copy", "native"):
            continue
        sent = " ".join(build_link(net, ITEM, OPTS).params.values())
        carries = all(f"#{t}" in sent for t in tagged)
        assert carries == (net.hashtags == "in_text"), net.id
    # Private messages (Telegram, WhatsApp...) carry none: they are not public posts.
    assert {n.id for n in targets.networks if n.hashtags == "in_text"} == {
        "fediverse",
        "bluesky",
        "x",
    }


def write_config(tmp_path: Path, share_yaml: str) -> Path:
    p = tmp_path / "outreach.yaml"
    p.write_text(
        "campaign:\n  name: x\n  base_url: https://e.org/\n"
        f"share:\n{share_yaml}"
        "pages:\n  - id: home\n    url: https://e.org/\n    title: Home\n",
        encoding="utf-8",
    )
    return p


def test_russian_jurisdiction_is_off_unless_enabled(tmp_path, targets):
    cfg = load_config(write_config(tmp_path, "  russian_jurisdiction: false\n"), {})
    offered = {n.id for n in select(cfg, targets).offered}
    assert offered.isdisjoint({"vk", "odnoklassniki", "livejournal"})
    assert "telegram" in offered


def test_configured_order_and_notes(tmp_path, targets):
    cfg = load_config(write_config(tmp_path, "  networks: [telegram, google_plus, vk, copy]\n"), {})
    sel = select(cfg, targets)
    assert [n.id for n in sel.offered] == ["copy", "telegram"]
    assert sel.problems == []
    assert any("google_plus" in n and "retired" in n for n in sel.notes)
    assert any("'vk'" in n and "Russian jurisdiction" in n for n in sel.notes)


def test_unknown_network_id_names_config_file_and_line(tmp_path, targets):
    p = write_config(tmp_path, "  networks:\n    - telegram\n    - myspace\n")
    sel = select(load_config(p, {}), targets)
    assert sel.problems == [
        f"{p}:7: share.networks[1]: unknown network 'myspace'; known: "
        + ", ".join(n.id for n in targets.networks if n.offerable)
    ]


# --- a broken share_targets.yaml ------------------------------------------------------

TELEGRAM = """networks:
  - id: telegram
    label: Telegram
    kind: link
    url: "https://t.me/share/url?url={url}&text={text}"
    params:
      url: {value: "{url}"}
      text: {value: "{title}"}
    status: active
    last_verified: 2026-11-25
    colour: "#26A5E4"
    icon: "M0 0h24v24H0z"
"""


def load_text(tmp_path: Path, text: str):
    p = tmp_path / "share_targets.yaml"
    p.write_text(text, encoding="utf-8")
    return p, lambda: load_targets(p)


def test_minimal_file_loads(tmp_path):
    _, load = load_text(tmp_path, TELEGRAM)
    assert [n.id for n in load().networks] == ["telegram"]


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (("text: {value", "text: {valu"), ":8: networks[0].params.text.valu: unknown field 'valu'"),
        (
            ("&text={text}", "&text={text}&via={via}"),
            ":5: networks[0].url: placeholder {via} is not a declared parameter of 'telegram' "
            "(declared: text, url)",
        ),
        (("&text={text}", ""), ":8: networks[0].params.text: parameter 'text' is not used"),
        (
            ('"{title}"', '"{headline}"'),
            ":8: networks[0].params.text.value: unknown field {headline}",
        ),
        (
            ('url: {value: "{url}"}', 'url: {value: "{title}"}'),
            "networks[0].params: no parameter carries the page {url}",
        ),
        (("status: active", "status: retired"), ":9: networks[0].status: a retired network"),
        (("https://t.me", "tg://t.me"), "networks[0].url: an active link must be https:"),
        (("kind: link", "kind: widget"), ":4: networks[0].kind: a third-party widget"),
        (('"#26A5E4"', "blue"), ":11: networks[0].colour: give the brand colour"),
        (('"M0 0h24v24H0z"', '"<script>alert(1)</script>"'), ":12: networks[0].icon:"),
        (('{text}"\n', '{text!r}"\n'), "networks[0].url: {text!r} is not a plain"),
        (
            ("last_verified: 2026-11-25", "last_verified: 2026-02-30"),
            ":10: networks[0].last_verified:",
        ),
        (
            ('text: {value: "{title}"}', 'text: {value: "{title} {hashtags}"}'),
            ":8: networks[0].params.text.value: {hashtags} is used, but the network's rule "
            "is 'hashtags: none'",
        ),
        (
            ("kind: link\n", "kind: link\n    hashtags: in_text\n"),
            ":5: networks[0].hashtags: hashtags: in_text, but no parameter carries {hashtags}",
        ),
    ],
)
def test_bad_targets_name_file_line_and_field(tmp_path, edit, expected):
    old, new = edit
    assert old in TELEGRAM
    p, load = load_text(tmp_path, TELEGRAM.replace(old, new, 1))
    with pytest.raises(ConfigError) as exc:
        load()
    assert f"{p}" in str(exc.value)
    assert expected in str(exc.value)


def test_yaml_syntax_error_names_file_and_line(tmp_path):
    p, load = load_text(tmp_path, TELEGRAM.replace("kind: link", "kind: [link"))
    with pytest.raises(ConfigError, match="YAML syntax error") as exc:
        load()
    assert f"{p}:" in str(exc.value)


def test_duplicate_ids_are_refused(tmp_path):
    body = TELEGRAM.split("\n", 1)[1]
    _, load = load_text(tmp_path, TELEGRAM + body)
    with pytest.raises(ConfigError, match=r"networks\[1\].id: duplicate id 'telegram'"):
        load()


def test_bar_and_picker_settings_name_file_and_line(tmp_path, targets):
    cfg = load_config(
        write_config(
            tmp_path,
            "  bar:\n    first:\n      be: [copy, myspace]\n"
            "  fediverse_servers:\n    - {host: social.example, software: diaspora}\n",
        ),
        {},
    )
    problems = select(cfg, targets).problems
    assert any(":7: share.bar.first.be[1]: unknown network 'myspace'" in p for p in problems)
    assert any(
        ":9: share.fediverse_servers[0].software: unknown software 'diaspora'" in p
        for p in problems
    )

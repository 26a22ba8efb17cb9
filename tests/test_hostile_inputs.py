"""Hostile and mistaken input, as a careless or hostile user would type it (issue 12).

One table of bad inputs across the surfaces people reach: the campaign YAML,
message templates, feeds, CLI arguments and store URLs (the admin bot's
commands are in test_hostile_bot.py). Each case runs the real CLI in-process,
in a thread given BOUND seconds, and must

- finish within the bound (no hang, no runaway memory),
- fail with an error naming where: file and line with the field, the template
  file and line, or the option,
- leave the store exactly as it was, and print no secret.
"""

from __future__ import annotations

import shutil
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from outreach.cli import cli
from outreach.config import BUNDLED_CONFIG

BOUND = 30.0
"""Seconds a case may take: each takes a second or two alone, but the machine is shared."""
SECRET = "s3cr3t-Pa55w0rd"
NOW = "2026-03-01T12:00:00+03:00"
GOOD_FEED = (BUNDLED_CONFIG.parent / "news.xml").read_bytes()


def bundled() -> dict[str, Any]:
    return yaml.safe_load(BUNDLED_CONFIG.read_text(encoding="utf-8"))


def dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@dataclass(frozen=True)
class Bad:
    name: str
    expect: tuple[str, ...]
    """Substrings of the output; {cfg} is the campaign file's path, {dir} its folder."""
    argv: tuple[str, ...] = ("check",)
    edit: Callable[[dict[str, Any]], Any] | None = None
    """Changes the bundled campaign (the file is written from the result)."""
    text: Callable[[str], str] | None = None
    """Changes the campaign file's text instead."""
    files: dict[str, str | bytes] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)


def set_in(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """An edit setting one value: set_in('channels.0.instance', 'x')."""

    def edit(data: dict[str, Any]) -> None:
        parts: list[Any] = [int(p) if p.isdigit() else p for p in path.split(".")]
        node: Any = data
        for part in parts[:-1]:
            node = node.setdefault(part, {}) if isinstance(node, dict) else node[part]
        node[parts[-1]] = value

    return edit


def add_announcement(**fields: Any) -> Callable[[dict[str, Any]], None]:
    def edit(data: dict[str, Any]) -> None:
        data["announcements"].append({"id": "bad", "template": "reminder", **fields})

    return edit


def template(body: str) -> dict[str, Any]:
    """An organiser's messages folder whose English Mastodon page template is `body`."""
    return {"messages/page/mastodon.en.j2": body}


def with_messages(data: dict[str, Any]) -> None:
    data["messages_dir"] = "messages"


def billion_laughs(levels: int) -> Callable[[str], str]:
    def text(t: str) -> str:
        lines = ['lol0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
        for i in range(1, levels + 1):
            lines.append(f"lol{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]")
        return t + "\n" + "\n".join(lines) + "\n"

    return text


def feed_of(entries: int) -> bytes:
    items = "".join(
        f"<item><title>t{i}</title><link>https://e.org/{i}</link></item>" for i in range(entries)
    )
    return f'<rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()


SCHEDULE = ("schedule", "add", "bad", "--template", "reminder", "--page", "ales")
TG = "channels.1"
MASTODON = "channels.0"

CASES = [
    # -- the campaign YAML ---------------------------------------------------------------
    Bad("yaml-billion-laughs-9", ("{cfg}:", "aliases"), text=billion_laughs(9)),
    Bad("yaml-billion-laughs-7", ("{cfg}:", "aliases"), text=billion_laughs(7)),
    Bad(
        "yaml-alias-to-itself",
        ("{cfg}:", "refers to a value that contains it"),
        text=lambda t: t + "loop: &loop [1, *loop]\n",
    ),
    Bad(
        "yaml-nested-5000-deep",
        ("{cfg}", "nested too deeply"),
        text=lambda t: t + "deep: " + "[" * 5000 + "]" * 5000 + "\n",
    ),
    Bad(
        "yaml-nested-200-deep",
        ("{cfg}:", "nested more than 100 levels"),
        text=lambda t: t + "deep: " + "[" * 200 + "]" * 200 + "\n",
    ),
    Bad(
        "yaml-duplicate-key",
        ("{cfg}:", "duplicate key 'store'"),
        text=lambda t: t + "store:\n  url: sqlite:///x.sqlite3\n",
    ),
    Bad("yaml-syntax", ("{cfg}:", "YAML syntax error"), text=lambda t: t + "x: [1, 2\n"),
    Bad("yaml-not-utf8", ("{cfg}", "not UTF-8"), text=lambda t: "\udcff"),
    Bad("yaml-a-list", ("{cfg}", "must be a mapping"), text=lambda t: "- 1\n- 2\n"),
    Bad("yaml-unknown-key", ("{cfg}:", "campaign.nmae"), edit=set_in("campaign.nmae", "x")),
    # -- URLs in the campaign file --------------------------------------------------------
    Bad(
        "mastodon-instance-javascript",
        ("{cfg}:", "channels[0].instance: 'javascript:alert(1)' is not an http(s) URL"),
        edit=set_in(f"{MASTODON}.instance", "javascript:alert(1)"),
    ),
    Bad(
        "mastodon-instance-ftp",
        ("{cfg}:", "channels[0].instance: 'ftp://x'"),
        edit=set_in(f"{MASTODON}.instance", "ftp://x"),
    ),
    Bad(
        "mastodon-instance-not-a-url",
        ("{cfg}:", "channels[0].instance: 'not a url'"),
        edit=set_in(f"{MASTODON}.instance", "not a url"),
    ),
    Bad(
        "mastodon-instance-no-host",
        ("{cfg}:", "channels[0].instance: 'https://'"),
        edit=set_in(f"{MASTODON}.instance", "https://"),
    ),
    Bad(
        "mastodon-instance-with-password",
        ("{cfg}:", "channels[0].instance:", "no user name"),
        edit=set_in(f"{MASTODON}.instance", f"https://me:{SECRET}@m.example"),
    ),
    Bad(
        "mastodon-instance-bad-port",
        ("{cfg}:", "channels[0].instance:"),
        edit=set_in(f"{MASTODON}.instance", "https://m.example:99999"),
    ),
    Bad(
        "telegram-api-not-a-url",
        ("{cfg}:", "channels[1].api_base_url: 'not a url'"),
        edit=set_in(f"{TG}.api_base_url", "not a url"),
    ),
    Bad(
        "telegram-api-javascript",
        ("{cfg}:", "channels[1].api_base_url:"),
        edit=set_in(f"{TG}.api_base_url", "javascript:alert(1)"),
    ),
    Bad(
        "telegram-api-query",
        ("{cfg}:", "channels[1].api_base_url:", "no '?'"),
        edit=set_in(f"{TG}.api_base_url", "https://tg.example/?x=1"),
    ),
    Bad(
        "admin-api-ftp",
        ("{cfg}:", "admin.api_base_url: 'ftp://x'"),
        edit=set_in("admin.api_base_url", "ftp://x"),
    ),
    Bad(
        "feed-url-file",
        ("{cfg}:", "feeds[0].url: 'file:///etc/passwd'"),
        edit=lambda d: d["feeds"][0].update(url="file:///etc/passwd", path=None),
    ),
    Bad(
        "page-url-javascript",
        ("{cfg}:", "pages[0].url:"),
        edit=set_in("pages.0.url", "javascript:alert(1)"),
    ),
    Bad(
        "button-url-data",
        ("{cfg}:", "channels[1].buttons[0].url:"),
        edit=set_in(f"{TG}.buttons.0.url", "data:text/html,x"),
    ),
    Bad(
        "base-url-spaces",
        ("{cfg}:", "campaign.base_url:"),
        edit=set_in("campaign.base_url", "https://e.org/a b"),
    ),
    # -- schedules, dates and numbers -----------------------------------------------------
    Bad(
        "cron-minute-61",
        ("{cfg}:", "announcements[2].cron:", "61"),
        edit=add_announcement(cron="61 * * * *"),
    ),
    Bad(
        "cron-hour-25",
        ("{cfg}:", "announcements[2].cron:", "25"),
        edit=add_announcement(cron="0 25 * * *"),
    ),
    Bad(
        "cron-four-fields",
        ("{cfg}:", "announcements[2].cron:", "5 fields"),
        edit=add_announcement(cron="* * * *"),
    ),
    Bad(
        "cron-weekday-9",
        ("{cfg}:", "announcements[2].cron:"),
        edit=add_announcement(cron="0 10 * * 9"),
    ),
    Bad(
        "at-month-13",
        ("{cfg}:", "announcements[2].at:"),
        edit=add_announcement(at="2026-13-01 10:00"),
    ),
    Bad(
        "at-hour-25",
        ("{cfg}:", "announcements[2].at:"),
        edit=add_announcement(at="2026-12-01 25:00"),
    ),
    Bad(
        "at-skipped-hour",
        ("{cfg}:", "announcements[2].at:", "skip"),
        edit=add_announcement(at="2027-03-28 02:30", timezone="Europe/Paris"),
    ),
    Bad(
        "announcement-zone",
        ("{cfg}:", "announcements[2].timezone:", "Mars/Olympus"),
        edit=add_announcement(at="2027-03-28 10:30", timezone="Mars/Olympus"),
    ),
    Bad(
        "campaign-date-feb-30",
        ("{cfg}:", "campaign.dates.arrest:"),
        edit=set_in("campaign.dates.arrest", "2011-02-30"),
    ),
    Bad(
        "campaign-date-year-99999",
        ("{cfg}:", "campaign.dates.arrest:"),
        edit=set_in("campaign.dates.arrest", "99999-01-01"),
    ),
    Bad(
        "campaign-zone",
        ("{cfg}:", "campaign.timezone:", "Europe/Nowhere"),
        edit=set_in("campaign.timezone", "Europe/Nowhere"),
    ),
    Bad(
        "poll-minutes-huge",
        ("{cfg}:", "feeds[0].poll_minutes:"),
        edit=set_in("feeds.0.poll_minutes", 10**12),
    ),
    Bad("backlog-huge", ("{cfg}:", "feeds[0].backlog:"), edit=set_in("feeds.0.backlog", 10**9)),
    Bad(
        "retry-budget-huge",
        ("{cfg}:", "delivery.retry_budget:"),
        edit=set_in("delivery.retry_budget", 10**9),
    ),
    Bad(
        "backoff-1e300",
        ("{cfg}:", "delivery.backoff_max_seconds:"),
        edit=set_in("delivery.backoff_max_seconds", 1e300),
    ),
    Bad(
        "timeout-negative",
        ("{cfg}:", "delivery.timeout_seconds:"),
        edit=set_in("delivery.timeout_seconds", -1),
    ),
    Bad(
        "max-characters-huge",
        ("{cfg}:", "channels[0].max_characters:"),
        edit=set_in(f"{MASTODON}.max_characters", 10**30),
    ),
    Bad(
        "compact-size-huge",
        ("{cfg}:", "share.bar.compact_size:"),
        edit=set_in("share.bar.compact_size", 10**6),
    ),
    Bad(
        "language-code",
        ("{cfg}:", "campaign.languages:"),
        edit=set_in("campaign.languages", ["en", "english!!"]),
    ),
    Bad(
        "hashtag-space",
        ("{cfg}:", "campaign.hashtags:"),
        edit=set_in("campaign.hashtags", ["no spaces"]),
    ),
    Bad(
        "channel-kind",
        ("{cfg}:", "channels[0]", "'myspace' is not a network"),
        edit=set_in(f"{MASTODON}.kind", "myspace"),
    ),
    Bad("feed-called-page", ("{cfg}:", "feeds[0].id:"), edit=set_in("feeds.0.id", "page")),
    # -- tokens check reports, as run and deliver would ------------------------------------
    Bad(
        "token-file-missing",
        ("{cfg}:", "channels[0].token_file:", "cannot be read"),
        edit=set_in(f"{MASTODON}.token_file", "nothere.txt"),
    ),
    Bad(
        "token-file-a-folder",
        ("{cfg}:", "channels[1].token_file:", "cannot be read"),
        edit=set_in(f"{TG}.token_file", "messages"),
        files={"messages/x.txt": "x"},
    ),
    # -- templates --------------------------------------------------------------------------
    *(
        Bad(
            f"template-{name}",
            ("{dir}/messages/page/mastodon.en.j2:1", what),
            edit=with_messages,
            files=template(body),
        )
        for name, body, what in [
            ("repeat-str", "{{ 'x' * 10**10 }}", "too much"),
            ("repeat-list", "{{ ['x'] * 10**10 }}", "too much"),
            ("power", "{{ 10 ** 100000 }}", "too large a number"),
            ("center-filter", "{{ 'x'|center(10**10) }}", "too much"),
            ("center-method", "{{ 'x'.center(10**10) }}", "too much"),
            ("indent", "{{ 'x'|indent(10**10) }}", "too much"),
            ("format-method", "{{ '{:>9999999999}'.format(1) }}", "format width"),
            ("percent-format", "{{ '%9999999999s' % 1 }}", "format width"),
            ("percent-star", "{{ '%*s' % (10**10, 'x') }}", "too much"),
            ("format-filter", "{{ '%9999999999s'|format(1) }}", "format width"),
            (
                "nested-loops",
                "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}",
                "loop iterations",
            ),
            (
                "macro-doubling",
                "{% macro f(s) %}{{ f(s ~ s) }}{% endmacro %}{{ f('x') }}",
                "too much",
            ),
            ("replace-growth", "{{ ('x' * 99999)|replace('x', 'x' * 99999) }}", "too much"),
            ("join-separator", "{{ range(99999)|join('x' * 99999) }}", "too much"),
            ("batch", "{{ [1]|batch(10**10, 'x')|list }}", "too much"),
            ("sandbox", "{{ ''.__class__.__mro__ }}", "sandbox"),
            ("syntax", "{{ title ", "syntax error"),
            ("undefined", "{{ nothing_here }}", "nothing_here"),
        ]
    ),
    Bad(
        "template-output-cap",
        ("{dir}/messages/page/mastodon.en.j2", "100,000 characters"),
        edit=with_messages,
        files=template("{% for i in range(999) %}{{ 'x' * 999 }}{% endfor %}"),
    ),
    # -- feeds -------------------------------------------------------------------------------
    Bad(
        "feed-too-many-entries",
        ("feed 'news'", "more than 5,000 entries"),
        files={"news.xml": feed_of(5_001)},
    ),
    Bad(
        "feed-too-large",
        ("news.xml", "larger than 10 MB"),
        files={"news.xml": b"<rss>" + b" " * (10 * 1024 * 1024) + b"</rss>"},
    ),
    Bad(
        "feed-not-xml",
        ("feed 'news'", "cannot be read as RSS or Atom"),
        files={"news.xml": b"hello"},
    ),
    Bad("feed-missing", ("feed 'news'", "cannot be read"), edit=set_in("feeds.0.path", "nope.xml")),
    # -- CLI arguments -----------------------------------------------------------------------
    Bad(
        "at-25-00",
        ("--at", "'tomorrow 25:00'", "'tomorrow'", "hour 25"),
        argv=(*SCHEDULE, "--at", "tomorrow 25:00"),
    ),
    Bad(
        "at-10-99",
        ("--at", "'tomorrow 10:99'", "minute 99"),
        argv=(*SCHEDULE, "--at", "tomorrow 10:99"),
    ),
    Bad("at-13pm", ("--at", "13pm", "1-12"), argv=(*SCHEDULE, "--at", "tomorrow 13pm")),
    Bad("at-24-00", ("--at", "hour 24"), argv=(*SCHEDULE, "--at", "2026-12-10 24:00")),
    Bad("at-seconds-61", ("--at", "second 61"), argv=(*SCHEDULE, "--at", "tomorrow 10:00:61")),
    Bad("at-very-long", ("--at", "too long"), argv=(*SCHEDULE, "--at", "tomorrow " * 2000)),
    Bad("at-past", ("--at", "not in the future"), argv=(*SCHEDULE, "--at", "yesterday 10:00")),
    Bad("at-nonsense", ("--at", "could not read"), argv=(*SCHEDULE, "--at", "whenever")),
    Bad("cron-arg-61", ("--cron", "61"), argv=(*SCHEDULE, "--cron", "61 * * * *")),
    Bad(
        "schedule-bad-id",
        ("BAD ID",),
        argv=("schedule", "add", "BAD ID", "--template", "reminder", "--at", "tomorrow 10:00"),
    ),
    Bad("preview-at-feb-30", ("--at",), argv=("preview", "ales", "--at", "2026-02-30")),
    Bad("deliveries-limit-negative", ("--limit",), argv=("deliveries", "--limit", "-1")),
    Bad("retry-unknown", ("99999",), argv=("retry", "99999")),
    # -- store URLs --------------------------------------------------------------------------
    Bad(
        "store-bad-port",
        ("store.url", "not a database URL"),
        env={"OUTREACH_DB_URL": f"postgresql://u:{SECRET}@h:99999999/db"},
    ),
    Bad(
        "store-mysql",
        ("store.url", "SQLite or PostgreSQL"),
        env={"OUTREACH_DB_URL": f"mysql://u:{SECRET}@h/db"},
    ),
    Bad(
        "store-not-a-url", ("store.url", "not a database URL"), env={"OUTREACH_DB_URL": "not a url"}
    ),
]


def test_the_table_is_large_enough() -> None:
    names = [c.name for c in CASES]
    assert len(set(names)) == len(names) >= 60


@pytest.fixture(scope="module")
def seeded_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with something in it: an announcement scheduled and a run's deliveries."""
    folder = tmp_path_factory.mktemp("seed")
    cfg = folder / "outreach.yaml"
    cfg.write_text(dump(bundled()), encoding="utf-8")
    (folder / "news.xml").write_bytes(GOOD_FEED)
    env = {
        "OUTREACH_CONFIG": str(cfg),
        "OUTREACH_DB_URL": f"sqlite:///{folder / 'seed.sqlite3'}",
        "OUTREACH_FAKE_NOW": NOW,
    }
    runner = CliRunner()
    for argv in (
        [
            "schedule",
            "add",
            "seeded",
            "--template",
            "reminder",
            "--page",
            "ales",
            "--at",
            "tomorrow 10:00",
        ],
        ["run", "--once"],
    ):
        result = runner.invoke(cli, argv, env=env)
        assert result.exit_code == 0, result.output
    return folder / "seed.sqlite3"


def store_dump(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        return list(db.iterdump())


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_bad_input_is_named_quickly_and_changes_nothing(
    case: Bad, tmp_path: Path, seeded_store: Path
) -> None:
    data = bundled()
    if case.edit:
        case.edit(data)
    text = dump(data)
    if case.text:
        text = case.text(text)
    cfg = tmp_path / "outreach.yaml"
    cfg.write_text(text, encoding="utf-8", errors="surrogateescape")
    (tmp_path / "news.xml").write_bytes(GOOD_FEED)
    for name, body in case.files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        if isinstance(body, bytes):
            (tmp_path / name).write_bytes(body)
        else:
            (tmp_path / name).write_text(body, encoding="utf-8")
    store = tmp_path / "ledger.sqlite3"
    shutil.copy(seeded_store, store)
    before = store_dump(store)
    env = {
        "OUTREACH_CONFIG": str(cfg),
        "OUTREACH_DB_URL": f"sqlite:///{store}",
        "OUTREACH_FAKE_NOW": NOW,
        "COLUMNS": "300",
        "OUTREACH_MASTODON_EN_TOKEN": None,
        "OUTREACH_TELEGRAM_TOKEN": None,
        **case.env,
    }
    runner = CliRunner()
    done: dict[str, Any] = {}

    def run() -> None:
        done["result"] = runner.invoke(cli, list(case.argv), env=env)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(BOUND)
    assert not worker.is_alive(), f"{case.name}: still running after {BOUND} s"
    result = done["result"]
    output = result.output
    assert result.exit_code != 0, output
    assert not isinstance(result.exception, (MemoryError, RecursionError)), result.exception
    if result.exit_code not in (1, 2):  # a crash, not an error for the organiser
        raise AssertionError((output, result.exception))
    for expected in case.expect:
        assert expected.format(cfg=cfg, dir=tmp_path) in output, output
    assert SECRET not in output
    assert store_dump(store) == before

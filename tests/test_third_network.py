"""A third network is one module plus its templates: nothing else changes.

The "webhook" network (tests/fakes/webhook_network.py) is registered here and
then goes through the real config loading, template lookup and fitting,
queueing, ledger, pacing, delivery loop and crash recovery, to a fake hook on
127.0.0.1; none of those modules names it.
"""

from __future__ import annotations

import ast
import datetime as dt
import itertools
import random
import textwrap
from pathlib import Path
from typing import Any, Literal

import pytest
from fakes import ManualClock
from fakes._server import FakeServer, Reply, Request
from fakes.webhook_network import Webhook, WebhookChannel

from outreach import networks
from outreach.config import load_config
from outreach.delivery import DeliveryLoop
from outreach.errors import ConfigError, TemplateError
from outreach.ledger import open_ledger
from outreach.messages import Messages
from outreach.outbox import Outbox
from outreach.publishers import publishers_for

TOKEN = "hook-SECRET-token"
NOW = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


class FakeHook(FakeServer):
    """Remembers every Idempotency-Key, as the hook promises: a repeat returns the first id."""

    def __init__(self, clock: ManualClock) -> None:
        super().__init__()
        self.clock = clock
        self.posts: list[tuple[dt.datetime, str, str]] = []
        """(arrival on the test's clock, Authorization, text) of every post made."""
        self._by_key: dict[str, int] = {}
        self._ids = itertools.count(1)

    def route(self, req: Request) -> Reply:
        key = req.headers.get("idempotency-key", "")
        with self.lock:
            if key not in self._by_key:
                self._by_key[key] = next(self._ids)
                auth = req.headers.get("authorization", "")
                self.posts.append((self.clock.now(), auth, req.json["text"]))
            return Reply(200, {"id": self._by_key[key]})


@pytest.fixture
def webhook():
    net = networks.register(Webhook())
    try:
        yield net
    finally:
        networks.unregister(net.name)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC))


@pytest.fixture
def hook(clock):
    with FakeHook(clock) as h:
        yield h


def campaign(tmp_path: Path, hook_url: str, *, channel: str | None = None) -> Path:
    """A campaign with one webhook channel and the network's one template."""
    (tmp_path / "messages" / "page").mkdir(parents=True)
    (tmp_path / "messages" / "page" / "webhook.j2").write_text(
        "{{ item.title }}\n\n{{ item.summary }}\n\n{{ item.url }}\n", encoding="utf-8"
    )
    channel = channel or f"  - id: hook\n    kind: webhook\n    url: {hook_url}\n"
    path = tmp_path / "outreach.yaml"
    path.write_text(
        textwrap.dedent(
            f"""\
            campaign:
              name: Free Ales
              base_url: https://freeales.example/
              languages: [en]
              default_language: en
            pages:
              - id: ales
                url: https://freeales.example/ales/
                title: About Ales Bialiatski
                summary: {"Ales Bialiatski founded Viasna in 1996. " * 12}
            messages_dir: messages
            store:
              url: sqlite:///{tmp_path / "ledger.sqlite3"}
            channels:
            """
        )
        + channel
        + "    token_env: HOOK_TOKEN\n",
        encoding="utf-8",
    )
    return path


def loop_for(ledger: Any, pubs: Any, cfg: Any, clock: ManualClock) -> DeliveryLoop:
    return DeliveryLoop(ledger, pubs, cfg.delivery, clock=clock, rng=random.Random(1))


def test_a_registered_network_is_configured_rendered_queued_paced_and_delivered(
    webhook, hook, clock, tmp_path
):
    cfg = load_config(campaign(tmp_path, f"{hook.url}/hook"), {"HOOK_TOKEN": TOKEN})
    (channel,) = cfg.channels
    assert isinstance(channel, WebhookChannel) and channel.max_length == 200

    # Fitted by the network's own count and limit: the summary is cut, the URL is whole.
    messages = Messages(cfg)
    subject = messages.subject("ales")
    rendered = messages.render_post(channel, subject, now=clock.now())
    assert rendered.template.endswith("page/webhook.j2")
    assert rendered.shortened and rendered.limit == 200
    assert rendered.length == len(rendered.post.text) <= 200
    assert rendered.post.text.startswith("About Ales Bialiatski\n\nAles Bialiatski founded")
    assert rendered.post.text.endswith("https://freeales.example/ales/")

    ledger = open_ledger(cfg.store.url, clock)
    try:
        outbox = Outbox(cfg, ledger, messages)
        for n in range(5):
            (queued,) = outbox.queue(subject, dedupe_key=f"ales-{n}", due=clock.now())
            assert queued.delivery_id is not None
        pubs = publishers_for(cfg)
        assert not pubs["hook"].dry_run
        loop = loop_for(ledger, pubs, cfg, clock)
        loop.start()
        report = loop.run_once(max_wait=600)
        assert report.count("sent") == 5
        # Every post arrived once, with its token, in the order queued ...
        assert [text for _, _, text in hook.posts] == [rendered.post.text] * 5
        assert {auth for _, auth, _ in hook.posts} == {f"Bearer {TOKEN}"}
        # ... paced by the network's rule: never 3 in one minute, as fast as that allows.
        times = [(at - hook.posts[0][0]).total_seconds() for at, _, _ in hook.posts]
        assert all(later - earlier >= 60 for earlier, later in itertools.pairwise(times[::2]))
        assert times == [0, 0, 60, 60, 120]
        # The ledger holds each delivery sent, with the hook's id.
        rows = ledger.deliveries(limit=10)
        assert sorted(int(d.remote_id) for d in rows) == [1, 2, 3, 4, 5]
        assert {(d.network, d.state) for d in rows} == {("webhook", "sent")}
    finally:
        ledger.close()


def test_a_send_cut_off_by_a_crash_is_recovered_by_the_networks_rule(
    webhook, hook, clock, tmp_path
):
    """The hook remembers its key for 10 minutes: resent with the same key inside them."""
    cfg = load_config(campaign(tmp_path, f"{hook.url}/hook"), {"HOOK_TOKEN": TOKEN})
    messages = Messages(cfg)
    ledger = open_ledger(cfg.store.url, clock)
    try:
        Outbox(cfg, ledger, messages).queue(
            messages.subject("ales"), dedupe_key="ales", due=clock.now()
        )
        pubs = publishers_for(cfg)
        head = ledger.head("hook")
        assert head.ready is not None
        claim = ledger.claim(head.ready.id, dt.timedelta(seconds=30))
        assert claim is not None and claim.delivery.post is not None
        # The post reached the hook; the process died before it could record that.
        pubs["hook"].publish(claim.delivery.post, claim.delivery.idempotency_key)
        clock.advance(120)

        loop = loop_for(ledger, pubs, cfg, clock)
        recovered = loop.start()
        assert [(d.id, d.state) for d in recovered] == [(claim.delivery.id, "pending")]
        assert loop.run_once(max_wait=60).count("sent") == 1
        assert len(hook.posts) == 1  # the repeat carried the same key: not posted twice
        assert ledger.get(claim.delivery.id).state == "sent"
    finally:
        ledger.close()


def test_a_channels_fields_are_checked_by_its_network(webhook, tmp_path):
    path = campaign(tmp_path, "", channel="  - id: hook\n    kind: webhook\n    max_length: 0\n")
    with pytest.raises(ConfigError) as exc:
        load_config(path, {})
    problems = "\n".join(exc.value.problems)
    # The channel's line for a missing field, the field's own line for a bad value.
    assert f"{path}:15: channels[0].url: Field required" in problems
    assert f"{path}:17: channels[0].max_length: Input should be greater than or equal to 1" in (
        problems
    )


def test_an_unknown_kind_names_every_registered_network(webhook, tmp_path):
    path = campaign(tmp_path, "", channel="  - id: x\n    kind: myspace\n")
    with pytest.raises(ConfigError) as exc:
        load_config(path, {})
    problems = "\n".join(exc.value.problems)
    assert "kind 'myspace' is not a network outreach knows" in problems
    assert "mastodon, telegram, webhook" in problems


def test_without_the_module_the_kind_is_unknown(tmp_path):
    path = campaign(tmp_path, "http://127.0.0.1:9/hook")
    with pytest.raises(ConfigError) as exc:
        load_config(path, {})
    assert "kind 'webhook' is not a network outreach knows: use one of mastodon, telegram" in (
        "\n".join(exc.value.problems)
    )


def test_no_module_branches_on_a_networks_name_outside_its_own():
    """The check of issue 10, kept: comparisons with a network's name, or isinstance on its
    channel model, appear only in networks/<name>.py and publishers/<name>.py."""
    package = Path(networks.__file__).resolve().parents[1]
    bundled = networks.all_networks()
    found = []
    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(package).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for net in bundled:
            if rel in (f"networks/{net.name}.py", f"publishers/{net.name}.py"):
                continue
            model = net.channel_model.__name__
            for node in ast.walk(tree):
                if isinstance(node, ast.Compare):
                    parts = [node.left, *node.comparators]
                    names = {
                        c.value for p in parts for c in ast.walk(p) if isinstance(c, ast.Constant)
                    }
                    if net.name in names:
                        found.append(f"{rel}:{node.lineno}: compares with {net.name!r}")
                elif (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id == "isinstance"
                    and model in {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
                ):
                    found.append(f"{rel}:{node.lineno}: isinstance(..., {model})")
    assert len(bundled) >= 2 and found == []


def test_preview_and_a_dry_run_show_the_new_networks_posts(webhook, tmp_path):
    """Without a token its channel is dry-run, as every network's: printed, never sent."""
    from click.testing import CliRunner

    from outreach.cli import cli

    path = campaign(tmp_path, "http://127.0.0.1:9/hook")
    runner = CliRunner(env={"COLUMNS": "160", "OUTREACH_CONFIG": None, "HOOK_TOKEN": None})
    page = tmp_path / "preview.html"
    shown = runner.invoke(cli, ["--config", str(path), "preview", "ales", "--html", str(page)])
    assert shown.exit_code == 0, shown.output
    assert "hook" in shown.output and "/200" in shown.output.replace(" ", "")
    html = page.read_text(encoding="utf-8")
    assert '<article class="toot"' in html and "<p>About Ales Bialiatski</p>" in html

    ran = runner.invoke(cli, ["--config", str(path), "deliver", "ales"])
    assert ran.exit_code == 0, ran.output
    assert "--- dry-run: webhook channel hook (http://127.0.0.1:9/hook) ---" in ran.output
    assert "About Ales Bialiatski" in ran.output and "sent (dry-run)" in ran.output


def test_a_network_that_posts_html_gets_escaped_templates(tmp_path):
    """`html = True` is all it takes: outside text in its templates never becomes markup."""

    class HtmlHookChannel(WebhookChannel):
        kind: Literal["htmlhook"]  # type: ignore[assignment]

    class HtmlHook(Webhook):
        name = "htmlhook"
        html = True
        channel_model = HtmlHookChannel

    net = networks.register(HtmlHook())
    try:
        path = campaign(tmp_path, "", channel="  - id: h\n    kind: htmlhook\n    url: http://h\n")
        text = path.read_text(encoding="utf-8").replace(
            "title: About Ales Bialiatski", "title: 'Ales <b>free</b> & safe'"
        )
        path.write_text(text, encoding="utf-8")
        template = tmp_path / "messages" / "page" / "htmlhook.j2"
        template.write_text("<i>{{ item.title }}</i>", encoding="utf-8")
        cfg = load_config(path, {})
        messages = Messages(cfg)
        post = messages.render_post(cfg.channels[0], messages.subject("ales"), now=NOW).post
        assert post.text == "<i>Ales &lt;b&gt;free&lt;/b&gt; &amp; safe</i>"
        # ... and, as Telegram's, it may not switch escaping off.
        template.write_text("{{ item.title|safe }}", encoding="utf-8")
        with pytest.raises(TemplateError, match="not allowed in Htmlhook templates"):
            Messages(cfg).render_post(cfg.channels[0], messages.subject("ales"), now=NOW)
    finally:
        networks.unregister(net.name)


def test_a_declaration_whose_kind_does_not_match_its_name_is_refused():
    class Misnamed(Webhook):
        name = "hooks"  # its channel model still says kind: Literal["webhook"]

    with pytest.raises(ValueError, match=r'must declare kind: Literal\["hooks"\]'):
        networks.register(Misnamed())
    assert networks.find_network("hooks") is None

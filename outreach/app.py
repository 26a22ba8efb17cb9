"""The application: built once from a config file and the environment; every front end starts here.

    app = App(config_path, os.environ, notify=print_note)
    app.config         # the campaign, tokens resolved once into Secrets; log redaction on
    app.clock          # the one clock (simulated by OUTREACH_FAKE_NOW / OUTREACH_CLOCK_SPEED)
    app.ledger         # the store, opened on first use, on the app's clock
    app.publishers     # one per channel (dry-run where a channel has no token)
    app.delivery_loop(channel_ids)      # a delivery loop on these channels
    app.service()      # `outreach run`
    app.admin_bot()    # `outreach adminbot`
    app.doctor(), app.deliver(item_id), app.retry(delivery_id), app.feed_watcher()
    app.close()

The command line (outreach/cli/), the service, the admin bot and the web
console all start from this object: none reads the environment, opens a
ledger or resolves a token of its own. The environment is read here, at the
edge (the CLI hands in os.environ), and nowhere else.

Each part is built on first use and kept: pydantic and YAML (the config),
SQLAlchemy (the ledger) and the network clients (publishers) are imported
only by the commands that need them, so `outreach --help` stays fast (lazy
imports, for start-up time only).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from telegram.ext import Application

    from .admin.alerts import Rounds
    from .clock import ScaledClock, SystemClock
    from .config import Config
    from .delivery import DeliveryLoop, Report
    from .feeds import FeedWatcher
    from .ledger import Delivery, Ledger
    from .publishers import Check, Publisher
    from .service import Service
    from .yamlfile import YamlDoc

__all__ = ["App", "Delivered", "Doctor"]


class App:
    def __init__(
        self,
        config_path: str | None = None,
        environ: Mapping[str, str] | None = None,
        *,
        notify: Callable[[str], None] | None = None,
        config: Config | None = None,
        clock: SystemClock | ScaledClock | None = None,
    ) -> None:
        """`notify` is told, once, what a simulated clock is (the CLI prints it on stderr).

        `config` and `clock` may be given ready-made (tests, benchmarks); otherwise
        they are made from `config_path` and `environ` on first use.
        """
        self.config_path = config_path
        self.environ: Mapping[str, str] = dict(environ) if environ is not None else {}
        self.notify = notify
        self.dry_run_out: TextIO | None = None
        """Where the dry-run publisher prints posts (stdout when None)."""
        self.delivery_tuning: dict[str, Any] = {}
        """Extra DeliveryLoop arguments (pacing_scale, lease) for tests and demos."""
        self._config = config
        self._config_doc: YamlDoc | None = None
        self._clock = clock
        self._ledger: Ledger | None = None
        self._publishers: dict[str, Publisher] | None = None
        if config is not None:
            self._guard(config)

    # -- the parts, each made once --------------------------------------------------

    @property
    def config(self) -> Config:
        if self._config is None:
            self._load_config(keep_doc=False)
        assert self._config is not None
        return self._config

    @property
    def config_doc(self) -> YamlDoc | None:
        """The campaign file as parsed, with the line of every value: for what `check` finds
        after loading to name its line. Asked before `config`, it is the one read `config`
        is built from; else (a config given ready-made, or loaded already) the file read
        now; None without one. Kept only when asked for: a large campaign's weighs as much
        as its config (31 MB of 10,000 pages), which `run` need not carry."""
        if self._config_doc is None:
            if self._config is None:
                self._load_config(keep_doc=True)
            elif self._config.source.is_file():
                from .yamlfile import load_yaml

                self._config_doc = load_yaml(self._config.source)
        return self._config_doc

    def _load_config(self, *, keep_doc: bool) -> None:
        from pathlib import Path

        from .config import config_from_doc, read_config_doc
        from .userdirs import choose_store

        # load_config's two steps, with the document at hand for config_doc
        doc = read_config_doc(self.config_path, self.environ)
        choice = choose_store(config_from_doc(doc, self.environ), self.environ, Path.cwd())
        if choice.created is not None and self.notify is not None:
            self.notify(
                f"the ledger is {choice.created} (the bundled campaign, run outside a "
                "checkout; set OUTREACH_DB_URL or use a campaign file of your own to choose)"
            )
        self._config = choice.config
        self._config_doc = doc if keep_doc else None
        self._guard(self._config)

    @staticmethod
    def _guard(config: Config) -> None:
        # The tokens are known from here on: mask them in every log record.
        from .redact import install_for_config

        install_for_config(config)

    @property
    def clock(self) -> SystemClock | ScaledClock:
        if self._clock is None:
            from .clock import clock_from_environ

            self._clock = clock_from_environ(self.environ)
            if self._clock.simulated and self.notify is not None:
                self.notify(self._clock.describe())
        return self._clock

    @property
    def ledger(self) -> Ledger:
        if self._ledger is None:
            from .ledger import open_ledger

            self._ledger = open_ledger(self.config.store.url, self.clock.now)
        return self._ledger

    @property
    def has_ledger(self) -> bool:
        """Whether the store exists already (an SQLite file not yet made does not)."""
        if self._ledger is not None:
            return True
        from pathlib import Path

        from sqlalchemy.engine import make_url

        from .ledger import normalize_url

        url = make_url(normalize_url(self.config.store.url))
        return url.get_backend_name() != "sqlite" or bool(
            url.database and Path(url.database).exists()
        )

    @property
    def publishers(self) -> dict[str, Publisher]:
        if self._publishers is None:
            from .publishers import publishers_for

            self._publishers = publishers_for(self.config, out=self.dry_run_out, clock=self.clock)
        return self._publishers

    def publishers_of(self, channel_ids: tuple[str, ...] = ()) -> dict[str, Publisher]:
        """The publishers of these channels (all when none are named); unknown ids refused."""
        from .errors import ConfigError

        pubs = self.publishers
        unknown = [c for c in channel_ids if c not in pubs]
        if unknown:
            raise ConfigError(
                f"unknown channel {unknown[0]!r}; channels: {', '.join(pubs) or 'none'}"
            )
        return {k: v for k, v in pubs.items() if not channel_ids or k in channel_ids}

    def close(self) -> None:
        for pub in (self._publishers or {}).values():
            pub.close()
        self._publishers = None
        if self._ledger is not None:
            self._ledger.close()
            self._ledger = None

    # -- what the front ends run ----------------------------------------------------

    def delivery_loop(
        self, channel_ids: tuple[str, ...] = (), *, only_actions: bool = False
    ) -> DeliveryLoop:
        """`only_actions`: corrections and takedowns only, no posts (outreach/corrections.py)."""
        from .delivery import DeliveryLoop

        loop = DeliveryLoop(
            self.ledger,
            self.publishers_of(channel_ids),
            self.config.delivery,
            clock=self.clock,
            only_actions=only_actions,
            **self.delivery_tuning,
        )
        if self.ledger.leases.shared:
            # beside running instances: only the channels none of them holds (run_once)
            loop.membership = self._shared(list(loop.publishers), loop.taken_over, visiting=True)
        return loop

    def check_channels(self) -> list[Check]:
        """Every channel's credential check (network calls)."""
        return [p.check() for p in self.publishers.values()]

    def doctor(self, channel_ids: tuple[str, ...] = ()) -> Doctor:
        """`outreach doctor`: each channel's check; what a platform said of its limits is kept."""
        from .delivery import LearnsLimits
        from .errors import OutreachError

        pubs = self.publishers_of(channel_ids)
        report = Doctor([pub.check() for pub in pubs.values()])
        learned = [(c, pubs[c.channel_id]) for c in report.checks if c.limits]
        try:
            for c, pub in learned:
                if isinstance(pub, LearnsLimits):  # Mastodon's max_characters, for fitting posts
                    self.ledger.save_channel_limits(
                        c.channel_id, c.limits, source=pub.limits_source
                    )
        except OutreachError as exc:
            report.warning = f"the limits read could not be kept: {exc}"
        return report

    def deliver(
        self, item_id: str, channel_ids: tuple[str, ...] = (), *, again: bool = False, wait: float
    ) -> Delivered:
        """`outreach deliver`: a page or news item to its channels now, once (again: once more)."""
        from .channel_posts import learned_limits, render_for_channels
        from .content import all_items, find_item
        from .errors import ConfigError
        from .messages import Messages

        cfg, ledger = self.config, self.ledger
        item = find_item(all_items(cfg), item_id)
        messages = Messages(cfg)
        subject = messages.subject_for_item(item)
        now = self.clock.now()
        made = render_for_channels(
            messages, subject, at=now, limits=learned_limits(cfg, ledger), only=channel_ids or None
        )
        if not made:
            among = f" among {', '.join(channel_ids)}" if channel_ids else ""
            raise ConfigError(f"{item_id!r} goes to no configured channel{among}")
        targets = [cp.channel for cp in made]
        # The key `deliver` has always written: "<kind>:<id>", as `about` read before a
        # news item's stopped repeating its kind. A store that delivered an item then
        # must not deliver it again now, so the key stays what it was.
        once = f"{item.kind}:{item.id}"
        result, ids = Delivered(targets=len(targets)), []
        for cp in made:
            ch, post = cp.channel, cp.post
            if post is None:
                result.not_made.append(f"{ch.id}: not sent, the post cannot be made: {cp.error}")
                continue
            key = f"manual:{once}@{now.isoformat()}" if again else once
            done = ledger.enqueue(post, dedupe_key=key)
            if not done.created:
                state = ledger.get(done.id).state
                result.already.append(f"{ch.id}: already queued as #{done.id} ({state})")
            ids.append(done.id)
        self._deliver_now(tuple(ch.id for ch in targets), wait)
        result.rows = [ledger.get(i) for i in ids]
        return result

    def retry(self, delivery_id: int, *, send: bool = True, wait: float) -> Delivery:
        """`outreach retry`: a failed, unknown, missed or cancelled delivery queued again (and sent)."""
        d = self.ledger.retry(delivery_id)
        if send:
            self._deliver_now((d.channel_id,), wait)
        return self.ledger.get(delivery_id)

    def _deliver_now(self, channel_ids: tuple[str, ...], wait: float) -> Report:
        loop = self.delivery_loop(channel_ids)
        loop.start()
        return loop.run_once(max_wait=wait)

    def feed_watcher(self) -> FeedWatcher:
        """`outreach feeds poll | backfill`: the service's feed watcher, on its own."""
        from .feeds import FeedWatcher
        from .outbox import Outbox

        return FeedWatcher(
            self.config, self.ledger, Outbox(self.config, self.ledger), self.clock.now
        )

    def service(self, *, once: bool = False) -> Service:
        """`outreach run`: announcements, feeds and delivery, with the alert rounds after each turn.

        `once` (`run --once`): beside running instances it sends only on the channels
        none of them holds (delivery_loop), and it is no instance itself.
        """
        from .service import Service

        loop = self.delivery_loop()
        service = Service(
            self.config,
            self.ledger,
            loop,
            clock=self.clock,
            on_turn=self._service_rounds(),
            membership=None if once else self._membership(lambda: service),
        )
        loop.membership = service.membership
        return service

    def _membership(self, service: Callable[[], Service]) -> Any:
        """This instance's share of the store (outreach.instances), started by `run` only.

        PostgreSQL: shared with any other instance, channel by channel. SQLite: the
        only one, and a second `run` on the same file is refused.
        """
        from .instances import Solo, SqliteLock
        from .ledger import CHANNEL, QUEUEING

        ledger, store = self.ledger, self.config.store
        if not ledger.leases.shared:
            from sqlalchemy.engine import make_url

            database = make_url(store.url).database
            if not database or database == ":memory:":
                return Solo()
            return Solo(SqliteLock(database))

        def acquired(name: str) -> None:
            if name == QUEUEING:
                service().took_queueing()
            elif name.startswith(CHANNEL):
                service().delivery.taken_over(name.removeprefix(CHANNEL))

        return self._shared(list(self.publishers), acquired)

    def _shared(
        self, channels: list[str], acquired: Callable[[str], Any], *, visiting: bool = False
    ) -> Any:
        """A share of a PostgreSQL store (outreach.instances.Shared), on real seconds."""
        from .clock import clock_seconds
        from .instances import Shared
        from .ledger import CHANNEL

        def on_acquired(name: str) -> None:
            acquired(name.removeprefix(CHANNEL) if visiting else name)

        clock, store = self.clock, self.config.store
        per_real = clock_seconds(clock, 1.0)  # the leases count real seconds (the database's)
        return Shared(
            self.ledger,
            channels,
            real_monotonic=lambda: clock.monotonic() / per_real,
            ttl=store.lease_seconds,
            renew=store.renew_seconds,
            on_acquired=on_acquired,
            visiting=visiting,
        )

    def _service_rounds(self) -> Callable[[Any], None]:
        """After each turn: tell the organisers about failures.

        To admin.alert_chat when it and the admin bot's token are set; otherwise the
        problems are logged only (outreach.alerts). The bot itself (`outreach
        adminbot --no-alerts`) then leaves alerts to this process.

        The token is read now (an unreadable token file stops the start, naming it);
        the alerts module is imported and its rounds made at the end of the first turn,
        not before the first post, which needs none of it (issue 15: a lazy import for
        start-up time).
        """
        token = _value(self.config.admin.token)
        made: list[Rounds] = []

        def after_turn(turn: Any) -> None:
            if not made:
                made.append(self._rounds(token))
            made[0].after_turn(turn)

        return after_turn

    def _rounds(self, token: str) -> Rounds:
        from .admin.alerts import Rounds

        admin, sender = self.config.admin, None
        if admin.alert_chat is not None and token:
            from .admin.alerts import TelegramAlertSender

            sender = TelegramAlertSender(token, admin.alert_chat, admin.api_base_url)
        # a chat is set but this process has no token for it: leave the alerts to the bot
        leave = admin.alert_chat is not None and not token
        return Rounds(
            self.config,
            self.ledger,
            sender,
            clock=self.clock.now,
            alerts_every=None if leave else 60.0,
        )

    def admin_token(self) -> str:
        """The admin bot's token; a ConfigError saying what to set when there is none."""
        from .errors import ConfigError

        config = self.config
        admin = config.admin
        token = _value(admin.token)
        if not token:
            where = (
                f"${admin.token_env}" if admin.token_env else None,
                f"the file {admin.token_file}" if admin.token_file else None,
            )
            named = " or ".join(w for w in where if w)
            raise ConfigError(
                f"{config.source}: admin: the bot has no token: "
                + (f"set {named}" if named else "set admin.token_env (or admin.token_file)")
                + " to the token @BotFather gave you"
            )
        if not admin.allowed_users:
            raise ConfigError(
                f"{config.source}: admin.allowed_users is empty, so nobody could use the bot: "
                "list the organisers' numeric Telegram user ids"
            )
        return token

    def admin_bot(self, *, alerts: bool = True, polling: bool = True) -> Application:
        """`outreach adminbot`: the organisers' Telegram bot, ready to run_polling().

        polling=False: to be fed updates (tests); no polling or alert jobs.
        """
        from .admin.alerts import TelegramAlertSender
        from .admin.bot import Rounds, build_application
        from .admin.console import Console

        cfg, token = self.config, self.admin_token()
        sender = None
        if cfg.admin.alert_chat is not None:
            sender = TelegramAlertSender(token, cfg.admin.alert_chat, cfg.admin.api_base_url)
        rounds = Rounds(
            cfg,
            self.ledger,
            sender,
            self.check_channels,
            clock=self.clock.now,
            alerts_every=60.0 if alerts else None,
        )
        console = Console(cfg, self.ledger, self.clock.now, checker=self.check_channels, app=self)
        return build_application(cfg, console, token, polling=polling, rounds=rounds)


@dataclass
class Doctor:
    checks: list[Check]
    warning: str | None = None

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)


@dataclass
class Delivered:
    targets: int
    rows: list[Delivery] = field(default_factory=list)
    not_made: list[str] = field(default_factory=list)
    """Channels whose post could not be made (a template error, a text that cannot fit)."""
    already: list[str] = field(default_factory=list)
    """Channels where it was queued before (not sent twice)."""

    @property
    def ok(self) -> bool:
        return len(self.rows) == self.targets and not any(
            d.state in ("failed", "unknown") for d in self.rows
        )


def _value(secret: Any) -> str:
    """A secret's text; '' when there is none (an unreadable file raises, naming it)."""
    return secret.get_secret_value() if secret is not None else ""

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

The application builds its parts and hands them to the jobs, each in a module
of its own: outreach/doctor.py (`doctor`, the channels' checks),
outreach/manual_delivery.py (`deliver`, `retry`), outreach/service_rounds.py
(`run`'s share of the store and its alert rounds), outreach/admin/building.py
(the admin bot). Its methods for them are one call each.

Each part is built on first use and kept: pydantic and YAML (the config),
SQLAlchemy (the ledger) and the network clients (publishers) are imported
only by the commands that need them, so `outreach --help` stays fast (lazy
imports, for start-up time only).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TextIO

# What the front ends get back, defined beside the jobs that make them (light modules).
from .doctor import Doctor
from .manual_delivery import Delivered

if TYPE_CHECKING:
    from telegram.ext import Application

    from .clock import ScaledClock, SystemClock
    from .config import Config
    from .delivery import DeliveryLoop
    from .feeds import FeedWatcher
    from .ledger import Delivery, Ledger
    from .publishers import Check, Publisher
    from .service import Service
    from .yaml_doc import YamlDoc

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
        """The publishers of these channels (all when none are named); unknown ids refused,
        with the nearest id when one is close ('unknown channel 'mastodon-em'; did you mean
        'mastodon-en'?'), else the channels there are."""
        pubs = self.publishers
        unknown = [c for c in channel_ids if c not in pubs]
        if unknown:
            from .errors import ConfigError
            from .validation_words import did_you_mean, named  # difflib: only for a mistake

            known = did_you_mean(unknown[0], pubs, otherwise="channels") or "; channels: none"
            raise ConfigError(f"unknown channel {named(unknown[0])}{known}")
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
            from .service_rounds import shared

            loop.membership = shared(
                self.ledger,
                self.config.store,
                self.clock,
                list(loop.publishers),
                loop.taken_over,
                held=loop.nudge,
                visiting=True,
            )
        return loop

    def check_channels(self) -> list[Check]:
        """Every channel's credential check (network calls)."""
        from .doctor import check_channels

        return check_channels(self.publishers.values())

    def doctor(self, channel_ids: tuple[str, ...] = ()) -> Doctor:
        """`outreach doctor`: each channel's check; what a platform said of its limits is kept."""
        from .doctor import examine

        return examine(self.publishers_of(channel_ids), lambda: self.ledger)

    def deliver(
        self, item_id: str, channel_ids: tuple[str, ...] = (), *, again: bool = False, wait: float
    ) -> Delivered:
        """`outreach deliver`: a page or news item to its channels now, once (again: once more)."""
        from .manual_delivery import deliver

        return deliver(self, item_id, channel_ids, again=again, wait=wait)

    def retry(self, delivery_id: int, *, send: bool = True, wait: float) -> Delivery:
        """`outreach retry`: a failed, unknown, missed or cancelled delivery queued again (and sent)."""
        from .manual_delivery import retry

        return retry(self, delivery_id, send=send, wait=wait)

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
        from .service_rounds import alert_rounds, membership

        loop = self.delivery_loop()
        cfg, ledger, clock = self.config, self.ledger, self.clock
        service = Service(
            cfg,
            ledger,
            loop,
            clock=clock,
            on_turn=alert_rounds(cfg, ledger, clock),
            membership=None
            if once
            else membership(ledger, cfg.store, clock, list(self.publishers), lambda: service),
        )
        loop.membership = service.membership
        return service

    def admin_token(self) -> str:
        """The admin bot's token; a ConfigError saying what to set when there is none."""
        from .admin.building import admin_token

        return admin_token(self.config)

    def admin_bot(self, *, alerts: bool = True, polling: bool = True) -> Application:
        """`outreach adminbot`: the organisers' Telegram bot, ready to run_polling().

        polling=False: to be fed updates (tests); no polling or alert jobs.
        """
        from .admin.building import admin_bot

        return admin_bot(self, alerts=alerts, polling=polling)

"""What `outreach run` does beside its turns: its share of the store, and the alerts after each turn.

- `membership`: this instance's share of the store (outreach.instances), started by
  `run` only. PostgreSQL: shared with any other instance, channel by channel.
  SQLite: the only one, and a second `run` on the same file is refused.
- `shared`: a share of a PostgreSQL store, also what `run --once` and `deliver`
  take beside running instances (visiting: only the channels none of them holds).
- `alert_rounds`: after each turn, the organisers told of failures.

The application (outreach.app.App) builds the service and hands these its parts;
nothing here reads the environment or builds a part of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .admin.alerts import Rounds
    from .clock import ScaledClock, SystemClock
    from .config import Config
    from .config.settings import StoreConfig
    from .instances import Membership, Shared
    from .ledger import Ledger
    from .service import Service

__all__ = ["alert_rounds", "membership", "shared"]


def membership(
    ledger: Ledger,
    store: StoreConfig,
    clock: SystemClock | ScaledClock,
    channels: list[str],
    service: Callable[[], Service],
) -> Membership:
    """This instance's share of the store, for `run`; `service` is the one it belongs to,
    asked only once a lease is acquired (the service is made after its membership)."""
    from .instances import Solo, SqliteLock
    from .ledger import CHANNEL, QUEUEING

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

    def held(name: str) -> None:
        if name.startswith(CHANNEL):
            service().delivery.nudge(name.removeprefix(CHANNEL))

    return shared(ledger, store, clock, channels, acquired, held=held)


def shared(
    ledger: Ledger,
    store: StoreConfig,
    clock: SystemClock | ScaledClock,
    channels: list[str],
    acquired: Callable[[str], Any],
    *,
    held: Callable[[str], Any] | None = None,
    visiting: bool = False,
) -> Shared:
    """A share of a PostgreSQL store (outreach.instances.Shared), on real seconds.

    `acquired`: a lease was just taken, before this instance uses it (recover, seed
    pacing); `held`: it is now in use (wake the channel's delivery thread).
    `visiting`: beside running instances, holding only what none of them holds;
    `acquired` and `held` are then told the channel id, not the lease's name.
    """
    from .clock import clock_seconds
    from .instances import Shared
    from .ledger import CHANNEL

    def on_acquired(name: str) -> None:
        acquired(name.removeprefix(CHANNEL) if visiting else name)

    def on_held(name: str) -> None:
        if held is not None:
            held(name.removeprefix(CHANNEL) if visiting else name)

    per_real = clock_seconds(clock, 1.0)  # the leases count real seconds (the database's)
    return Shared(
        ledger,
        channels,
        real_monotonic=lambda: clock.monotonic() / per_real,
        ttl=store.lease_seconds,
        renew=store.renew_seconds,
        on_acquired=on_acquired,
        on_held=on_held,
        visiting=visiting,
    )


def alert_rounds(
    config: Config, ledger: Ledger, clock: SystemClock | ScaledClock
) -> Callable[[Any], None]:
    """After each turn: tell the organisers about failures.

    To admin.alert_chat when it and the admin bot's token are set; otherwise the
    problems are logged only (outreach.alerts). The bot itself (`outreach
    adminbot --no-alerts`) then leaves alerts to this process.

    The token is read now (an unreadable token file stops the start, naming it);
    the alerts module is imported and its rounds made at the end of the first turn,
    not before the first post, which needs none of it (issue 15: a lazy import for
    start-up time).
    """
    from .admin.building import token_text

    token = token_text(config.admin.token)
    made: list[Rounds] = []

    def after_turn(turn: Any) -> None:
        if not made:
            made.append(_rounds(config, ledger, clock, token))
        made[0].after_turn(turn)

    return after_turn


def _rounds(config: Config, ledger: Ledger, clock: SystemClock | ScaledClock, token: str) -> Rounds:
    from .admin.alerts import Rounds

    admin, sender = config.admin, None
    if admin.alert_chat is not None and token:
        from .admin.alerts import TelegramAlertSender

        sender = TelegramAlertSender(token, admin.alert_chat, admin.api_base_url)
    # a chat is set but this process has no token for it: leave the alerts to the bot
    leave = admin.alert_chat is not None and not token
    return Rounds(
        config,
        ledger,
        sender,
        clock=clock.now,
        alerts_every=None if leave else 60.0,
    )

"""The one clock: where every part of outreach reads the time and waits.

Nothing else calls `datetime.now`, `time.time` or `time.monotonic`. The
application (outreach/app.py) makes one clock (`clock_from_environ`) and
passes it down, so a simulated clock set by
OUTREACH_FAKE_NOW / OUTREACH_CLOCK_SPEED is the same for the scheduler, the
delivery loop, the ledger's timestamps, the feeds, the admin bot, previews
and checks.

- `SystemClock`: the machine's time.
- `ScaledClock`: starts at a given moment and runs N times faster than the
  machine (N = 1 for a plain fake "now"), for demos and end-to-end tests:
  a weekly cron can fire within seconds. OUTREACH_CLOCK_EPOCH (a Unix time)
  says when, on the machine's clock, it read OUTREACH_FAKE_NOW (by default:
  when the process started), so several processes share one simulated time,
  as machines share one by NTP.

APScheduler waits in real time, so a clock also converts between its own time
and the machine's (`to_real`, `from_real`); with the system clock that is the
identity. `monotonic()` measures intervals on the clock's own time (a deadline
that cannot jump when the machine's clock is set). Tests that drive time by hand use their own clock with the same
methods (tests/fakes: ManualClock).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Mapping
from typing import Protocol

from .errors import ConfigError

__all__ = [
    "CLOCK_EPOCH_ENV",
    "CLOCK_SPEED_ENV",
    "FAKE_NOW_ENV",
    "Clock",
    "Now",
    "ScaledClock",
    "SystemClock",
    "clock_from_environ",
    "clock_seconds",
]

UTC = dt.UTC
FAKE_NOW_ENV = "OUTREACH_FAKE_NOW"
CLOCK_SPEED_ENV = "OUTREACH_CLOCK_SPEED"
CLOCK_EPOCH_ENV = "OUTREACH_CLOCK_EPOCH"

Now = Callable[[], dt.datetime]
"""A clock's reading alone (`clock.now`), for parts that only ask the time."""


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current moment, timezone-aware (UTC)."""
        ...

    def __call__(self) -> dt.datetime:
        """The same as `now()`, for callers that take a plain `() -> datetime`."""
        ...

    def to_real(self, moment: dt.datetime) -> dt.datetime:
        """The machine's wall time at which this clock will show `moment`."""
        ...

    def from_real(self, real: dt.datetime) -> dt.datetime: ...

    def monotonic(self) -> float:
        """Seconds of this clock's time since some fixed point, for deadlines and intervals."""
        ...

    def wait(self, event: threading.Event, seconds: float) -> bool:
        """Sleep `seconds` of this clock's time, or until `event` is set (then True)."""
        ...

    def sleep(self, seconds: float, wake: threading.Event) -> None:
        """The same as `wait`, for callers that do not need to know why it returned."""
        ...


class SystemClock:
    """The machine's clock."""

    simulated = False

    def now(self) -> dt.datetime:
        return dt.datetime.now(UTC)

    def __call__(self) -> dt.datetime:
        return self.now()

    def to_real(self, moment: dt.datetime) -> dt.datetime:
        return moment

    def from_real(self, real: dt.datetime) -> dt.datetime:
        return real

    def monotonic(self) -> float:
        return time.monotonic()

    def wait(self, event: threading.Event, seconds: float) -> bool:
        return event.wait(max(0.0, seconds))

    def sleep(self, seconds: float, wake: threading.Event) -> None:
        self.wait(wake, seconds)

    def describe(self) -> str:
        return "the system clock"


class ScaledClock:
    """Starts at `start` and runs `speed` times faster than the machine's clock."""

    simulated = True

    def __init__(
        self,
        start: dt.datetime,
        speed: float = 1.0,
        real: Callable[[], float] = time.time,
        mono: Callable[[], float] = time.monotonic,
        epoch: float | None = None,
    ) -> None:
        """`epoch`: the machine's time (Unix seconds) at which it read `start`; now by default."""
        if start.tzinfo is None:
            raise ValueError("the clock's start must be timezone-aware")
        if speed <= 0:
            raise ValueError("the clock's speed must be positive")
        self.given = start  # as the person wrote it, for describe()
        self.start = start.astimezone(UTC)
        self.speed = speed
        self._real = real
        real_now = real()
        self._t0 = real_now if epoch is None else epoch
        self._mono = mono
        self._m0 = mono() - (real_now - self._t0)

    def now(self) -> dt.datetime:
        return self.start + dt.timedelta(seconds=(self._real() - self._t0) * self.speed)

    def __call__(self) -> dt.datetime:
        return self.now()

    def to_real(self, moment: dt.datetime) -> dt.datetime:
        seconds = (moment - self.start).total_seconds() / self.speed
        return dt.datetime.fromtimestamp(self._t0 + seconds, UTC)

    def from_real(self, real: dt.datetime) -> dt.datetime:
        return self.start + dt.timedelta(seconds=(real.timestamp() - self._t0) * self.speed)

    def monotonic(self) -> float:
        return (self._mono() - self._m0) * self.speed

    def wait(self, event: threading.Event, seconds: float) -> bool:
        return event.wait(max(0.0, seconds / self.speed))

    def sleep(self, seconds: float, wake: threading.Event) -> None:
        self.wait(wake, seconds)

    def describe(self) -> str:
        return (
            f"simulated clock from {self.given.isoformat()} at {self.speed:g}x "
            f"(${FAKE_NOW_ENV}, ${CLOCK_SPEED_ENV})"
        )


def clock_from_environ(environ: Mapping[str, str]) -> SystemClock | ScaledClock:
    """The system clock, or a simulated one when OUTREACH_FAKE_NOW / _CLOCK_SPEED are set.

    OUTREACH_FAKE_NOW is an ISO date and time (UTC when it names no zone);
    OUTREACH_CLOCK_SPEED a positive factor. Callers should say on stderr that
    the clock is simulated (`clock.simulated`, `clock.describe()`), so it never
    goes unnoticed.
    """
    fake, speed = environ.get(FAKE_NOW_ENV), environ.get(CLOCK_SPEED_ENV)
    if not fake and not speed:
        return SystemClock()
    try:
        start = dt.datetime.fromisoformat(fake) if fake else SystemClock().now()
        factor = float(speed) if speed else 1.0
        start = start if start.tzinfo else start.replace(tzinfo=UTC)
        epoch = environ.get(CLOCK_EPOCH_ENV)
        return ScaledClock(start, factor, epoch=float(epoch) if epoch else None)
    except ValueError as exc:
        raise ConfigError(f"${FAKE_NOW_ENV} / ${CLOCK_SPEED_ENV}: {exc}") from None


def clock_seconds(clock: Clock, real_seconds: float) -> float:
    """A wait a server gave in its own (wall) seconds, in seconds of `clock`.

    A simulated clock running N times faster waits N times as many of its own
    seconds: the same moment for the server. The system clock: unchanged.
    """
    now = clock.now()
    later = clock.from_real(clock.to_real(now) + dt.timedelta(seconds=real_seconds))
    return (later - now).total_seconds()

"""outreach.clock: the one clock, read from the environment once; pure, on injected time."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from outreach.clock import ScaledClock, SystemClock, clock_from_environ, clock_seconds
from outreach.errors import ConfigError

UTC = dt.UTC


def test_no_variables_mean_the_system_clock():
    assert isinstance(clock_from_environ({}), SystemClock)
    assert isinstance(clock_from_environ({"OUTREACH_FAKE_NOW": ""}), SystemClock)


def test_a_fake_now_without_a_zone_is_utc_and_says_it_is_simulated():
    clock = clock_from_environ({"OUTREACH_FAKE_NOW": "2031-05-06T12:00"})
    assert isinstance(clock, ScaledClock) and clock.simulated
    assert abs(clock.now() - dt.datetime(2031, 5, 6, 12, 0, tzinfo=UTC)) < dt.timedelta(seconds=5)
    assert "2031-05-06T12:00" in clock.describe() and "$OUTREACH_FAKE_NOW" in clock.describe()


@pytest.mark.parametrize(
    "environ",
    [
        {"OUTREACH_FAKE_NOW": "next tuesday"},
        {"OUTREACH_FAKE_NOW": "2031-05-06T12:00", "OUTREACH_CLOCK_SPEED": "fast"},
        {"OUTREACH_CLOCK_SPEED": "0"},
    ],
)
def test_bad_values_are_refused_naming_the_variables(environ):
    with pytest.raises(ConfigError) as err:
        clock_from_environ(environ)
    assert "$OUTREACH_FAKE_NOW / $OUTREACH_CLOCK_SPEED" in str(err.value)


def test_a_scaled_clocks_monotonic_reading_runs_at_its_speed():
    mono = itertools.count(100.0, 2.0)  # each reading 2 machine seconds later
    clock = ScaledClock(
        dt.datetime(2031, 5, 6, tzinfo=UTC), speed=30, real=lambda: 0.0, mono=lambda: next(mono)
    )
    first, second = clock.monotonic(), clock.monotonic()
    assert second - first == 60.0


def test_a_servers_wait_in_clock_seconds():
    assert clock_seconds(SystemClock(), 17) == pytest.approx(17, abs=0.01)
    fast = ScaledClock(dt.datetime(2031, 5, 6, tzinfo=UTC), speed=60, real=lambda: 1000.0)
    assert clock_seconds(fast, 17) == pytest.approx(17 * 60)


def test_processes_started_apart_share_one_simulated_time_from_an_epoch():
    start = dt.datetime(2031, 5, 6, tzinfo=UTC)
    environ = {"OUTREACH_FAKE_NOW": start.isoformat(), "OUTREACH_CLOCK_SPEED": "10",
               "OUTREACH_CLOCK_EPOCH": "1000.0"}  # fmt: skip
    # started decades of machine time after its epoch: it reads that far on, ten times over
    assert clock_from_environ(environ).now() - start > dt.timedelta(days=100 * 365)
    del environ["OUTREACH_CLOCK_EPOCH"]
    assert clock_from_environ(environ).now() - start < dt.timedelta(minutes=1)
    # a process that starts 3 machine seconds after the epoch reads 30 s on
    later = ScaledClock(start, speed=10, real=lambda: 1003.0, epoch=1000.0)
    assert later.now() == start + dt.timedelta(seconds=30)

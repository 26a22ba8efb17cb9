"""One thread per channel, and its waiting between steps.

Channels proceed concurrently while each keeps its posts in order (the ledger
will not hand out a channel's next row while one is sending or backing off).
Each thread takes steps (step.py) until there is nothing more to do before the
deadline, or a stop; between steps it sleeps on the loop's clock until the step's
time, at most IDLE_POLL, or until nudged (something was enqueued).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Iterable

from ..clock import Clock
from ..outcomes import Report
from .progress import Progress
from .step import NOW, Look

log = logging.getLogger("outreach.delivery")  # the loop's log, as before the split
IDLE_POLL = 5.0


class ChannelThreads:
    def __init__(
        self,
        channel_ids: Iterable[str],
        step: Callable[[str], Look],
        clock: Clock,
        stopping: threading.Event,
        progress: Progress,
    ) -> None:
        """`step`: one step of a channel (ChannelStep.step); `stopping`: set by stop()."""
        self.step = step
        self.clock = clock
        self.stopping = stopping
        self.progress = progress
        self._wake = {ch: threading.Event() for ch in channel_ids}
        self._lock = threading.Lock()
        self._queueing: threading.Event | None = None  # run_once while its caller queues
        self._max_wait = 0.0
        self._until: dt.datetime | None = None

    def run(self, deadline: dt.datetime | None) -> Report:
        """Every channel's thread, until each has nothing more to do before `deadline`
        (None: until stopped)."""
        report = self.progress.begin()
        threads = [
            threading.Thread(target=self._channel, args=(ch, deadline), name=f"deliver-{ch}")
            for ch in self._wake
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return report

    def run_queueing(self, queueing: threading.Event, max_wait: float) -> Report:
        """`run` while the caller is still queueing: no deadline until it sets `queueing`,
        then `max_wait` seconds from then (DeliveryLoop.run_once)."""
        self._queueing, self._max_wait, self._until = queueing, max_wait, None
        try:
            return self.run(None)
        finally:
            self._queueing = None

    def watch(self, stop: threading.Event) -> None:
        """stop() once `stop` is set (a thread of its own)."""
        threading.Thread(target=self._watch, args=(stop,), daemon=True).start()

    def nudge(self, channel_id: str | None = None) -> None:
        """Something was enqueued: look now instead of at the next poll."""
        for ch, event in self._wake.items():
            if channel_id in (None, ch):
                event.set()

    def stop(self) -> None:
        self.stopping.set()
        self.nudge()

    def _watch(self, stop: threading.Event) -> None:
        stop.wait()
        self.stop()

    def _channel(self, channel_id: str, deadline: dt.datetime | None) -> None:
        try:
            while not self.stopping.is_set():
                until = self.step(channel_id)
                if until is not NOW and not self._wait(channel_id, until, deadline):
                    break
        except Exception:
            # A bug or a broken store must not pass silently: the row stays in the ledger.
            log.exception("delivery to %s stopped", channel_id)

    def _wait(
        self, channel_id: str, until: dt.datetime | None, deadline: dt.datetime | None
    ) -> bool:
        """Sleep until `until` (None: the next poll), or a nudge; False, without sleeping,
        when that is past the deadline."""
        now = self.clock.now()
        deadline = self._deadline(deadline)
        if deadline is not None and (until is None or until > deadline):
            return False
        seconds = IDLE_POLL if until is None else (until - now).total_seconds()
        wake = self._wake[channel_id]
        self.clock.sleep(min(seconds, IDLE_POLL), wake)
        wake.clear()
        return True

    def _deadline(self, deadline: dt.datetime | None) -> dt.datetime | None:
        """run_once's deadline; None (wait for more) while the caller is still queueing."""
        queueing = self._queueing
        if queueing is None:
            return deadline
        if not queueing.is_set():
            return None
        with self._lock:
            if self._until is None:
                self._until = self.clock.now() + dt.timedelta(seconds=self._max_wait)
            return self._until

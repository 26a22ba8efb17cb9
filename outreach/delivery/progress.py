"""What the run in progress has done so far (DeliveryLoop.report), and who hears each
outcome as it comes (DeliveryLoop.on_outcome: `outreach run --json` prints it)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from ..outcomes import Outcome, Report


class Progress:
    """Thread-safe: every channel thread reports here."""

    def __init__(self, on_outcome: Callable[[Outcome], None] | None = None) -> None:
        self.on_outcome = on_outcome
        self.report: Report | None = None
        self._lock = threading.Lock()

    def begin(self) -> Report:
        """A new run: its report, empty (the previous run's is let go)."""
        self.report = report = Report()
        return report

    def outcome(self, outcome: Outcome) -> None:
        """A post's outcome: in the run's report, then told to `on_outcome`."""
        with self._lock:
            if self.report is not None:
                self.report.outcomes.append(outcome)
        if self.on_outcome is not None:
            self.on_outcome(outcome)

    def action(self, outcome: Outcome) -> None:
        """A correction's or a takedown's outcome: in the run's report only."""
        with self._lock:
            if self.report is not None:
                self.report.actions.append(outcome)

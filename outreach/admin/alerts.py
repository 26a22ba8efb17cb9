"""Alerts: organisers hear about every failure, once per problem, in their Telegram chat.

What counts as a problem, and what makes it "the same" problem:

    problem                                   key (one alert per key)
    a delivery failed / unknown / missed      delivery:<id>:<idempotency key>
    a feed failed N polls in a row            feed:<id>:open        until a good poll
    a channel's credentials stopped working   credential:<id>:open  until a check passes

Retries inside the delivery loop keep a delivery's idempotency key, so a
delivery retried twice and then failed is one alert; an organiser's `retry`
gives it a new key, so if it fails again that is a new alert. An `unknown`
delivery an organiser then marks failed stays one alert. A feed or credential
problem is "open" until the condition clears; the next one is new.

The ledger's `alerts` table (`ledger.alerts`) remembers what was alerted.
A problem is recorded (and logged) first, then sent; a row is claimed with a
short lease before sending, so two processes (the service and the admin bot)
calling `send_pending_alerts` never both send it, and one that could not be
sent (the chat unreachable) is sent on a later call. Several new problems go
out as one message, so a revoked token that fails fifty posts is a few
messages, not fifty.

    send_pending_alerts(config, ledger, sender, checks=publisher_checks)  # each loop
    sender = TelegramAlertSender(token, config.admin.alert_chat, api_base_url)
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import PublishError
from ..publishers.telegram import bot_base_url, chat_ref
from ..when import describe

if TYPE_CHECKING:
    from ..config import Config
    from ..ledger import Delivery, Ledger

log = logging.getLogger("outreach.alerts")

FEED_FAILURES = 3
"""Polls failed in a row before a feed is reported (one bad poll is often the network)."""
LOOKBACK = dt.timedelta(days=3)
"""Deliveries that went wrong longer ago than this are not looked at again."""
MESSAGE_LIMIT = 3500
"""Characters per alert message (Telegram allows 4096; room for a header)."""
PROBLEM_STATES = ("failed", "unknown", "missed")

Sender = Callable[[str], None]
"""Sends one text to the organisers' chat; raises when it could not."""


@dataclass(frozen=True)
class Problem:
    subject: str
    """What it is about: 'delivery:12', 'feed:news', 'credential:telegram-ru'."""
    key: str
    kind: str
    """failed, unknown, missed, feed, credential."""
    text: str


@dataclass
class AlertReport:
    recorded: list[Problem] = field(default_factory=list)
    """Problems seen for the first time (logged now)."""
    sent: int = 0
    """Problems whose alert reached the chat in this call."""
    pending: int = 0
    """Problems still waiting to be sent (the chat could not be reached, or too many at once)."""
    errors: list[str] = field(default_factory=list)


# -- finding problems ------------------------------------------------------------


def delivery_key(d: Delivery) -> str:
    return f"delivery:{d.id}:{d.idempotency_key[:16]}"


def _delivery_text(d: Delivery, config: Config) -> str:
    tz = config.campaign.tz
    head = f"Delivery {d.id} to {d.channel_id} ({d.about or 'no subject'}, due {describe(d.due_at, tz)})"
    reason = d.reason or "no reason was recorded"
    if d.state == "unknown":
        return (
            f"{head}: outcome UNKNOWN, it may or may not have been posted. {reason}\n"
            f"Look at the channel, then /resolve {d.id} sent or /resolve {d.id} failed "
            f"(or /retry {d.id} to send it again)."
        )
    if d.state == "missed":
        return f"{head} was MISSED and not sent. {reason}"
    return f"{head} FAILED. {reason}\nWhen it is fixed, /retry {d.id} sends it again."


def delivery_problems(config: Config, ledger: Ledger, now: dt.datetime) -> list[Problem]:
    """Failed, unknown and missed deliveries changed within LOOKBACK, not alerted before."""
    rows = ledger.changed_since(now - LOOKBACK, states=PROBLEM_STATES)
    known = ledger.alerts.known([delivery_key(d) for d in rows])
    return [
        Problem(f"delivery:{d.id}", delivery_key(d), d.state, _delivery_text(d, config))
        for d in rows
        if delivery_key(d) not in known
    ]


def feed_problems(
    config: Config, ledger: Ledger, threshold: int = FEED_FAILURES
) -> tuple[list[Problem], list[str]]:
    """Feeds failing `threshold` polls in a row; and the subjects of feeds that are fine."""
    tz = config.campaign.tz
    bad, fine = [], []
    for feed in config.feeds:
        state = ledger.feed_state(feed.id)
        subject = f"feed:{feed.id}"
        if state is None or state.failures < threshold:
            fine.append(subject)
            continue
        when = describe(state.last_poll, tz) if state.last_poll else "never"
        text = (
            f"Feed {feed.id!r} ({feed.url or feed.path}) failed {state.failures} polls in a row; "
            f"last tried {when}. Last error: {state.last_error or 'none recorded'}\n"
            "New items of this feed are not announced until it reads again."
        )
        bad.append(Problem(subject, f"{subject}:open", "feed", text))
    return bad, fine


def credential_problems(checks: Iterable[Any]) -> tuple[list[Problem], list[str]]:
    """From publisher checks (outreach.publishers.base.Check): channels whose credentials fail."""
    bad, fine = [], []
    for check in checks:
        subject = f"credential:{check.channel_id}"
        if check.ok:
            fine.append(subject)
            continue
        problems = "; ".join(check.problems) or "the check failed"
        text = (
            f"Channel {check.channel_id} ({check.network}): its credentials or rights stopped "
            f"working, so nothing can be posted there. {problems}"
        )
        bad.append(Problem(subject, f"{subject}:open", "credential", text))
    return bad, fine


# -- sending -----------------------------------------------------------------------


def _batches(texts: list[tuple[int, str]]) -> list[tuple[list[int], str]]:
    out: list[tuple[list[int], str]] = []
    ids: list[int] = []
    body = ""
    for ident, text in texts:
        text = text if len(text) <= MESSAGE_LIMIT else text[: MESSAGE_LIMIT - 1] + "…"
        piece = f"• {text}"
        if ids and len(body) + 2 + len(piece) > MESSAGE_LIMIT:
            out.append((ids, body))
            ids, body = [], ""
        ids.append(ident)
        body = f"{body}\n\n{piece}" if body else piece
    if ids:
        out.append((ids, body))
    return out


def send_pending_alerts(
    config: Config,
    ledger: Ledger,
    sender: Sender | None,
    *,
    checks: Iterable[Any] = (),
    feed_failures: int = FEED_FAILURES,
    now: dt.datetime | None = None,
    limit: int = 50,
) -> AlertReport:
    """Record new problems (logging each once) and send what is waiting to the organisers.

    `sender` None (no admin.alert_chat): problems are logged and recorded only.
    `checks` are the latest publisher checks, when the caller has them.
    Never raises for a sending failure: it is logged and retried on the next call.
    """
    now = now or ledger.now()
    store = ledger.alerts
    report = AlertReport()
    feeds_bad, feeds_fine = feed_problems(config, ledger, feed_failures)
    creds_bad, creds_fine = credential_problems(checks)
    for subject in feeds_fine + creds_fine:
        if store.close_open(subject):
            log.info("alert cleared: %s works again", subject)
    for problem in delivery_problems(config, ledger, now) + feeds_bad + creds_bad:
        if store.record(
            key=problem.key, subject=problem.subject, kind=problem.kind, text=problem.text
        ):
            report.recorded.append(problem)
            log.warning("ALERT %s: %s", problem.subject, problem.text)
    if sender is None:
        rows = store.claim(limit=10_000)
        store.mark_sent([r.id for r in rows])
        return report
    rows = store.claim(limit)
    sent: set[int] = set()
    for ids, text in _batches([(r.id, r.text) for r in rows]):
        header = f"outreach: {len(ids)} problem(s), {describe(now, config.campaign.tz)}\n\n"
        try:
            sender(header + text)
        except Exception as exc:
            # the alert chat is the one place we cannot report this to: log, retry later
            report.errors.append(f"{type(exc).__name__}: {exc}")
            log.error("alerts could not be sent to the organisers' chat: %s", report.errors[-1])
            store.release([r.id for r in rows if r.id not in sent])
            break
        store.mark_sent(ids)
        sent.update(ids)
        report.sent += len(ids)
    report.pending = store.waiting()
    return report


class TelegramAlertSender:
    """Sends alert texts to the organisers' chat with python-telegram-bot (plain text)."""

    def __init__(
        self, token: str, chat: str | int, api_base_url: str | None = None, timeout: float = 20.0
    ) -> None:
        self._token = token
        self.chat = chat_ref(chat)
        self.base_url = bot_base_url(api_base_url)
        self.timeout = timeout

    def __call__(self, text: str) -> None:
        try:
            asyncio.run(self._send(text))
        except Exception as exc:
            # PTB and httpx messages may quote the request URL, which holds the token
            detail = f"{type(exc).__name__}: {exc}".replace(self._token, "[REDACTED]")
            raise PublishError(f"the alert could not be sent to {self.chat}: {detail}") from None

    async def _send(self, text: str) -> None:
        from telegram import Bot, LinkPreviewOptions
        from telegram.request import HTTPXRequest

        t = self.timeout
        request = HTTPXRequest(
            connection_pool_size=1, read_timeout=t, write_timeout=t, connect_timeout=t,
            pool_timeout=t,
        )  # fmt: skip
        bot = Bot(self._token, base_url=self.base_url, request=request, get_updates_request=request)
        try:
            await bot.send_message(
                self.chat, text, link_preview_options=LinkPreviewOptions(is_disabled=True)
            )
        finally:
            await request.shutdown()


@dataclass
class Rounds:
    """What the bot does on its own, every minute: send alerts."""

    config: Config
    ledger: Ledger
    sender: Sender | None
    """To admin.alert_chat; None: alerts are only logged."""
    checker: Callable[[], Sequence[Any]] | None = None
    """The publishers' credential checks, for credential alerts (network calls)."""
    clock: Callable[[], dt.datetime] | None = None
    alerts_every: float | None = 60.0
    """None: this process sends no alerts (the service does)."""
    check_every: dt.timedelta = dt.timedelta(minutes=30)
    checks: list[Any] = field(default_factory=list)
    _checked_at: dt.datetime | None = None

    def alerts(self) -> AlertReport:
        now = (self.clock or self.ledger.now)()
        due = self._checked_at is None or now - self._checked_at >= self.check_every
        if self.checker is not None and due:
            self.checks = list(self.checker())
            self._checked_at = now
        return send_pending_alerts(
            self.config, self.ledger, self.sender, checks=self.checks, now=now
        )

    def after_turn(self, turn: object = None) -> None:
        """The same rounds once, for `outreach run`'s after-turn hook (Service(on_turn=...))."""
        if self.alerts_every is not None:
            self.alerts()

    def jobs(self) -> list[tuple[str, float, Callable[[], object]]]:
        out: list[tuple[str, float, Callable[[], object]]] = []
        if self.alerts_every is not None:
            out.append(("alerts", self.alerts_every, self.alerts))
        return out

"""The delivery loop: due rows from the ledger, through pacing, to the publishers.

One thread per channel, so channels proceed concurrently while each keeps its
posts in order (the ledger will not hand out a channel's next row while one is
sending or backing off). What one attempt's answer makes of its row (sent,
retried after a backoff, failed, unknown) is outreach/posting.py's.

While the campaign is paused (ledger.pause) the ledger hands out no row:
`take` shows nothing ready and its claim, one conditional UPDATE, refuses even
a row seen ready just before the pause; the loop idles until a resume.

Each step is one transaction (Ledger.take): the channel's look (an action
first? its first post ready?) and the claim of that post; while posts follow
one another, a post's finish (after its answer) and the next claim are one
transaction, unless a stop was asked or the channel's lease is gone.

Corrections and takedowns (ledger actions, outreach/acting.py) go through the
same channel threads, before the channel's next post, paced as the network
declares (Network.action_slots); a crash leaves them to be done again (they
are idempotent on the platforms).

After a crash, rows left in `sending` are recovered once their lease expires,
as their network declares (Network.resend_window): sent again with the same
idempotency key inside the network's window (Mastodon), else `unknown`
(Telegram). The loop asks each post's network (outreach.networks) for its
pacing windows and recovery rule; it names none. For the service:

    loop = DeliveryLoop(ledger, publishers_for(cfg), cfg.delivery, clock=clock)
    loop.start()                    # recover crashed rows, seed pacing, learn platform limits
    loop.run(stop_event)            # until stop_event is set; loop.nudge() after enqueueing
    report = loop.run_once(max_wait=60)   # or: deliver what is due now, then return

The modules, each using only those below it:

    loop.py       DeliveryLoop: builds the parts; start-up, recovery, the service's calls
    threads.py    one thread per channel, and its waiting between steps (IDLE_POLL, nudge)
    step.py       one step of a channel: the look and claim, the send, an action
    gate.py       what a send must pass before its claim: lateness, the pacer, the windows
    progress.py   the run's report so far, and who hears each outcome
"""

from ..outcomes import LearnsLimits, Outcome, Report
from .loop import MEDIA_WAIT, DeliveryLoop
from .threads import IDLE_POLL

__all__ = ["IDLE_POLL", "MEDIA_WAIT", "DeliveryLoop", "LearnsLimits", "Outcome", "Report"]

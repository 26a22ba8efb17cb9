"""The delivery loop's statements, built once, and the reader of the rows they give.

Apart from the loop's moves (loop.py) because they are a different kind of thing:
SQLAlchemy Core expressions with bound parameters, made once at import (and the
finish's once per set of columns), which lean.py compiles once and runs on
SQLite's driver for every post; loop.py only says when each runs and with what.
tests/test_ledger_lean.py runs each through lean.py and through SQLAlchemy and
compares. The names keep their leading underscore: they are the ledger's own,
read by loop.py and that test, never by the rest of outreach.
"""

from __future__ import annotations

import functools
from dataclasses import fields
from typing import Any

from sqlalchemy import bindparam, exists, func, literal, select, tuple_, update

from ..post import Post
from . import lean, pause
from .schema import DELIVERIES as D
from .schema import POST_ACTIONS as A
from .values import Delivery

# Built once with bound parameters: the delivery loop runs these for every post, and
# building the expressions afresh cost more than executing them (bench/README.md).
_OURS = D.c.channel_id == bindparam("channel")
_STATE = select(
    select(func.min(D.c.lease_until)).where(_OURS, D.c.state == "sending").scalar_subquery(),
    pause.not_paused_at(bindparam("channel")),
    pause.any_ended(),
)
_FIRST = select(D).where(_OURS, D.c.state == "pending").order_by(D.c.due_at, D.c.id).limit(1)
_ACTS = A.c.channel_id == bindparam("channel")
# The loop's look before each step, its actions' and its posts' in one statement (heads):
# an action sending (its lease), one waiting, then the posts' _STATE.
_STEP = select(
    select(func.min(A.c.lease_until)).where(_ACTS, A.c.state == "sending").scalar_subquery(),
    exists().where(_ACTS, A.c.state == "pending"),
    *_STATE.selected_columns,
)


def _claim_statement() -> Any:
    now = bindparam("now", type_=D.c.due_at.type)
    o = D.alias("other")
    busy = exists().where(o.c.channel_id == D.c.channel_id, o.c.state == "sending")
    # The channel's order holds even across workers: no earlier pending row may wait.
    # A row comparison, not an OR: it bounds the index scan (channel_id, state, due_at,
    # id), so proving no earlier row waits reads the rows ahead, not the whole queue.
    earlier = exists().where(
        o.c.channel_id == D.c.channel_id,
        o.c.state == "pending",
        tuple_(o.c.due_at, o.c.id) < tuple_(D.c.due_at, D.c.id),
    )
    return (
        update(D)
        .where(
            D.c.id == bindparam("delivery"),
            D.c.state == "pending",
            D.c.due_at <= now,
            D.c.next_attempt_at.is_(None) | (D.c.next_attempt_at <= now),
            ~busy,
            ~earlier,
            pause.not_paused_at(D.c.channel_id),
        )
        .values(
            state="sending",
            claim_token=bindparam("claim"),
            claimed_at=now,
            lease_until=bindparam("until", type_=D.c.lease_until.type),
            attempts=D.c.attempts + 1,
            updated_at=now,
        )
        .returning(*D.c)
    )


_CLAIM = _claim_statement()
_COLUMNS = tuple(lean.keys(_FIRST))
assert tuple(lean.keys(_CLAIM)) == _COLUMNS  # _delivery reads both
_EXPRESSIONS: dict[str, Any] = {
    # an attempt that may have posted: the first such attempt's time is kept
    "ambiguous_since": func.coalesce(D.c.ambiguous_since, D.c.claimed_at),
}


@functools.cache
def _finish_statement(from_states: tuple[str, ...], columns: tuple[str, ...]) -> Any:
    """A claimed row leaves `sending` (or the states given) with these columns set."""
    now = bindparam("now", type_=D.c.updated_at.type)
    values = {c: _EXPRESSIONS.get(c, bindparam(f"v_{c}", type_=D.c[c].type)) for c in columns}
    return (
        update(D)
        .where(
            D.c.id == bindparam("delivery"),
            D.c.claim_token == bindparam("claim"),
            # bound one by one, not an expanding list: the SQL is the same each time (lean.py)
            D.c.state.in_([literal(s, D.c.state.type) for s in from_states]),
        )
        .values(updated_at=now, lease_until=None, **values)
    )


def _delivery(row: tuple[Any, ...]) -> Delivery:
    """A Delivery from a row of _FIRST or _CLAIM (every column, in the table's order):
    what `to_delivery` makes of it, without its three dicts of the row (twice a post;
    tests/test_ledger_lean.py compares the two)."""
    if len(row) != len(_COLUMNS):
        raise ValueError(f"{len(row)} columns, expected {len(_COLUMNS)}")
    values = [row[i] for i in _ORDER]
    post = values[_POST]
    values[_POST] = Post.from_dict(post) if post else None
    values[_DRY_RUN] = bool(values[_DRY_RUN])
    return Delivery(*values)


_ORDER = tuple(_COLUMNS.index(f.name) for f in fields(Delivery))
"""Where each of a Delivery's fields is in a row of _FIRST or _CLAIM."""
_POST = [f.name for f in fields(Delivery)].index("post")
_DRY_RUN = [f.name for f in fields(Delivery)].index("dry_run")
